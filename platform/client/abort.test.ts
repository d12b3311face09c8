import { setTimeout as sleep } from "node:timers/promises";
import pLimit from "p-limit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestStandin, type TestStandin, testClientOptions } from "../standin/testing.js";
import { raceAbort } from "./abort.js";
import { clientCodes, OmniaClient, PlatformError } from "./index.js";
import { TokenBucket } from "./rate-limit.js";
import type { ClientOptions } from "./transport.js";

let standin: TestStandin;
const clients: OmniaClient[] = [];

beforeAll(async () => {
  standin = await startTestStandin();
});
afterEach(() => {
  Object.assign(standin.knobs, { failNext: [], latencyMs: 0 });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await standin.close();
  expect(standin.violations, "responses that broke the contract").toEqual([]);
});

/** A client with limits of its own, its salt already fetched. */
async function readyClient(options: ClientOptions = {}) {
  const client = new OmniaClient(standin.settings, {
    ...testClientOptions,
    limits: { bucket: new TokenBucket({ requestsPerSecond: 10_000, burst: 10_000 }), concurrency: pLimit(8) },
    ...options,
  });
  clients.push(client);
  await client.company.get();
  return client;
}

/** The outcome of `p` if it settles within `ms`, else "still waiting". */
async function within(ms: number, p: Promise<unknown>): Promise<unknown> {
  const late = sleep(ms).then(() => "still waiting");
  return Promise.race([
    p.then(
      (v) => v,
      (e: unknown) => e,
    ),
    late,
  ]);
}

/** The fields a caller of an aborted call acts on. */
const shape = (e: unknown) => {
  const err = e as PlatformError;
  return {
    isPlatformError: err instanceof PlatformError,
    code: err.code,
    status: err.status,
    retryable: err.retryable,
  };
};
const aborted = { isPlatformError: true, code: clientCodes.aborted, status: 0, retryable: false };

describe("withSignal", () => {
  it("carries many calls at once on one signal without a listener-leak warning", async () => {
    const client = await readyClient();
    standin.knobs.latencyMs = 50;
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    try {
      const view = client.withSignal(new AbortController().signal);
      await Promise.all(Array.from({ length: 24 }, () => view.company.get()));
      await sleep(10); // warnings are emitted on the next tick
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((w) => w.startsWith("MaxListenersExceededWarning"))).toEqual([]);
  });

  it("refuses a call whose signal has already fired, sending nothing", async () => {
    const client = await readyClient();
    const before = standin.stats.requests;
    const reason = new Error("run cancelled");
    const err = await within(1000, client.withSignal(AbortSignal.abort(reason)).customers.listAll());
    expect(shape(err)).toEqual(aborted);
    expect((err as PlatformError).cause).toBe(reason);
    expect(standin.stats.requests - before).toBe(0);
  });

  it("stops a call waiting for a slow answer at once, and does not retry it", async () => {
    const client = await readyClient({ timeoutMs: 10_000 });
    standin.knobs.latencyMs = 1500;
    const before = standin.stats.requests;
    const ac = new AbortController();
    const call = client.withSignal(ac.signal).company.get();
    await sleep(100);
    ac.abort("deadline");
    expect(shape(await within(500, call))).toEqual(aborted);
    await sleep(1600);
    expect(standin.stats.requests - before, "requests that reached the stand-in").toBe(1);
  });

  it("ends a retry backoff at once and sends no retry", async () => {
    const ac = new AbortController();
    const client = await readyClient({
      minBackoffMs: 60_000,
      maxBackoffMs: 60_000,
      random: () => 1,
      // A sleep that ignores the signal: the client must not wait for it.
      sleep: (ms) => {
        ac.abort("stop");
        return sleep(ms, undefined, { ref: false });
      },
    });
    standin.knobs.failNext.push({ status: 503, count: 1 });
    const before = standin.stats.requests;
    expect(shape(await within(1000, client.withSignal(ac.signal).company.get()))).toEqual(aborted);
    expect(standin.stats.requests - before).toBe(1);
    expect(client.stats().retries).toBe(1);
  });

  it("takes a call out of the rate-limit queue at once; it never sends", async () => {
    const client = await readyClient({
      limits: { bucket: new TokenBucket({ requestsPerSecond: 2, burst: 1 }), concurrency: pLimit(8) },
    });
    const before = standin.stats.requests;
    const ac = new AbortController();
    const queued = client.withSignal(ac.signal).company.get();
    await sleep(50);
    ac.abort("stop");
    expect(shape(await within(200, queued))).toEqual(aborted);
    await sleep(700);
    expect(standin.stats.requests - before).toBe(0);
  });

  it("takes a call out of the concurrency queue at once; it never sends", async () => {
    const client = await readyClient({
      limits: {
        bucket: new TokenBucket({ requestsPerSecond: 10_000, burst: 10_000 }),
        concurrency: pLimit(1),
      },
    });
    standin.knobs.latencyMs = 400;
    const before = standin.stats.requests;
    const first = client.company.get();
    const ac = new AbortController();
    const second = client.withSignal(ac.signal).company.get();
    await sleep(50);
    ac.abort("stop");
    expect(shape(await within(200, second))).toEqual(aborted);
    await first;
    await sleep(100);
    expect(standin.stats.requests - before, "the first call only").toBe(1);
  });

  it("stops a list between pages", async () => {
    const client = await readyClient({ pageSize: 1 });
    for (const code of ["ABRT1", "ABRT2"]) {
      await client.customers.create({
        businessName: `Abort ${code}`,
        customerCode: code,
        vatNumber: "01234567897",
        fiscalCode: "01234567897",
      });
    }
    const ac = new AbortController();
    const seen: string[] = [];
    const err = await (async () => {
      try {
        for await (const c of client.withSignal(ac.signal).customers.list()) {
          seen.push(c.id);
          ac.abort("enough");
        }
      } catch (e) {
        return e;
      }
    })();
    expect(shape(err)).toEqual(aborted);
    expect(seen).toHaveLength(1);
  });

  it("is a view: same counters, and a view of a view fires on either signal", async () => {
    const client = await readyClient();
    const outer = new AbortController();
    const inner = new AbortController();
    const view = client.withSignal(outer.signal).withSignal(inner.signal);
    const callsBefore = client.stats().calls;
    await view.company.get();
    expect(client.stats().calls - callsBefore).toBe(1);
    expect(view.stats()).toEqual(client.stats());
    outer.abort("outer");
    expect(shape(await within(1000, view.company.get()))).toEqual(aborted);
    expect(shape(await within(1000, client.withSignal(inner.signal).company.get()))).not.toEqual(aborted);
  });
});

describe("raceAbort", () => {
  it("rejects with the reason when the signal fires first, else settles as the promise does", async () => {
    const ac = new AbortController();
    const slow = raceAbort(sleep(10_000, undefined, { ref: false }), ac.signal);
    ac.abort("r");
    await expect(slow).rejects.toBe("r");
    await expect(raceAbort(Promise.resolve(1), new AbortController().signal)).resolves.toBe(1);
    await expect(raceAbort(Promise.reject(new Error("e")), new AbortController().signal)).rejects.toThrow(
      "e",
    );
    await expect(raceAbort(Promise.resolve(1), AbortSignal.abort("gone"))).rejects.toBe("gone");
  });
});
