/**
 * What `reconcileTenant` tells a scheduler, case by case, against the real stand-in
 * (faults injected through its knobs) and an in-memory store that shows every write;
 * and `failureOutcome`'s rules one by one.
 */
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errAborted } from "../../../platform/client/errors.js";
import { OmniaClient, PlatformError } from "../../../platform/client/index.js";
import { defaultKnobs } from "../../../platform/standin/knobs.js";
import type { Problem } from "../../load/index.js";
import { MemorySource } from "../../sources/memory.js";
import { testSecrets } from "../../test-support/fakes.js";
import { MemoryReconcileStore } from "../../test-support/memory-store.js";
import { type WorldShape, worldOf, worldSource } from "../../test-support/random-world.js";
import { type EngineStandin, startEngineStandin } from "../../test-support/standin.js";
import { watchingClient } from "../../test-support/watching-client.js";
import type { PlatformPort } from "../adapters/platform-port.js";
import { EngineError, errApplyCancelled, errDependencyFailed, TerminalError } from "../errors.js";
import type { ReconcileOptions } from "./deps.js";
import { errLeaseHeld, errLeaseLost } from "./leases.js";
import {
  defaultRetryDelayMs,
  errAuth,
  errCancelled,
  errLoad,
  errRateLimited,
  errRefused,
  errUnavailable,
  failureOutcome,
  LoadError,
  maxRetryDelayMs,
  RetryLaterError,
} from "./outcome.js";
import { reconcileTenant } from "./reconcile-tenant.js";

let e: EngineStandin;
beforeAll(async () => {
  e = await startEngineStandin();
});
afterAll(() => e.close());
beforeEach(() => {
  Object.assign(e.standin.knobs, defaultKnobs());
});

const logger = pino({ level: "silent" });

/** A tenant, a PBX and four extensions: six creates, one after another at parallelism 1. */
const shape: WorldShape = {
  users: [],
  pbxs: [{ callCenter: false, hotel: false, suspended: false }],
  numbers: [],
  extensions: [200, 201, 202, 203].map((number) => ({
    pbx: 0,
    number,
    license: "start" as const,
    suspended: false,
  })),
};

let serial = 600;
/** A fresh world (its own tenant code) as an in-memory source. */
function freshWorld() {
  const n = serial++;
  const world = worldOf(shape, `OC${n}`, n);
  return { tenant: world.tenant, source: worldSource(world) };
}

function deps(store: MemoryReconcileStore, client: PlatformPort = e.client, options: ReconcileOptions = {}) {
  return { client, store, logger, secrets: testSecrets, options };
}

/** Everything the store was asked to write, in one list (runs, steps, inventory, leases). */
const storeWrites = (store: MemoryReconcileStore) => ({
  runs: store.runs.length,
  events: store.events.length,
  inventory: store.inventory.size,
  leases: store.leases.size,
});

