import { afterEach, describe, expect, it } from "vitest";
import { type Harness, harness, terminal } from "../test-support/scheduler-harness.js";

let h: Harness | undefined;
afterEach(async () => h?.scheduler.stop({ graceMs: 0 }));

const policies = (p: Record<string, unknown>) => p as never;

describe("scheduler: source timers", () => {
  it("a new revision read on an interval tick wakes a Failed tenant; the same revision does not", async () => {
    let revision = "r1";
    h = harness({ register: false, readRevision: async () => revision });
    const { queue, clock, scheduler, script, calls } = h;
    queue.putSource({
      id: "s",
      partner: "p1",
      policies: policies({ intervalMs: 60_000, driftIntervalMs: 3_600_000 }),
    });
    script.set("t1", [terminal("the manifests have problems")]);
    await scheduler.start();
    await clock.advance(0);
    expect(queue.status("s", "t1")?.phase).toBe("Failed");
    await clock.advance(66_000);
    expect(calls.map((c) => c.reasons.join())).toEqual(["startup"]);
    revision = "r2";
    await clock.advance(66_000);
    expect(calls.map((c) => c.reasons.join())).toEqual(["startup", "revision"]);
    expect(queue.status("s", "t1")?.phase).toBe("InSync");
  });

  it("follows the registered sources: a new one starts (and queues its tenants), a removed one stops", async () => {
    h = harness({ register: false, sourcesRefreshMs: 10_000 });
    const { queue, clock, scheduler, calls } = h;
    await scheduler.start();
    queue.putSource({
      id: "late",
      partner: "p1",
      policies: policies({ intervalMs: 60_000, driftIntervalMs: 3_600_000 }),
    });
    await clock.advance(10_000);
    expect(calls.map((c) => c.reasons.join())).toEqual(["startup"]);
    queue.sources.delete("late");
    await clock.advance(10_000);
    calls.length = 0;
    await clock.advance(200_000);
    expect(calls, "no ticks after the source is gone").toEqual([]);
  });

  it("a suspended source's tick marks its tenants Suspended and queues nothing", async () => {
    h = harness({ register: false, tenants: ["a", "b"] });
    const { queue, clock, scheduler, calls } = h;
    queue.putSource({ id: "s", partner: "p1", policies: policies({ suspended: true, intervalMs: 60_000 }) });
    await scheduler.start();
    await clock.advance(70_000);
    expect(calls).toEqual([]);
    expect(await queue.listRequests()).toEqual([]);
    expect([queue.status("s", "a")?.phase, queue.status("s", "b")?.phase]).toEqual([
      "Suspended",
      "Suspended",
    ]);
    expect(queue.events.filter((e) => e.type === "tenant.status")).toHaveLength(2);
  });
});
