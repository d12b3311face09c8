import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ReconcileReason, ReconcileRequest } from "../model/control.js";
import { errQueueArgs } from "./errors.js";
import { maxClaimLimit, maxClaimMs } from "./queue.js";
import type { Store } from "./store.js";
import { type ManualClock, manualClock } from "./test-support/clock.js";
import { type FreshDatabase, postgresTarget, storeTargets } from "./test-support/targets.js";

const acme = { source: "s1", tenant: "ACME", mode: "apply" } as const;

describe.each(storeTargets)("reconcile request queue on $name", (target) => {
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

  const claim = (worker = "w1", over: Partial<Parameters<Store["claimRequests"]>[0]> = {}) =>
    store.claimRequests({ worker, limit: 10, claimMs: 60_000, ...over });

  it("merges triggers for one tenant and mode into one request: reasons once each, generation per trigger", async () => {
    await store.enqueueRequest({ ...acme, reason: "interval" });
    clock.advance(1_000);
    await store.enqueueRequest({ ...acme, reason: "webhook" });
    await store.enqueueRequest({ ...acme, reason: "interval" });
    await store.enqueueRequest({ ...acme, mode: "drift", reason: "drift-interval" });
    expect(await store.listRequests()).toEqual([
      {
        ...acme,
        reasons: ["interval", "webhook"],
        generation: 3,
        notBefore: clock.in(-1_000),
        attempts: 0,
        requestedAt: clock.in(-1_000),
        claimedBy: null,
        claimedUntil: null,
      },
      expect.objectContaining({ mode: "drift", reasons: ["drift-interval"], generation: 1 }),
    ]);
  });

  it("keeps the earlier notBefore: a trigger for now moves a later request forward, a later one never back", async () => {
    await store.enqueueRequest({ ...acme, reason: "interval", notBefore: clock.in(30_000) });
    await store.enqueueRequest({ ...acme, reason: "interval", notBefore: clock.in(60_000) });
    expect((await store.listRequests())[0]?.notBefore).toEqual(clock.in(30_000));
    await store.enqueueRequest({ ...acme, reason: "manual" });
    expect((await store.listRequests())[0]?.notBefore).toEqual(clock.now());
  });

  it.each<{ reason: ReconcileReason; moves: boolean }>([
    { reason: "manual", moves: true },
    { reason: "webhook", moves: true },
    { reason: "api", moves: true },
    { reason: "revision", moves: true },
    { reason: "interval", moves: false },
    { reason: "drift-interval", moves: false },
    { reason: "retry", moves: false },
    { reason: "startup", moves: false },
  ])("a $reason trigger for a request backing off moves it to now: $moves", async ({ reason, moves }) => {
    await store.enqueueRequest({ ...acme, reason: "interval" });
    const [got] = await claim();
    const retryAt = clock.in(15 * 60_000);
    expect(await store.completeRequest(got as ReconcileRequest, { worker: "w1", retryAt })).toBe("retrying");
    await store.enqueueRequest({ ...acme, reason });
    const [after] = await store.listRequests();
    expect({ notBefore: after?.notBefore, attempts: after?.attempts }).toEqual({
      notBefore: moves ? clock.now() : retryAt,
      attempts: 1,
    });
  });

  it("claims due requests only, apply before drift, then oldest notBefore first, up to the limit", async () => {
    await store.enqueueRequest({
      source: "s1",
      tenant: "D1",
      mode: "drift",
      reason: "drift-interval",
      notBefore: clock.in(-5_000),
    });
    await store.enqueueRequest({
      source: "s1",
      tenant: "A2",
      mode: "apply",
      reason: "interval",
      notBefore: clock.in(-1_000),
    });
    await store.enqueueRequest({
      source: "s1",
      tenant: "A1",
      mode: "apply",
      reason: "interval",
      notBefore: clock.in(-2_000),
    });
    await store.enqueueRequest({
      source: "s1",
      tenant: "LATER",
      mode: "apply",
      reason: "interval",
      notBefore: clock.in(1),
    });
    const got = await claim("w1", { limit: 2 });
    expect(got.map((r) => r.tenant)).toEqual(["A1", "A2"]);
    for (const r of got)
      expect({ by: r.claimedBy, until: r.claimedUntil }).toEqual({ by: "w1", until: clock.in(60_000) });
    expect((await claim("w2")).map((r) => r.tenant)).toEqual(["D1"]);
    expect(await claim("w3")).toEqual([]);
    clock.advance(1);
    expect((await claim("w3")).map((r) => r.tenant)).toEqual(["LATER"]);
  });

  it("claims only the modes asked for", async () => {
    await store.enqueueRequest({ ...acme, reason: "interval" });
    await store.enqueueRequest({ ...acme, mode: "drift", reason: "drift-interval" });
    expect((await claim("w1", { modes: ["drift"] })).map((r) => r.mode)).toEqual(["drift"]);
    expect((await claim("w1", { modes: ["drift"] })).map((r) => r.mode)).toEqual([]);
    expect((await claim("w1", { modes: ["apply", "drift"] })).map((r) => r.mode)).toEqual(["apply"]);
  });

  it("gives a request whose claim lapsed to the next worker; the first may no longer extend or complete it", async () => {
    await store.enqueueRequest({ ...acme, reason: "interval" });
    const [first] = await claim("w1", { claimMs: 10_000 });
    clock.advance(9_999);
    expect(await claim("w2")).toEqual([]);
    clock.advance(1);
    const [second] = await claim("w2");
    expect(second).toMatchObject({ claimedBy: "w2", generation: 1 });
    expect(await store.extendClaim(first as ReconcileRequest, "w1", 10_000)).toBe(false);
    expect(await store.completeRequest(first as ReconcileRequest, { worker: "w1" })).toBe("requeued");
    expect((await store.listRequests())[0]?.claimedBy).toBe("w2");
    expect(await store.completeRequest(second as ReconcileRequest, { worker: "w2" })).toBe("deleted");
    expect(await store.listRequests()).toEqual([]);
  });

  it("extends its own claim from now, so no other worker gets the request meanwhile", async () => {
    await store.enqueueRequest({ ...acme, reason: "interval" });
    const [got] = await claim("w1", { claimMs: 10_000 });
    clock.advance(9_000);
    expect(await store.extendClaim(got as ReconcileRequest, "w1", 10_000)).toBe(true);
    expect((await store.listRequests())[0]?.claimedUntil).toEqual(clock.in(10_000));
    clock.advance(9_000);
    expect(await claim("w2")).toEqual([]);
  });

  it("re-queues a request triggered again during its run, attempts kept, then deletes it once run at that generation", async () => {
    await store.enqueueRequest({ ...acme, reason: "interval" });
    const [first] = await claim();
    expect(
      await store.completeRequest(first as ReconcileRequest, { worker: "w1", retryAt: clock.in(1_000) }),
    ).toBe("retrying");
    clock.advance(1_000);
    const [run] = await claim();
    clock.advance(500);
    await store.enqueueRequest({ ...acme, reason: "webhook" });
    expect(await store.completeRequest(run as ReconcileRequest, { worker: "w1" })).toBe("requeued");
    const [queued] = await store.listRequests();
    expect(queued).toMatchObject({ generation: 2, attempts: 1, claimedBy: null, claimedUntil: null });
    expect(queued?.notBefore.getTime()).toBeLessThanOrEqual(clock.now().getTime());
    const [again] = await claim();
    expect(again?.generation).toBe(2);
    expect(await store.completeRequest(again as ReconcileRequest, { worker: "w1" })).toBe("deleted");
    expect(await store.listRequests()).toEqual([]);
  });

  it("retries at retryAt with one more attempt each time, and the request is not due before then", async () => {
    await store.enqueueRequest({ ...acme, reason: "manual" });
    for (const attempt of [1, 2, 3]) {
      const [got] = await claim();
      expect(got?.attempts, `attempt ${attempt}`).toBe(attempt - 1);
      const retryAt = clock.in(attempt * 10_000);
      expect(await store.completeRequest(got as ReconcileRequest, { worker: "w1", retryAt })).toBe(
        "retrying",
      );
      expect((await store.listRequests())[0]).toMatchObject({
        attempts: attempt,
        notBefore: retryAt,
        reasons: ["manual", "retry"],
        claimedBy: null,
      });
      clock.advance(attempt * 10_000 - 1);
      expect(await claim(), `attempt ${attempt}`).toEqual([]);
      clock.advance(1);
    }
    const [last] = await claim();
    expect(await store.completeRequest(last as ReconcileRequest, { worker: "w1" })).toBe("deleted");
  });

  it("answers deleted for a request that is gone already", async () => {
    await store.enqueueRequest({ ...acme, reason: "manual" });
    const [got] = await claim();
    await store.completeRequest(got as ReconcileRequest, { worker: "w1" });
    expect(await store.completeRequest(got as ReconcileRequest, { worker: "w1" })).toBe("deleted");
  });

  it("counts requests not under a live claim, by mode", async () => {
    expect(await store.queueDepth()).toEqual({ apply: 0, drift: 0 });
    for (const tenant of ["A", "B", "C"])
      await store.enqueueRequest({ source: "s1", tenant, mode: "apply", reason: "interval" });
    await store.enqueueRequest({
      source: "s1",
      tenant: "A",
      mode: "drift",
      reason: "drift-interval",
      notBefore: clock.in(5_000),
    });
    expect(await store.queueDepth()).toEqual({ apply: 3, drift: 1 });
    await claim("w1", { limit: 2, claimMs: 1_000 });
    expect(await store.queueDepth()).toEqual({ apply: 1, drift: 1 });
    clock.advance(1_000);
    expect(await store.queueDepth()).toEqual({ apply: 3, drift: 1 });
  });

  it("lists requests by source", async () => {
    await store.enqueueRequest({ source: "s2", tenant: "B", mode: "apply", reason: "manual" });
    await store.enqueueRequest({ source: "s1", tenant: "A", mode: "apply", reason: "manual" });
    expect((await store.listRequests()).map((r) => `${r.source}/${r.tenant}`)).toEqual(["s1/A", "s2/B"]);
    expect((await store.listRequests({ source: "s2" })).map((r) => r.tenant)).toEqual(["B"]);
  });

  it.each<{ name: string; call: (s: Store) => Promise<unknown>; want: string }>([
    {
      name: "an empty tenant",
      call: (s) => s.enqueueRequest({ ...acme, tenant: "", reason: "manual" }),
      want: "tenant is empty",
    },
    {
      name: "an unknown mode",
      call: (s) => s.enqueueRequest({ ...acme, mode: "plan" as "apply", reason: "manual" }),
      want: 'mode is "plan"; want apply or drift',
    },
    {
      name: "an unknown reason",
      call: (s) => s.enqueueRequest({ ...acme, reason: "cron" as ReconcileReason }),
      want: 'reason is "cron"; want one of interval, drift-interval, webhook, manual, api, revision, retry, startup',
    },
    {
      name: "an empty worker",
      call: (s) => s.claimRequests({ worker: "", limit: 1, claimMs: 1 }),
      want: "worker is empty",
    },
    {
      name: "a limit of 0",
      call: (s) => s.claimRequests({ worker: "w", limit: 0, claimMs: 1 }),
      want: `limit is 0; want a whole number from 1 to ${maxClaimLimit}`,
    },
    {
      name: "a claim past a day",
      call: (s) => s.claimRequests({ worker: "w", limit: 1, claimMs: maxClaimMs + 1 }),
      want: `claimMs is ${maxClaimMs + 1}; want a whole number from 1 to ${maxClaimMs}`,
    },
  ])("refuses $name", async ({ call, want }) => {
    await expect(call(store)).rejects.toThrow(`${errQueueArgs}: ${want}`);
  });
});

