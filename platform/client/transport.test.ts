import pLimit, { type LimitFunction } from "p-limit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestStandin, type TestStandin, testClientOptions } from "../standin/testing.js";
import { OmniaClient, type PlatformError, retryAfterOf } from "./index.js";
import { TokenBucket } from "./rate-limit.js";
import { type ClientOptions, limitsKey, sharedLimits } from "./transport.js";

let standin: TestStandin;
let seq = 0;
const clients: OmniaClient[] = [];

beforeAll(async () => {
  standin = await startTestStandin();
});
afterEach(() => {
  Object.assign(standin.knobs, { failNext: [], resetNext: 0, latencyMs: 0, errorRates: {} });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await standin.close();
  expect(standin.violations, "responses that broke the contract").toEqual([]);
});

/**
 * A client whose sleeps are recorded and instant, with jitter fixed at one half. Its salt
 * is fetched first, so injected faults hit the calls under test, not the salt.
 */
async function recordingClient(options: ClientOptions = {}) {
  const sleeps: number[] = [];
  const client = new OmniaClient(standin.settings, {
    ...testClientOptions,
    minBackoffMs: 100,
    maxBackoffMs: 10_000,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  clients.push(client);
  await client.company.get();
  sleeps.length = 0;
  return { client, sleeps };
}

const newCustomer = () => {
  seq++;
  return {
    businessName: `Retry ${seq}`,
    customerCode: `RTY${seq}`,
    vatNumber: "01234567897",
    fiscalCode: "01234567897",
  };
};

async function failure(p: Promise<unknown>): Promise<PlatformError> {
  try {
    await p;
  } catch (err) {
    return err as PlatformError;
  }
  throw new Error("want a PlatformError, got success");
}

describe("retries", () => {
  it("retries a 503 burst with exponential backoff and full jitter", async () => {
    const { client, sleeps } = await recordingClient();
    standin.knobs.failNext.push({ status: 503, count: 3 });
    expect((await client.company.get()).domain).toBe("demo");
    // random() = 0.5 of a cap of 100, 200, 400 ms.
    expect(sleeps).toEqual([50, 100, 200]);
    expect(client.stats()).toMatchObject({ calls: 2, requests: 5, retries: 3, failures: 0 });
  });

  it("honours Retry-After: 2 on a 429 instead of its own backoff", async () => {
    const { client, sleeps } = await recordingClient();
    standin.knobs.failNext.push({ status: 429, count: 1, retryAfterSec: 2 });
    await client.company.get();
    expect(sleeps).toEqual([2000]);
    expect(client.stats()).toMatchObject({ retries: 1, rateLimited: 1 });
  });

  it("leaves a Retry-After beyond maxRetryAfterMs to the caller", async () => {
    const { client, sleeps } = await recordingClient({ maxRetryAfterMs: 5_000 });
    standin.knobs.failNext.push({ status: 503, count: 1, retryAfterSec: 3600 });
    const err = await failure(client.company.get());
    expect({ status: err.status, retryable: err.retryable, retryAfterMs: err.retryAfterMs }).toEqual({
      status: 503,
      retryable: true,
      retryAfterMs: 3_600_000,
    });
    expect(sleeps).toEqual([]);
  });

  it("gives up after maxRetries with a retryable error", async () => {
    const { client } = await recordingClient({ maxRetries: 2 });
    standin.knobs.failNext.push({ status: 503, count: 10 });
    const err = await failure(client.company.get());
    expect({ status: err.status, code: err.code, retryable: err.retryable }).toEqual({
      status: 503,
      code: "unavailable",
      retryable: true,
    });
    expect(client.stats()).toMatchObject({ requests: 4, retries: 2, failures: 1 });
  });

  it("does not retry a terminal 4xx", async () => {
    const { client, sleeps } = await recordingClient();
    const err = await failure(client.customers.get("cus_999999"));
    expect({ status: err.status, code: err.code, retryable: err.retryable }).toEqual({
      status: 404,
      code: "not_found",
      retryable: false,
    });
    expect(sleeps).toEqual([]);
  });

  it("retries a timeout", async () => {
    const { client } = await recordingClient({ timeoutMs: 100, maxRetries: 1 });
    await client.company.get();
    standin.knobs.latencyMs = 400;
    const err = await failure(client.company.get());
    expect({ code: err.code, retryable: err.retryable, status: err.status }).toEqual({
      code: "timeout",
      retryable: true,
      status: 0,
    });
    expect(client.stats().retries).toBe(1);
  });
});

describe("error facts after retries are exhausted", () => {
  it.each([
    // [status, Retry-After (s), want retryable, want retryAfterMs, want attempts]
    [401, undefined, false, undefined, 1],
    [403, undefined, false, undefined, 1],
    [400, undefined, false, undefined, 1],
    [500, undefined, true, undefined, 3],
    [502, undefined, true, undefined, 3],
    [503, undefined, true, undefined, 3],
    [503, 1, true, 1000, 3],
    [504, undefined, true, undefined, 3],
    [429, 2, true, 2000, 3],
  ])(
    "HTTP %d (Retry-After %s) gives retryable=%s, retryAfterMs=%s after %d attempts",
    async (status, retryAfterSec, retryable, retryAfterMs, attempts) => {
      const { client } = await recordingClient({ maxRetries: 2 });
      standin.knobs.failNext.push({ status, count: 10, ...(retryAfterSec ? { retryAfterSec } : {}) });
      const before = client.stats().requests;
      const err = await failure(client.company.get());
      expect({ status: err.status, retryable: err.retryable, retryAfterMs: err.retryAfterMs }).toEqual({
        status,
        retryable,
        retryAfterMs,
      });
      expect(client.stats().requests - before, "attempts").toBe(attempts);
    },
  );

  it("carries the Retry-After of the stand-in's own rate limit when it is too long to wait", async () => {
    const { client, sleeps } = await recordingClient({ maxRetryAfterMs: 5_000 });
    standin.knobs.rateLimit = { requestsPerSecond: 0.01, burst: 1 };
    try {
      await client.company.get().catch(() => {});
      const err = await failure(client.company.get());
      expect({ status: err.status, retryable: err.retryable }).toEqual({ status: 429, retryable: true });
      expect(err.retryAfterMs).toBeGreaterThan(5_000);
      expect(retryAfterOf(new Error("wrapped", { cause: err }))).toBe(err.retryAfterMs);
      expect(sleeps).toEqual([]);
    } finally {
      standin.knobs.rateLimit = null;
    }
  });
});

describe("writes under a reset mid-body", () => {
  it("retries with the same Idempotency-Key and a fresh nonce, writing once", async () => {
    const { client } = await recordingClient();
    const input = newCustomer();
    const repliesBefore = standin.stats.idempotentReplays;
    standin.knobs.resetNext = 1;
    const created = await client.customers.create(input);
    expect(created.customerCode).toBe(input.customerCode);
    const same = (await client.customers.listAll({ q: input.customerCode })).filter(
      (c) => c.customerCode === input.customerCode,
    );
    expect(
      same.map((c) => c.id),
      "customers with the code",
    ).toEqual([created.id]);
    const logged = (await client.logs.adminAll({ customerId: created.id })).filter(
      (l) => l.operation === "customer.created",
    );
    expect(logged, "customer.created entries").toHaveLength(1);
    expect(standin.stats.idempotentReplays - repliesBefore).toBe(1);
    expect(client.stats().retries).toBe(1);
  });

  it("does not blindly resend a write without an idempotency key", async () => {
    const { client } = await recordingClient({ idempotencyKeys: false });
    await client.company.get();
    const input = newCustomer();
    standin.knobs.resetNext = 1;
    const err = await failure(client.customers.create(input));
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: "network", retryable: true });
    expect(client.stats().retries).toBe(0);
    const same = (await client.customers.listAll({ q: input.customerCode })).filter(
      (c) => c.customerCode === input.customerCode,
    );
    expect(same, "the write happened once; the caller re-checks by natural key").toHaveLength(1);
  });

  it("replays a delete's 204 after the connection dropped, instead of answering 404", async () => {
    const { client } = await recordingClient();
    const c = await client.customers.create(newCustomer());
    const before = { resets: standin.stats.resets, replays: standin.stats.idempotentReplays };
    standin.knobs.resetNext = 1;
    await expect(client.customers.delete(c.id)).resolves.toBeUndefined();
    expect({
      resets: standin.stats.resets - before.resets,
      replays: standin.stats.idempotentReplays - before.replays,
      retries: client.stats().retries,
    }).toEqual({ resets: 1, replays: 1, retries: 1 });
  });
});

