import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { Lease } from "../../model/status.js";
import { MemoryReconcileStore } from "../../test-support/memory-store.js";
import { describeError, EngineError } from "../errors.js";
import { errLeaseHeld, errLeaseLost, holderIsGone, leaseHolder, withLeases } from "./leases.js";
import { RetryLaterError } from "./outcome.js";

const t0 = Date.parse("2026-01-01T00:00:00Z");
const lease = (tenant: string, holder: string, expiresAt: number): Lease => ({
  tenant,
  holder,
  acquiredAt: new Date(t0),
  expiresAt: new Date(expiresAt),
});

/** Waits until `signal` fires (at most `ms`), then returns its reason, or "not aborted". */
async function abortedWithin(signal: AbortSignal, ms: number): Promise<unknown> {
  for (let waited = 0; waited < ms && !signal.aborted; waited += 5) await sleep(5);
  return signal.aborted ? signal.reason : "not aborted";
}

describe("holderIsGone", () => {
  const running = (pid: number) => pid === 1000;
  it.each([
    ["a dead process of this host", "here/4242/run", true],
    ["a live process of this host", "here/1000/run", false],
    ["a process of another host", "there/4242/run", false],
    ["this very process", `here/${process.pid}/run`, false],
    ["a holder in another format", "some-run-id", false],
  ])("says %s is %s", (_case, holder, want) => {
    expect(holderIsGone(holder, "here", running)).toBe(want);
  });
});

describe("withLeases", () => {
  it("holds every tenant's lease while the body runs and releases them after", async () => {
    const store = new MemoryReconcileStore();
    const holder = leaseHolder("r1");
    const seen = await withLeases(store, ["B", "A", "B"], holder, async () =>
      [...store.leases.entries()].map(([t, l]) => [t, l.holder]).sort(),
    );
    expect(seen).toEqual([
      ["A", holder],
      ["B", holder],
    ]);
    expect(store.leases.size).toBe(0);
  });

  it("refuses when a live run holds a tenant with a retry until its lease expires, releasing what it took", async () => {
    const now = () => t0;
    const store = new MemoryReconcileStore({ now });
    store.leases.set("B", lease("B", "elsewhere/1/other-run", t0 + 30_000));
    let ran = false;
    const got = await withLeases(
      store,
      ["A", "B"],
      leaseHolder("r2"),
      async () => {
        ran = true;
      },
      { now },
    ).catch((err: unknown) => err);
    expect(got).toBeInstanceOf(RetryLaterError);
    expect((got as RetryLaterError).message).toContain(`${errLeaseHeld}: B (held by elsewhere/1/other-run`);
    expect((got as RetryLaterError).delayMs, "ms until the holder's lease expires").toBe(30_000);
    expect(ran, "the body ran").toBe(false);
    expect([...store.leases.keys()]).toEqual(["B"]);
  });

  it("takes over the lease of a killed process of this host, and ends its run as interrupted", async () => {
    const store = new MemoryReconcileStore();
    const dead = leaseHolder("killed-run", undefined, 2 ** 22 + 7);
    await store.startRun({ id: "killed-run", mode: "apply", source: "s", tenants: ["A"], holder: dead });
    await store.startRun({
      id: "live-run",
      mode: "plan",
      source: "s",
      tenants: ["B"],
      holder: leaseHolder("live-run"),
    });
    store.leases.set("A", lease("A", dead, Date.now() + 60_000));
    const ran = await withLeases(store, ["A"], leaseHolder("r3"), async () => store.leases.get("A")?.holder);
    expect(ran).toBe(leaseHolder("r3"));
    expect(store.runs.map((r) => [r.id, r.outcome])).toEqual([
      ["killed-run", "interrupted"],
      ["live-run", null],
    ]);
  });

  it("stops the body when the store says its run is over (marked interrupted elsewhere)", async () => {
    const store = new MemoryReconcileStore();
    await store.startRun({ id: "r5", mode: "apply", source: "s", tenants: ["A"] });
    await store.finishRun({ id: "r5", outcome: "interrupted" });
    const reason = await withLeases(
      store,
      ["A"],
      leaseHolder("r5"),
      (signal) => abortedWithin(signal, 2_000),
      {
        ttlMs: 30,
        runId: "r5",
      },
    );
    expect(String(reason)).toContain(`${errLeaseLost}: run r5 was ended by another process`);
  });

  it.each([
    ["resolves false (another holder took it)", "held by another run now", async () => false],
    [
      "throws (the store is down)",
      "connection refused",
      async (): Promise<boolean> => {
        throw new Error("connection refused");
      },
    ],
  ])(
    "aborts the body's signal with errLeaseLost, saying why once, when a renewal %s",
    async (_case, why, renew) => {
      const store = new MemoryReconcileStore();
      store.renewLease = renew;
      const reason = await withLeases(
        store,
        ["A"],
        leaseHolder("r4"),
        (signal) => abortedWithin(signal, 2_000),
        {
          ttlMs: 30,
        },
      );
      expect(reason).toBeInstanceOf(EngineError);
      expect((reason as EngineError).text).toBe(errLeaseLost);
      expect(describeError(reason)).toBe(`${errLeaseLost}: A: ${why}`);
      expect(store.leases.size, "the lease is released after the body").toBe(0);
    },
  );

  it("keeps the body's signal quiet while renewals succeed", async () => {
    const store = new MemoryReconcileStore();
    let renewals = 0;
    const renew = store.renewLease.bind(store);
    store.renewLease = (...args) => {
      renewals++;
      return renew(...args);
    };
    const reason = await withLeases(store, ["A"], leaseHolder("r5"), (signal) => abortedWithin(signal, 150), {
      ttlMs: 30,
    });
    expect(reason).toBe("not aborted");
    expect(renewals, "renewed every third of the ttl").toBeGreaterThanOrEqual(2);
  });

  it("aborts the body's signal with the caller's reason when the caller's signal fires", async () => {
    const store = new MemoryReconcileStore();
    const caller = new AbortController();
    const reason = await withLeases(
      store,
      ["A"],
      leaseHolder("r6"),
      async (signal) => {
        caller.abort(new Error("shutting down"));
        return signal.aborted ? (signal.reason as Error).message : "not aborted";
      },
      { signal: caller.signal },
    );
    expect(reason).toBe("shutting down");
  });
});
