/**
 * The controller client against the real controller app (`buildApp`, listening on a
 * loopback port) over the service's scripted deps (controller/test-support/memory-
 * control.ts):
 * answers, RFC 9457 problems as diagnostics, and the bounded 503 retries honouring
 * Retry-After.
 */
import { type AddressInfo, createServer, type Socket } from "node:net";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ServiceFixture, serviceFixture } from "../../controller/test-support/memory-control.js";
import {
  ControllerClient,
  type ControllerClientOptions,
  ControllerError,
  errAuth,
  errConflict,
  errNoAnswer,
  errReconcileFailed,
  errReconcileRetry,
  errRouteMissing,
  errUnreachable,
  retryAfterMs,
} from "./controller-client.js";

const document = {
  apiVersion: "omnia.kalliope.io/v1",
  kind: "Extension",
  metadata: { name: "hq-201", tenant: "ACME001", pbx: "hq" },
  spec: { number: "201", license: "plus", pin: { fromEnv: "PIN_201" } },
};

describe("ControllerClient against the controller app", () => {
  let f: ServiceFixture;
  let url: string;
  beforeEach(async () => {
    f = await serviceFixture();
    url = await f.app.listen({ host: "127.0.0.1", port: 0 });
  });
  afterEach(() => f.app.close());

  const client = (o: Partial<ControllerClientOptions> = {}) =>
    new ControllerClient({ url, token: f.tokens.acmeWrite, sleep: async () => {}, ...o });

  /** The error a call throws. */
  const failure = async (p: Promise<unknown>): Promise<ControllerError> => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ControllerError);
    return err as ControllerError;
  };

  it("puts a resource with ?wait=true, reads it back, and deletes it (absent is false)", async () => {
    // A variable, not a literal: the live view gained `status` and `owner` with issue 11.
    const live = {
      kind: "Extension",
      key: "Extension/ACME001/hq/201",
      id: "e1",
      spec: { number: "201" },
      status: { phase: "active", facts: {} },
      owner: null,
    };
    f.deps.applyResult = { outcome: "done", runId: "run-1", reason: null, live: [live] };
    const c = client();
    const put = await c.putResource("ACME001", "Extension", "ACME001/hq/201", document);
    expect(put.apply).toMatchObject({
      outcome: "done",
      runId: "run-1",
      live: { kind: "Extension", key: "Extension/ACME001/hq/201", id: "e1", spec: { number: "201" } },
    });
    expect(f.deps.applied).toEqual([{ source: "acme-api", tenant: "ACME001" }]);
    expect((await c.getResource("ACME001", "Extension", "ACME001/hq/201"))?.document).toEqual(document);
    expect(await c.deleteResource("ACME001", "Extension", "ACME001/hq/201")).toBe(true);
    expect(await c.getResource("ACME001", "Extension", "ACME001/hq/201")).toBeUndefined();
    expect(await c.deleteResource("ACME001", "Extension", "ACME001/hq/201")).toBe(false);
  });

  it("names the source with ?source= when configured", async () => {
    const c = client({ source: "acme-git" });
    const err = await failure(c.putResource("ACME001", "Extension", "ACME001/hq/201", document));
    expect(err.status).toBe(409);
    expect(err.problem?.detail).toMatch(/not of type api/);
  });

  it("a terminal reconcile is a 422 diagnostic with the engine's reason and the run", async () => {
    f.deps.applyResult = {
      outcome: "terminal",
      runId: "run-7",
      reason: "hq.yaml:4:3: pbx hq not found",
      live: [],
    };
    const err = await failure(client().putResource("ACME001", "Extension", "ACME001/hq/201", document));
    expect(err.status).toBe(422);
    const d = err.diagnostic();
    expect(d.summary).toBe(errReconcileFailed);
    expect(d.detail).toContain("hq.yaml:4:3: pbx hq not found");
    expect(d.detail).toContain("Controller run: run-7");
  });

  it.each([3, 14])(
    "a 422 of documents that do not load shows each of %i problems with its place, once",
    async (n) => {
      const problems = Array.from({ length: n }, (_, i) => ({
        place: `api:/v1/tenants/ACME001/resources/Extension/Extension%2FACME001%2Fhq%2F2${i}#/spec/pin/fromSecret`,
        message: `Extension/hq-2${i}: no secret pin-2${i} is stored for tenant ACME001`,
      }));
      f.deps.applyResult = {
        outcome: "terminal",
        runId: null,
        reason: "the manifests have problems: 1 problem(s)",
        live: [],
        problems,
      };
      const err = await failure(client().putResource("ACME001", "Extension", "ACME001/hq/201", document));
      const detail = err.diagnostic().detail ?? "";
      for (const p of problems) {
        const line = `${p.place}: ${p.message}`;
        expect(err.problem?.problems).toContain(line);
        expect(detail.split(line), `${line} once in:\n${detail}`).toHaveLength(2);
      }
    },
  );

  it("retries a 503 after its Retry-After, then succeeds", async () => {
    f.deps.applyResult = { outcome: "retry", runId: "run-8", reason: "lease held", live: [] };
    const waits: number[] = [];
    const c = client({
      retries: 3,
      sleep: async (ms) => {
        waits.push(ms);
        if (waits.length === 2)
          f.deps.applyResult = { outcome: "done", runId: "run-9", reason: null, live: [] };
      },
    });
    const put = await c.putResource("ACME001", "Extension", "ACME001/hq/201", document);
    expect(put.apply?.runId).toBe("run-9");
    // The route answers `Retry-After: 5`.
    expect(waits).toEqual([5000, 5000]);
    expect(f.deps.applied).toHaveLength(3);
  });

  it("retries a 429 of the controller's per-token limit after its Retry-After (a large apply)", async () => {
    let calls = 0;
    const waits: number[] = [];
    const c = client({
      retries: 3,
      sleep: async (ms) => void waits.push(ms),
      fetch: async (u, init) => {
        calls++;
        if (calls === 1)
          return new Response(
            JSON.stringify({ type: "about:blank", title: "Too Many Requests", status: 429 }),
            {
              status: 429,
              headers: { "content-type": "application/problem+json", "retry-after": "42" },
            },
          );
        return fetch(u, init);
      },
    });
    const put = await c.putResource("ACME001", "Extension", "ACME001/hq/201", document);
    expect(put.resource.key).toBe("Extension/ACME001/hq/201");
    expect(waits).toEqual([42_000]);
    expect(calls).toBe(2);
  });

  it("a controller that accepts the connection and never answers is an error after the read timeout, not a hang", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const c = new ControllerClient({
        url: `http://127.0.0.1:${port}`,
        token: f.tokens.acmeWrite,
        readTimeoutMs: 300,
      });
      const err = await failure(c.getLive("ACME001", "Extension", "ACME001/hq/201"));
      expect(err.status).toBe(0);
      expect(err.diagnostic().detail).toContain(`${errNoAnswer} in 0 s`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("gives up after the bounded retries with the retry diagnostic", async () => {
    f.deps.applyResult = { outcome: "retry", runId: "run-8", reason: "lease held", live: [] };
    const waits: number[] = [];
    const c = client({ retries: 2, sleep: async (ms) => void waits.push(ms) });
    const err = await failure(c.putResource("ACME001", "Extension", "ACME001/hq/201", document));
    expect(waits).toHaveLength(2);
    expect(f.deps.applied).toHaveLength(3);
    expect(err.diagnostic()).toMatchObject({ summary: errReconcileRetry });
    expect(err.diagnostic().detail).toContain("lease held");
  });

  it("does not wait for a Retry-After beyond maxRetryAfterMs", async () => {
    f.deps.applyResult = { outcome: "retry", runId: "run-8", reason: "busy", live: [] };
    const waits: number[] = [];
    const c = client({ maxRetryAfterMs: 1000, sleep: async (ms) => void waits.push(ms) });
    await failure(c.putResource("ACME001", "Extension", "ACME001/hq/201", document));
    expect(waits).toEqual([]);
    expect(f.deps.applied).toHaveLength(1);
  });

  it("a 409 shows the problem; an owner member is named", async () => {
    await f.deps.store.deleteSource("acme-api");
    const err = await failure(client().putResource("ACME001", "Extension", "ACME001/hq/201", document));
    expect(err.status).toBe(409);
    expect(err.diagnostic()).toMatchObject({ severity: "error", summary: errConflict });
    expect(err.diagnostic().detail).toMatch(/no source of type api/);
    // The shape the resource-conflict problem has (issue 11): `owner` names the other source.
    const owned = new ControllerError(
      409,
      {
        title: "Conflict",
        detail: "Extension/ACME001/hq/201 is declared by another source",
        owner: { source: "acme-git", location: "git https://git.example.it/acme/omnia.git#main" },
      },
      "PUT /v1/tenants/ACME001/resources/Extension/ACME001%2Fhq%2F201",
    );
    expect(owned.diagnostic().detail).toContain(
      "Owned by source: acme-git (git https://git.example.it/acme/omnia.git#main)",
    );
  });

  it("a bad token is the auth diagnostic, and the token never appears in it", async () => {
    const token = "omn_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const err = await failure(client({ token }).getResource("ACME001", "Extension", "ACME001/hq/201"));
    expect(err.status).toBe(401);
    expect(err.diagnostic().summary).toBe(errAuth);
    expect(JSON.stringify(err.diagnostic())).not.toContain(token);
    expect(err.message).not.toContain(token);
  });

  it("a route the controller does not have is an error, never an absent object", async () => {
    const c = client({ url: `${url}/wrong-prefix` });
    const err = await failure(c.getLive("ACME001", "Pbx", "ACME001/hq"));
    expect(err.status).toBe(404);
    expect(err.diagnostic().summary).toBe(errRouteMissing);
    await failure(c.getResource("ACME001", "Pbx", "ACME001/hq"));
    // A resource the controller does not declare is absent.
    expect(await client().getResource("ACME001", "Pbx", "ACME001/hq")).toBeUndefined();
  });

  it("a controller that does not answer is the unreachable diagnostic, not retried", async () => {
    await f.app.close();
    const waits: number[] = [];
    const err = await failure(
      client({ sleep: async (ms) => void waits.push(ms) }).getResource("ACME001", "Pbx", "ACME001/hq"),
    );
    expect(err.status).toBe(0);
    expect(err.diagnostic().summary).toBe(errUnreachable);
    expect(waits).toEqual([]);
  });
});

describe("retryAfterMs", () => {
  it("reads seconds and HTTP dates; anything else is undefined", () => {
    const now = Date.parse("2026-11-29T22:00:00Z");
    expect(retryAfterMs("5", now)).toBe(5000);
    expect(retryAfterMs("0.5", now)).toBe(500);
    expect(retryAfterMs("Sun, 29 Nov 2026 22:00:07 GMT", now)).toBe(7000);
    expect(retryAfterMs("Sun, 29 Nov 2026 21:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs("soon", now)).toBeUndefined();
    fc.assert(
      fc.property(fc.nat({ max: 86_400 }), (s) => {
        expect(retryAfterMs(String(s), now)).toBe(s * 1000);
      }),
    );
  });
});