describe("observability", () => {
  it("reports every answered attempt with its route, status and the platform's request id", async () => {
    const events: { route: string; status: number; requestId: string | undefined }[] = [];
    const { client } = await recordingClient({
      onResponse: ({ route, status, requestId }) => events.push({ route, status, requestId }),
    });
    standin.knobs.failNext.push({ status: 503, count: 1 });
    await client.company.get();
    expect(events.slice(-2).map((e) => [e.route, e.status])).toEqual([
      ["GET /rest/company", 503],
      ["GET /rest/company", 200],
    ]);
    expect(events.at(-1)?.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("limits", () => {
  it("shares one limiter between the clients of an account with the same limits", () => {
    const settings = { baseUrl: "http://127.0.0.1:1", domain: "d", username: "u", password: "p" };
    const limits = { requestsPerSecond: 5, burst: 5, concurrency: 2 };
    const a = sharedLimits(limitsKey(settings, limits), limits);
    expect(sharedLimits(limitsKey({ ...settings, password: "other" }, limits), limits)).toBe(a);
    expect(
      sharedLimits(limitsKey(settings, { ...limits, concurrency: 3 }), { ...limits, concurrency: 3 }),
    ).not.toBe(a);
    expect(sharedLimits(limitsKey({ ...settings, domain: "e" }, limits), limits)).not.toBe(a);
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    // The limiter is p-limit(2), wrapped to count what runs inside it at once.
    const inner = pLimit(2);
    let active = 0;
    let peak = 0;
    const counted = (<T>(fn: () => Promise<T>) =>
      inner(async () => {
        active++;
        peak = Math.max(peak, active);
        try {
          return await fn();
        } finally {
          active--;
        }
      })) as unknown as LimitFunction;
    const limits = {
      bucket: new TokenBucket({ requestsPerSecond: 10_000, burst: 10_000 }),
      concurrency: counted,
    };
    const { client } = await recordingClient({ limits });
    standin.knobs.latencyMs = 30;
    await Promise.all(Array.from({ length: 6 }, () => client.company.get()));
    expect(peak).toBe(2);
  });
});

describe("rate limit", () => {
  /** A bucket that notes every take, and a concurrency limit that notes entering and leaving. */
  function tracedLimits(trace: string[]) {
    class TracedBucket extends TokenBucket {
      override take(signal?: AbortSignal): Promise<number> {
        trace.push("take");
        return super.take(signal);
      }
    }
    const inner = pLimit(1);
    const concurrency = (<T>(fn: () => Promise<T>) =>
      inner(async () => {
        trace.push("enter");
        try {
          return await fn();
        } finally {
          trace.push("leave");
        }
      })) as unknown as LimitFunction;
    return { bucket: new TracedBucket({ requestsPerSecond: 10_000, burst: 10_000 }), concurrency };
  }

  it("takes a slot for every attempt, retries included, inside the concurrency slot", async () => {
    const trace: string[] = [];
    const { client } = await recordingClient({ limits: tracedLimits(trace) });
    trace.length = 0;
    standin.knobs.failNext.push({ status: 503, count: 2 });
    await client.company.get();
    expect(trace).toEqual(["enter", "take", "leave", "enter", "take", "leave", "enter", "take", "leave"]);
  });

  it("puts the salt request under the rate limit too", async () => {
    const trace: string[] = [];
    const client = new OmniaClient(standin.settings, { ...testClientOptions, limits: tracedLimits(trace) });
    clients.push(client);
    await client.company.get();
    expect(trace).toEqual(["enter", "take", "take", "leave"]);
  });
});

describe("paging", () => {
  it("iterates 5,000 extensions in pages of 500", async () => {
    const { client } = await recordingClient();
    const c = await client.customers.create(newCustomer());
    const pbx = await client.pbxs(c.id).create({ name: "big", kind: "single" });
    const now = new Date().toISOString();
    for (let i = 0; i < 5000; i++) {
      const id = standin.state.newId("extensions");
      standin.state.extensions.set(id, {
        id,
        customerId: c.id,
        pbxId: pbx.id,
        number: String(10000 + i),
        license: i % 2 ? "plus" : "start",
        meetingId: i % 2 ? "A".repeat(42) : null,
        userId: null,
        pinHash: "x",
        status: "active",
        createdAt: now,
      });
    }
    const before = client.stats().requests;
    const numbers = new Set<string>();
    for await (const e of client.extensions(c.id).list({ sort: "number" })) numbers.add(e.number);
    expect(numbers.size).toBe(5000);
    expect(client.stats().requests - before, "pages").toBe(10);
  });
});