describe("reconcileTenant outcomes", () => {
  it("gives terminal with the problems for a source with manifest errors, and writes nothing", async () => {
    const source = new MemorySource({
      "tenants/bad.yaml":
        "apiVersion: omnia.kalliope.io/v1\nkind: Extension\nmetadata:\n  name: x\nspec: {}\n",
    });
    const store = new MemoryReconcileStore();
    const requests = e.standin.stats.requests;
    const out = await reconcileTenant({ source, tenant: "OCBAD" }, deps(store));
    if (out.status !== "terminal") throw new Error(`want terminal, got ${out.status}`);
    expect(out.reason).toContain(errLoad);
    expect(out.problems?.length, "problems").toBeGreaterThan(0);
    expect(
      out.problems?.every((p) => p.file === "/tenants/bad.yaml"),
      JSON.stringify(out.problems),
    ).toBe(true);
    expect(e.standin.stats.requests - requests, "platform calls").toBe(0);
    expect(storeWrites(store)).toEqual({ runs: 0, events: 0, inventory: 0, leases: 0 });
  });

  it("gives terminal when the platform refuses the password (401)", async () => {
    const wrong = new OmniaClient({ ...e.standin.settings, password: "wrong-password" }, { maxRetries: 0 });
    try {
      const { tenant, source } = freshWorld();
      const store = new MemoryReconcileStore();
      const out = await reconcileTenant({ source, tenant }, deps(store, wrong));
      expect(out.status, out.status === "done" ? "" : out.reason).toBe("terminal");
      if (out.status === "done") return;
      expect(out.reason.startsWith(`${errAuth}: `), out.reason).toBe(true);
      expect(store.inventory.size, "inventory entries").toBe(0);
      expect(store.runs.map((r) => r.outcome)).toEqual(["failed"]);
    } finally {
      await wrong.close();
    }
  });

  it("gives retry with a delay when the platform answers a burst of 503s", async () => {
    e.standin.knobs.failNext.push({ status: 503, count: 10 });
    const { tenant, source } = freshWorld();
    const store = new MemoryReconcileStore();
    const out = await reconcileTenant({ source, tenant }, deps(store));
    if (out.status !== "retry") throw new Error(`want retry, got ${out.status}`);
    expect(out.reason).toContain(errUnavailable);
    expect(out.delayMs, "no Retry-After: the default delay").toBe(defaultRetryDelayMs);
    expect(store.inventory.size, "inventory entries").toBe(0);
  });

  it("gives retry after the Retry-After of a 429, to the millisecond", async () => {
    // Longer than the client waits by itself (maxRetryAfterMs, 60 s): the caller gets the 429.
    e.standin.knobs.failNext.push({ status: 429, count: 1, retryAfterSec: 90 });
    const { tenant, source } = freshWorld();
    const out = await reconcileTenant({ source, tenant }, deps(new MemoryReconcileStore()));
    if (out.status !== "retry") throw new Error(`want retry, got ${out.status}`);
    expect(out.reason).toContain(errRateLimited);
    expect(out.delayMs).toBe(90_000);
  });

  it("stops before its next platform write when a lease renewal fails mid-apply, and gives retry", async () => {
    const events: string[] = [];
    class LosingStore extends MemoryReconcileStore {
      // The renewal fails once the first platform write has started.
      override async renewLease(tenant: string, holder: string, ttlMs: number): Promise<boolean> {
        if (!events.some((x) => x.startsWith("write"))) return super.renewLease(tenant, holder, ttlMs);
        events.push("renewal failed");
        return false;
      }
    }
    e.standin.knobs.latencyMs = 40; // each write outlasts a renewal period (20 ms)
    const { tenant, source } = freshWorld();
    const store = new LosingStore();
    const client = watchingClient(e.client, (verb) => events.push(`write ${verb}`));
    const out = await reconcileTenant(
      { source, tenant },
      deps(store, client, { leaseTtlMs: 60, parallelism: 1 }),
    );
    const lost = events.indexOf("renewal failed");
    expect(lost, `renewal failed during the apply: ${events.join(", ")}`).toBeGreaterThan(0);
    expect(
      events.slice(lost).filter((x) => x.startsWith("write")),
      "platform writes started after the failed renewal",
    ).toEqual([]);
    if (out.status !== "retry") throw new Error(`want retry, got ${out.status}`);
    expect(out.reason).toContain(errLeaseLost);
    const steps = out.result?.executed?.applied.steps ?? [];
    const undone = steps.filter((s) => s.outcome !== "ok");
    expect(undone.length, "steps left undone").toBeGreaterThan(0);
    // The call in flight when the lease was lost is aborted; no later step starts: each
    // names the lost lease, or the aborted step it depends on.
    for (const s of undone)
      expect(`${s.outcome} ${s.error}`, s.key).toMatch(
        new RegExp(
          `^(failed .*${errAborted}|skipped ${errApplyCancelled}: ${errLeaseLost}|skipped ${errDependencyFailed})`,
        ),
      );
    expect(store.runs.map((r) => r.outcome)).toEqual(["cancelled"]);
  });

  it("gives retry until the lease's expiry when a live run holds the tenant, and writes nothing", async () => {
    const t0 = Date.parse("2026-03-01T12:00:00Z");
    const now = () => t0;
    const { tenant, source } = freshWorld();
    const store = new MemoryReconcileStore({ now });
    const holder = "another-host/4242/run-elsewhere";
    store.leases.set(tenant, { tenant, holder, acquiredAt: new Date(t0), expiresAt: new Date(t0 + 45_000) });
    const requests = e.standin.stats.requests;
    const out = await reconcileTenant({ source, tenant }, deps(store, e.client, { now }));
    if (out.status !== "retry") throw new Error(`want retry, got ${out.status}`);
    expect(out.reason).toContain(`${errLeaseHeld}: ${tenant} (held by ${holder}`);
    expect(out.delayMs, "ms until the holder's lease expires").toBe(45_000);
    expect(e.standin.stats.requests - requests, "platform calls").toBe(0);
    expect(store.runs).toEqual([]);
    expect(store.leases.get(tenant)?.holder, "the holder keeps its lease").toBe(holder);
  });

  it("aborts the call in flight and starts no step when its AbortSignal fires mid-apply, and gives retry at once", async () => {
    const events: string[] = [];
    const stop = new AbortController();
    e.standin.knobs.latencyMs = 40;
    const client = watchingClient(e.client, (verb) => {
      events.push(`write ${verb}`);
      // Fired while the first write is in flight.
      if (events.length === 1)
        setTimeout(() => {
          events.push("aborted");
          stop.abort(new Error("shutting down"));
        }, 10);
    });
    const { tenant, source } = freshWorld();
    const store = new MemoryReconcileStore();
    const out = await reconcileTenant(
      { source, tenant },
      deps(store, client, { parallelism: 1 }),
      stop.signal,
    );
    const aborted = events.indexOf("aborted");
    expect(aborted, events.join(", ")).toBeGreaterThan(0);
    expect(
      events.slice(aborted).filter((x) => x.startsWith("write")),
      "writes after the abort",
    ).toEqual([]);
    if (out.status !== "retry") throw new Error(`want retry, got ${out.status}`);
    expect(out.delayMs).toBe(0);
    expect(out.reason).toContain(errCancelled);
    const steps = out.result?.executed?.applied.steps ?? [];
    // The write in flight is aborted (the client is bound to the signal); nothing after it starts.
    expect(`${steps[0]?.outcome} ${steps[0]?.error}`).toMatch(new RegExp(`^failed .*${errAborted}`));
    const rest = steps.slice(1);
    expect(rest.length, "steps not started").toBeGreaterThan(0);
    for (const s of rest)
      expect(`${s.outcome} ${s.error}`, s.key).toMatch(
        new RegExp(`^skipped (${errApplyCancelled}: shutting down|${errDependencyFailed})`),
      );
    expect(store.runs.map((r) => r.outcome)).toEqual(["cancelled"]);
  });
});