describe("reconcile request queue across processes (stores on one server)", () => {
  let db: FreshDatabase;
  beforeEach(async () => {
    db = await postgresTarget.fresh();
  });
  afterEach(async () => {
    await db.dispose();
  });

  it("never gives one request to two of many racing claimers, and every request to one", async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => db.open()));
    const tenants = Array.from({ length: 200 }, (_, i) => `T${String(i).padStart(3, "0")}`);
    for (const tenant of tenants) {
      await stores[0]?.enqueueRequest({ source: "s1", tenant, mode: "apply", reason: "interval" });
    }
    const claimedBy = new Map<string, string[]>();
    await Promise.all(
      stores.map(async (s, i) => {
        for (;;) {
          const got = await s.claimRequests({ worker: `w${i}`, limit: 3, claimMs: 60_000 });
          if (got.length === 0) return;
          for (const r of got) claimedBy.set(r.tenant, [...(claimedBy.get(r.tenant) ?? []), `w${i}`]);
        }
      }),
    );
    const twice = [...claimedBy].filter(([, workers]) => workers.length > 1);
    expect(twice).toEqual([]);
    expect([...claimedBy.keys()].sort()).toEqual(tenants);
    expect(new Set([...claimedBy.values()].flat()).size, "claims spread over the stores").toBeGreaterThan(1);
  });

  it("counts every one of many racing triggers for one tenant in one request, also while it is claimed", async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => db.open()));
    const reasons = ["interval", "webhook", "manual", "api"] as const;
    await stores[0]?.enqueueRequest({ source: "s1", tenant: "ACME", mode: "apply", reason: "startup" });
    const [claimed] = (await stores[0]?.claimRequests({ worker: "w0", limit: 1, claimMs: 60_000 })) ?? [];
    await Promise.all(
      stores.map(async (s, i) => {
        for (let n = 0; n < 25; n++) {
          await s.enqueueRequest({
            source: "s1",
            tenant: "ACME",
            mode: "apply",
            reason: reasons[i] ?? "api",
          });
        }
      }),
    );
    const [queued] = (await stores[1]?.listRequests()) ?? [];
    expect(queued).toMatchObject({ generation: 101, claimedBy: "w0" });
    expect([...(queued?.reasons ?? [])].sort()).toEqual(["api", "interval", "manual", "startup", "webhook"]);
    expect(await stores[2]?.completeRequest(claimed as ReconcileRequest, { worker: "w0" })).toBe("requeued");
  });

  it("skips a request another transaction holds locked instead of waiting for it", async () => {
    const store = await db.open();
    await store.enqueueRequest({ source: "s1", tenant: "LOCKED", mode: "apply", reason: "interval" });
    await store.enqueueRequest({ source: "s1", tenant: "FREE", mode: "apply", reason: "interval" });
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query("SELECT 1 FROM reconcile_requests WHERE tenant = 'LOCKED' FOR UPDATE");
      const got = await store.claimRequests({ worker: "w1", limit: 10, claimMs: 60_000 });
      expect(got.map((r) => r.tenant)).toEqual(["FREE"]);
      await other.query("ROLLBACK");
      const next = await store.claimRequests({ worker: "w1", limit: 10, claimMs: 60_000 });
      expect(next.map((r) => r.tenant)).toEqual(["LOCKED"]);
    } finally {
      await other.end();
    }
  });

  it("gives a request whose worker stopped extending to another store, by the server's clock", async () => {
    const [a, b] = [await db.open(), await db.open()];
    await a.enqueueRequest({ source: "s1", tenant: "ACME", mode: "apply", reason: "interval" });
    expect(await a.claimRequests({ worker: "a", limit: 1, claimMs: 150 })).toHaveLength(1);
    expect(await b.claimRequests({ worker: "b", limit: 1, claimMs: 60_000 })).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await b.claimRequests({ worker: "b", limit: 1, claimMs: 60_000 })).toMatchObject([
      { claimedBy: "b" },
    ]);
  });
});
