import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ControllerEventInput } from "../model/control.js";
import { errListArgs } from "./errors.js";
import type { Store } from "./store.js";
import { type ManualClock, manualClock } from "./test-support/clock.js";
import { type FreshDatabase, postgresTarget, storeTargets } from "./test-support/targets.js";

function event(over: Partial<ControllerEventInput> = {}): ControllerEventInput {
  return {
    type: "tenant.status",
    partner: "p1",
    source: "s1",
    tenant: "ACME",
    actor: "scheduler",
    ip: null,
    data: { phase: "InSync" },
    ...over,
  };
}

describe.each(storeTargets)("events, webhook deliveries and replicas on $name", (target) => {
  let db: FreshDatabase;
  let store: Store;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = manualClock();
    db = await target.fresh();
    store = await db.open({ clock: clock.now });
  });
  afterEach(async () => {
    await db.dispose();
  });

  it("numbers events 1, 2, 3 in the order appended, and reads them back", async () => {
    const first = await store.appendEvent(event());
    expect(first).toEqual({ ...event(), seq: 1, at: clock.now() });
    const at = clock.in(-5_000);
    const second = await store.appendEvent(
      event({ type: "api.change", actor: "ci (t-1)", ip: "192.0.2.7", data: { method: "PUT" }, at }),
    );
    expect(second).toMatchObject({ seq: 2, at, actor: "ci (t-1)", ip: "192.0.2.7", data: { method: "PUT" } });
    await store.appendEvent(event({ partner: "p2" }));
    expect(await store.listEvents()).toEqual([
      first,
      second,
      expect.objectContaining({ seq: 3, partner: "p2" }),
    ]);
  });

  it("lists events after a seq, of one partner, up to a limit, seq ascending", async () => {
    for (let i = 0; i < 10; i++) await store.appendEvent(event({ partner: i % 2 ? "p2" : "p1" }));
    expect((await store.listEvents({ afterSeq: 4 })).map((e) => e.seq)).toEqual([5, 6, 7, 8, 9, 10]);
    expect((await store.listEvents({ afterSeq: 4, partner: "p1" })).map((e) => e.seq)).toEqual([5, 7, 9]);
    expect((await store.listEvents({ afterSeq: 1, limit: 3 })).map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(await store.listEvents({ afterSeq: 10 })).toEqual([]);
  });

  it("prunes events before a time and never reuses their seqs", async () => {
    await store.appendEvent(event());
    await store.appendEvent(event());
    clock.advance(1_000);
    await store.appendEvent(event());
    expect(await store.pruneEvents(clock.now())).toBe(2);
    expect((await store.listEvents()).map((e) => e.seq)).toEqual([3]);
    expect(await store.pruneEvents(clock.in(1))).toBe(1);
    expect((await store.appendEvent(event())).seq).toBe(4);
  });

  it("stores event data holding a NUL character escaped instead of failing", async () => {
    const got = await store.appendEvent(event({ data: { name: "a\u0000b" }, actor: "x\u0000" }));
    expect({ data: got.data, actor: got.actor }).toEqual({ data: { name: "a\\u0000b" }, actor: "x\\u0000" });
  });

  it.each([
    { name: "a negative afterSeq", filter: { afterSeq: -1 }, want: "afterSeq is -1" },
    {
      name: "a page of 1,001",
      filter: { limit: 1_001 },
      want: "limit is 1001; want a whole number from 1 to 1000",
    },
  ])("refuses $name", async ({ filter, want }) => {
    await expect(store.listEvents(filter)).rejects.toThrow(`${errListArgs}: ${want}`);
  });

  it("refuses a webhook delivery seen before for the same source, and forgets old ones when pruned", async () => {
    expect(await store.recordDelivery("s1", "d-1")).toBe(true);
    expect(await store.recordDelivery("s1", "d-1")).toBe(false);
    expect(await store.recordDelivery("s2", "d-1")).toBe(true);
    clock.advance(1_000);
    expect(await store.recordDelivery("s1", "d-2")).toBe(true);
    expect(await store.pruneDeliveries(clock.now())).toBe(2);
    expect(await store.recordDelivery("s1", "d-2")).toBe(false);
    expect(await store.recordDelivery("s1", "d-1")).toBe(true);
  });

  it("lists replicas that beat since a time, keeps the latest beat, and forgets a removed one", async () => {
    await store.heartbeatReplica("r-b");
    clock.advance(10_000);
    await store.heartbeatReplica("r-a");
    await store.heartbeatReplica("r-c", clock.in(-20_000));
    expect(await store.listReplicas(clock.in(-15_000))).toEqual([
      { id: "r-a", heartbeatAt: clock.now() },
      { id: "r-b", heartbeatAt: clock.in(-10_000) },
    ]);
    await store.heartbeatReplica("r-a", clock.in(-60_000));
    expect((await store.listReplicas(clock.now())).map((r) => r.id)).toEqual(["r-a"]);
    expect(await store.removeReplica("r-a")).toBe(true);
    expect(await store.removeReplica("r-a")).toBe(false);
    expect((await store.listReplicas(new Date(0))).map((r) => r.id)).toEqual(["r-b", "r-c"]);
  });
});

describe("events appended by several stores on one server", () => {
  let db: FreshDatabase;
  beforeEach(async () => {
    db = await postgresTarget.fresh();
  });
  afterEach(async () => {
    await db.dispose();
  });

  it("are numbered without gap, and a reader resuming after the last seq it saw misses none", async () => {
    const writers = await Promise.all(Array.from({ length: 3 }, () => db.open()));
    const reader = await db.open();
    let writing = true;
    const seen: number[] = [];
    const read = (async () => {
      // Like an SSE client: resume after the last seq seen, until the writers are done and read out.
      for (;;) {
        const done = !writing;
        const page = await reader.listEvents({ afterSeq: seen.at(-1) ?? 0, limit: 1_000 });
        seen.push(...page.map((e) => e.seq));
        if (done && page.length === 0) return;
      }
    })();
    await Promise.all(
      writers.map(async (w, i) => {
        for (let n = 0; n < 100; n++) await w.appendEvent(event({ data: { writer: i, n } }));
      }),
    );
    writing = false;
    await read;
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });
});
