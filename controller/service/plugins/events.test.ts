import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ControllerEventInput } from "../../model/control.js";
import { type ServiceFixture, serviceFixture } from "../../test-support/memory-control.js";

const event = (partner: string, n: number): ControllerEventInput => ({
  type: "tenant.status",
  partner,
  source: `${partner}-git`,
  tenant: `T${n}`,
  actor: "scheduler",
  ip: null,
  data: { phase: "InSync", n },
});

/** Reads an SSE response until `until` holds on the text so far (or 5 s pass). */
async function readUntil(
  body: ReadableStream<Uint8Array>,
  until: (text: string) => boolean,
): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + 5000;
  try {
    while (!until(text) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return text;
}

/** The `id:` lines of the frames in `text`. */
const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

describe("event stream", () => {
  let f: ServiceFixture;
  let base: string;
  beforeEach(async () => {
    f = await serviceFixture({ eventsPollMs: 20, eventsHeartbeatMs: 100 });
    await f.app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(f.app.server.address() as AddressInfo).port}`;
    for (let i = 1; i <= 3; i++) {
      await f.deps.store.appendEvent(event("acme", i));
      await f.deps.store.appendEvent(event("other", i));
    }
  });
  afterEach(() => f.app.close());

  it("streams the partner's events in order, then new ones as they are appended", async () => {
    const abort = new AbortController();
    const res = await fetch(`${base}/v1/events`, {
      headers: f.auth(f.tokens.acmeRead),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const body = res.body as ReadableStream<Uint8Array>;
    let text = await readUntil(body, (t) => ids(t).length >= 3);
    expect(ids(text)).toEqual([1, 3, 5]);
    const first = text.split("\n\n").find((frame) => frame.startsWith("id: 1"));
    expect(first).toBeDefined();
    const data = JSON.parse(
      (first as string)
        .split("\n")
        .find((l) => l.startsWith("data: "))
        ?.slice(6) ?? "{}",
    );
    expect(data).toMatchObject({ seq: 1, type: "tenant.status", partner: "acme", tenant: "T1" });
    expect((first as string).split("\n")[1]).toBe("event: tenant.status");
    await f.deps.store.appendEvent(event("other", 9));
    await f.deps.store.appendEvent(event("acme", 9));
    text = await readUntil(body, (t) => ids(t).length >= 1);
    expect(ids(text)).toEqual([8]);
    abort.abort();
  });

  it.each([
    ["the Last-Event-ID header", { "last-event-id": "3" }, ""],
    ["the lastEventId query", {}, "?lastEventId=3"],
  ])("resumes after %s", async (_what, headers, query) => {
    const abort = new AbortController();
    const res = await fetch(`${base}/v1/events${query}`, {
      headers: { ...f.auth(f.tokens.acmeRead), ...headers },
      signal: abort.signal,
    });
    const text = await readUntil(res.body as ReadableStream<Uint8Array>, (t) => ids(t).length >= 1);
    expect(ids(text)).toEqual([5]);
    abort.abort();
  });

  it("sends heartbeat comments on a quiet stream", async () => {
    const abort = new AbortController();
    const res = await fetch(`${base}/v1/events?lastEventId=6`, {
      headers: f.auth(f.tokens.acmeRead),
      signal: abort.signal,
    });
    const text = await readUntil(res.body as ReadableStream<Uint8Array>, (t) => t.includes(": heartbeat"));
    expect(text).toContain(": heartbeat\n\n");
    expect(ids(text)).toEqual([]);
    abort.abort();
  });

  it("refuses a Last-Event-ID that is not an event id", async () => {
    const res = await f.app.inject({
      method: "GET",
      url: "/v1/events",
      headers: { ...f.auth(f.tokens.acmeRead), "last-event-id": "abc" },
    });
    expect(res.statusCode).toBe(400);
  });

  it("ends open streams when the app closes, so closing does not wait for clients", async () => {
    const res = await fetch(`${base}/v1/events`, { headers: f.auth(f.tokens.acmeRead) });
    const body = res.body as ReadableStream<Uint8Array>;
    await readUntil(body, (t) => ids(t).length >= 3);
    // Without the events plugin ending it, the open stream would keep close() waiting (test timeout).
    await f.app.close();
    const reader = body.getReader();
    let done = false;
    while (!done) done = (await reader.read()).done;
    expect(done).toBe(true);
  });
});