const platformError = (status: number, extra: { retryAfterMs?: number; code?: string } = {}) =>
  new PlatformError({
    message: `answer ${status}`,
    status,
    code: extra.code ?? "x",
    route: "GET /rest/customers",
    retryAfterMs: extra.retryAfterMs,
  });
const abortError = () => {
  const c = new AbortController();
  c.abort();
  return c.signal.reason as Error;
};
const problem: Problem = { file: "/a.yaml", line: 1, col: 1, message: "bad", code: "yaml-syntax" };

describe("failureOutcome", () => {
  it.each<{ name: string; err: unknown; status: "retry" | "terminal"; delayMs?: number; reason: string }>([
    { name: "manifest problems", err: new LoadError([problem]), status: "terminal", reason: errLoad },
    {
      name: "manifest problems wrapped in another error",
      err: new EngineError("outer", "x", { cause: new LoadError([problem]) }),
      status: "terminal",
      reason: errLoad,
    },
    { name: "an AbortSignal's error", err: abortError(), status: "retry", delayMs: 0, reason: "aborted" },
    {
      name: "the run cancelled",
      err: new EngineError(errCancelled, "shutdown"),
      status: "retry",
      delayMs: 0,
      reason: errCancelled,
    },
    {
      name: "a lost lease",
      err: new EngineError(errLeaseLost, "A: held by another run now"),
      status: "retry",
      delayMs: defaultRetryDelayMs,
      reason: errLeaseLost,
    },
    {
      name: "the client's aborted call",
      err: platformError(0, { code: "aborted" }),
      status: "retry",
      delayMs: 0,
      reason: "answer 0",
    },
    { name: "401", err: platformError(401), status: "terminal", reason: errAuth },
    { name: "403", err: platformError(403), status: "terminal", reason: errAuth },
    {
      name: "401 wrapped in an engine error",
      err: new EngineError("observe", "x", { cause: platformError(401) }),
      status: "terminal",
      reason: errAuth,
    },
    {
      name: "429 with Retry-After",
      err: platformError(429, { retryAfterMs: 7_000 }),
      status: "retry",
      delayMs: 7_000,
      reason: errRateLimited,
    },
    {
      name: "429 without Retry-After",
      err: platformError(429),
      status: "retry",
      delayMs: defaultRetryDelayMs,
      reason: errRateLimited,
    },
    {
      name: "429 with a Retry-After past the cap",
      err: platformError(429, { retryAfterMs: 3_600_000 }),
      status: "retry",
      delayMs: maxRetryDelayMs,
      reason: errRateLimited,
    },
    {
      name: "503 without Retry-After",
      err: platformError(503),
      status: "retry",
      delayMs: defaultRetryDelayMs,
      reason: errUnavailable,
    },
    {
      name: "503 with Retry-After",
      err: platformError(503, { retryAfterMs: 2_000 }),
      status: "retry",
      delayMs: 2_000,
      reason: errUnavailable,
    },
    {
      name: "a timeout (no answer)",
      err: platformError(0, { code: "timeout" }),
      status: "retry",
      delayMs: defaultRetryDelayMs,
      reason: errUnavailable,
    },
    { name: "422", err: platformError(422), status: "terminal", reason: errRefused },
    { name: "404", err: platformError(404), status: "terminal", reason: errRefused },
    { name: "a TerminalError", err: new TerminalError("bad email"), status: "terminal", reason: "bad email" },
    {
      name: "a RetryLaterError",
      err: new RetryLaterError(errLeaseHeld, "A", 1_234),
      status: "retry",
      delayMs: 1_234,
      reason: errLeaseHeld,
    },
    {
      name: "a RetryLaterError past the cap",
      err: new RetryLaterError(errLeaseHeld, "A", 10 ** 9),
      status: "retry",
      delayMs: maxRetryDelayMs,
      reason: errLeaseHeld,
    },
    {
      name: "a RetryLaterError in the past",
      err: new RetryLaterError(errLeaseHeld, "A", -50),
      status: "retry",
      delayMs: 0,
      reason: errLeaseHeld,
    },
    {
      name: "anything else (a store outage)",
      err: new Error("connection refused"),
      status: "retry",
      delayMs: defaultRetryDelayMs,
      reason: "connection refused",
    },
  ])("classifies $name as $status", ({ err, status, delayMs, reason }) => {
    const got = failureOutcome(err, "partial result");
    expect({ status: got.status, delayMs: got.status === "retry" ? got.delayMs : undefined }).toEqual({
      status,
      delayMs,
    });
    expect(got.reason).toContain(reason);
    expect(got.error).toBe(err);
    expect(got.result, "the partial result is kept").toBe("partial result");
  });

  it("carries the problems of manifest errors", () => {
    const got = failureOutcome(new LoadError([problem]));
    expect(got.status === "terminal" ? got.problems : undefined).toEqual([problem]);
  });
});
