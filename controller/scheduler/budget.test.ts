import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { windowMs } from "../../platform/client/rate-limit.js";
import { done, type Harness, harness } from "../test-support/scheduler-harness.js";
import { AccountBudgets, accountKey, replicaShare } from "./budget.js";

/** Largest count of times in any half-open window `[t, t + 1 s)`. */
function busiestWindow(times: number[]): number {
  const s = [...times].sort((a, b) => a - b);
  let most = 0;
  let j = 0;
  for (let i = 0; i < s.length; i++) {
    while ((s[i] as number) - (s[j] as number) >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

const account = { url: "https://omnia.test/", domain: "d", username: "u", password: { fromEnv: "PW" } };

describe("replicaShare", () => {
  it.each([
    [20, 1, 20],
    [10, 2, 5],
    [50, 3, 16],
    [1, 3, 1 / 3],
    [20, 0, 20],
  ])("%d req/s over %d replica(s): %d each", (rate, replicas, want) => {
    expect(replicaShare(rate, replicas)).toBeCloseTo(want, 10);
  });

  it("the replicas' shares never add up to more than the account's limit (whole shares)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 50 }), (rate, n) => {
        const share = replicaShare(rate, n);
        // Below 1 req/s a share is a pace (one call every n/rate s), not a window count.
        if (share >= 1) expect(Math.ceil(share) * n).toBeLessThanOrEqual(rate);
        else expect(share * n).toBeCloseTo(rate, 10);
      }),
    );
  });
});

describe("AccountBudgets", () => {
  it("keys an account by URL (trailing slash ignored), domain and user", () => {
    expect(accountKey(account)).toBe(accountKey({ ...account, url: "https://omnia.test" }));
    expect(accountKey(account)).not.toBe(accountKey({ ...account, username: "v" }));
  });

  it("shares one bucket per account and re-divides it when the replicas change", () => {
    const b = new AccountBudgets({ requestsPerSecond: () => 30 });
    const bucket = b.bucketOf(account);
    expect(b.bucketOf({ ...account, url: "https://omnia.test" })).toBe(bucket);
    expect(bucket.requestsPerSecond).toBe(30);
    b.setReplicas(4);
    expect(bucket.requestsPerSecond).toBe(7);
    expect(b.bucketOf({ ...account, domain: "other" }).requestsPerSecond).toBe(7);
  });
});

describe("scheduler: one budget per account, writes first, divided by live replicas", () => {
  let h: Harness | undefined;
  afterEach(async () => h?.scheduler.stop({ graceMs: 0 }));

  it("never exceeds the replica's share, and no drift call goes while an apply call waits", async () => {
    const tenants = ["a1", "a2", "a3", "d1", "d2", "d3"];
    h = harness({ register: false, tenants, concurrency: 6, budget: { requestsPerSecond: () => 10 } });
    const { queue, clock, scheduler, script } = h;
    // A second live replica: this one gets 10 / 2 = 5 req/s.
    await queue.heartbeatReplica("w2", new Date(clock.now()));
    await scheduler.start();
    queue.putSource({ id: "s", partner: "p1" });
    const takes: { mode: string; at: number; appliesWaiting: number }[] = [];
    let appliesWaiting = 0;
    for (const t of tenants) {
      script.set(t, [
        async (r, signal, ctx) => {
          for (let i = 0; i < 10; i++) {
            if (r.mode === "apply") appliesWaiting++;
            await ctx.gate.take(signal);
            if (r.mode === "apply") appliesWaiting--;
            takes.push({ mode: r.mode, at: clock.now(), appliesWaiting });
          }
          return done();
        },
      ]);
    }
    // Drift checks queued first, and claimed in the same batch as the applies.
    for (const t of ["d1", "d2", "d3"])
      await queue.enqueueRequest({ source: "s", tenant: t, mode: "drift", reason: "drift-interval" });
    for (const t of ["a1", "a2", "a3"])
      await queue.enqueueRequest({ source: "s", tenant: t, mode: "apply", reason: "interval" });
    await scheduler.trigger("s", "a1", "manual");
    await clock.advance(20_000);
    expect(takes).toHaveLength(60);
    expect(scheduler.budgets.replicaCount).toBe(2);
    expect(busiestWindow(takes.map((t) => t.at)), "calls in the busiest second").toBeLessThanOrEqual(5);
    const inversions = takes.filter((t) => t.mode === "drift" && t.appliesWaiting > 0);
    expect(inversions, "drift calls released while apply calls waited").toEqual([]);
    // Once the applies queue (right after the drift checks' first burst), they go first.
    const modes = takes.map((t) => t.mode).join(" ");
    expect(modes).toMatch(/^(drift )*(apply ){30}(drift ?)+$/);
    // The full share is used: 60 calls at 5/s take about 12 s.
    expect(Math.max(...takes.map((t) => t.at)) - Math.min(...takes.map((t) => t.at))).toBeLessThan(12_500);
  });

  it("an apply queued while drift checks wait for the budget goes ahead of them", async () => {
    h = harness({
      register: false,
      tenants: ["d1", "a1"],
      concurrency: 2,
      budget: { requestsPerSecond: () => 2, burst: 1 },
    });
    const { queue, clock, scheduler, script } = h;
    await scheduler.start();
    queue.putSource({ id: "s", partner: "p1" });
    const order: string[] = [];
    const calls =
      (n: number) =>
      async (
        r: { mode: string },
        signal: AbortSignal,
        ctx: { gate: { take(s?: AbortSignal): Promise<number> } },
      ) => {
        for (let i = 0; i < n; i++) {
          await ctx.gate.take(signal);
          order.push(r.mode);
        }
        return done();
      };
    script.set("d1", [calls(6)]);
    script.set("a1", [calls(3)]);
    await scheduler.trigger("s", "d1", "manual", "drift");
    await clock.advance(1_200); // drift has taken 3 (burst 1, 2/s: at 0, 500, 1000)
    await scheduler.trigger("s", "a1", "manual", "apply");
    await clock.advance(10_000);
    expect(order).toEqual(["drift", "drift", "drift", "apply", "apply", "apply", "drift", "drift", "drift"]);
  });
});
