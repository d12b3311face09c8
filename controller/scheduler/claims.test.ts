import { afterEach, describe, expect, it } from "vitest";
import { done, type Harness, harness, retry } from "../test-support/scheduler-harness.js";
import { errClaimLost, errStarted } from "./scheduler.js";

let h: Harness | undefined;
afterEach(async () => h?.scheduler.stop({ graceMs: 0 }));

describe("scheduler: claims and replicas", () => {
  it("renews the claim while a run lasts longer than claimMs, so no other worker takes it", async () => {
    h = harness({ register: false, claimMs: 3_000 });
    const { queue, clock, scheduler, script } = h;
    await scheduler.start();
    queue.putSource({ id: "s", partner: "p1" });
    script.set("t1", [
      async () => {
        await clock.sleep(10_000);
        return done();
      },
    ]);
    await scheduler.trigger("s", "t1", "manual");
    await clock.advance(0);
    for (let t = 0; t < 9_000; t += 1_500) {
      await clock.advance(1_500);
      expect(
        await queue.claimRequests({ worker: "other", limit: 5, claimMs: 1_000 }),
        `at ${t + 1_500} ms`,
      ).toEqual([]);
    }
    await clock.advance(1_000);
    expect(queue.status("s", "t1")?.phase).toBe("InSync");
    expect(queue.calls.filter((c) => c === "extendClaim").length).toBeGreaterThanOrEqual(9);
  });

  it("a lost claim aborts the run and leaves the request to the worker that holds it", async () => {
    h = harness({ register: false, claimMs: 3_000 });
    const { queue, clock, scheduler, script } = h;
    await scheduler.start();
    queue.putSource({ id: "s", partner: "p1" });
    let reason: unknown;
    script.set("t1", [
      (_r, signal) =>
        new Promise((resolve) =>
          signal.addEventListener("abort", () => {
            reason = signal.reason;
            resolve(retry("the run was cancelled", 0));
          }),
        ),
    ]);
    await scheduler.trigger("s", "t1", "manual");
    await clock.advance(0);
    // Another worker took it over (this replica's claim lapsed while it was stalled).
    const row = [...queue.requests.values()][0];
    if (!row) throw new Error("no request");
    row.claimedBy = "other";
    await clock.advance(1_000);
    expect(String(reason)).toContain(errClaimLost);
    expect(queue.requests.get([...queue.requests.keys()][0] as string)).toMatchObject({
      claimedBy: "other",
      attempts: 0,
    });
    expect(queue.status("s", "t1")?.phase, "nothing recorded for a run that is not ours").toBe("Reconciling");
  });

  it("heartbeats its replica, counts the live ones for the budget, and refuses a second start", async () => {
    h = harness({ register: false, heartbeatMs: 10_000, replicaTtlMs: 30_000 });
    const { queue, clock, scheduler } = h;
    await queue.heartbeatReplica("w2", new Date(clock.now()));
    await scheduler.start();
    expect(queue.replicas.has("w1")).toBe(true);
    expect(scheduler.budgets.replicaCount).toBe(2);
    await expect(scheduler.start()).rejects.toThrow(errStarted);
    // w2 stops beating: after the TTL this replica takes the whole budget.
    await clock.advance(40_000);
    expect(scheduler.budgets.replicaCount).toBe(1);
  });
});
