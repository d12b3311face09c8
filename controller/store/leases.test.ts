import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { errLeaseArgs } from "./errors.js";
import { maxLeaseTtlMs } from "./leases.js";
import type { Store } from "./store.js";
import { type FreshDatabase, postgresTarget, storeTargets } from "./test-support/targets.js";

/** A clock the test moves by hand. */
function manualClock(start = Date.UTC(2026, 0, 1, 12, 0, 0)) {
  let now = start;
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe.each(storeTargets)("tenant leases on $name", (target) => {
  let db: FreshDatabase;
  let store: Store;
  let clock: ReturnType<typeof manualClock>;
  beforeEach(async () => {
    clock = manualClock();
    db = await target.fresh();
    store = await db.open({ clock: clock.now });
  });
  afterEach(async () => {
    await db.dispose();
  });

  it("gives a free tenant's lease, and refuses it to a second holder while it lasts", async () => {
    const first = await store.acquireLease("ACME", "cli-1", 30_000);
    expect(first).toEqual({
      acquired: true,
      lease: {
        tenant: "ACME",
        holder: "cli-1",
        acquiredAt: clock.now(),
        expiresAt: new Date(clock.now().getTime() + 30_000),
      },
    });
    clock.advance(29_999);
    const second = await store.acquireLease("ACME", "cli-2", 30_000);
    expect(second).toMatchObject({ acquired: false, heldBy: { holder: "cli-1" } });
  });

  it("lets the holder acquire again, which extends the lease and keeps its start", async () => {
    const start = clock.now();
    await store.acquireLease("ACME", "cli-1", 1_000);
    clock.advance(500);
    const again = await store.acquireLease("ACME", "cli-1", 1_000);
    expect(again).toEqual({
      acquired: true,
      lease: {
        tenant: "ACME",
        holder: "cli-1",
        acquiredAt: start,
        expiresAt: new Date(start.getTime() + 1_500),
      },
    });
  });

  it("hands an expired lease to the next holder", async () => {
    await store.acquireLease("ACME", "dead-process", 1_000);
    clock.advance(1_000);
    expect(await store.acquireLease("ACME", "cli-2", 1_000)).toMatchObject({
      acquired: true,
      lease: { holder: "cli-2" },
    });
    expect(await store.renewLease("ACME", "dead-process", 1_000)).toBe(false);
  });

  it("renews only the holder's lease", async () => {
    await store.acquireLease("ACME", "cli-1", 1_000);
    clock.advance(900);
    expect(await store.renewLease("ACME", "cli-2", 1_000)).toBe(false);
    expect(await store.renewLease("ACME", "cli-1", 1_000)).toBe(true);
    expect((await store.listLeases())[0]?.expiresAt).toEqual(new Date(clock.now().getTime() + 1_000));
    clock.advance(999);
    expect(await store.acquireLease("ACME", "cli-2", 1_000)).toMatchObject({ acquired: false });
  });

  it("renews a lapsed lease nobody took (nobody else can have written), not one taken and given back", async () => {
    await store.acquireLease("ACME", "cli-1", 1_000);
    clock.advance(5_000);
    expect(await store.renewLease("ACME", "cli-1", 1_000)).toBe(true);
    clock.advance(5_000);
    expect(await store.acquireLease("ACME", "cli-2", 1_000)).toMatchObject({ acquired: true });
    expect(await store.releaseLease("ACME", "cli-2")).toBe(true);
    expect(await store.renewLease("ACME", "cli-1", 1_000)).toBe(false);
  });

  it("frees a released lease at once, and only for its holder", async () => {
    await store.acquireLease("ACME", "cli-1", 60_000);
    expect(await store.releaseLease("ACME", "cli-2")).toBe(false);
    expect(await store.releaseLease("ACME", "cli-1")).toBe(true);
    expect(await store.acquireLease("ACME", "cli-2", 60_000)).toMatchObject({ acquired: true });
    expect(await store.renewLease("ACME", "cli-1", 60_000)).toBe(false);
  });

  it("keeps tenants apart and lists only leases in force", async () => {
    await store.acquireLease("A", "cli-1", 1_000);
    await store.acquireLease("B", "cli-2", 5_000);
    expect(await store.acquireLease("C", "cli-1", 1_000)).toMatchObject({ acquired: true });
    clock.advance(2_000);
    expect((await store.listLeases()).map((l) => [l.tenant, l.holder])).toEqual([["B", "cli-2"]]);
  });

  it.each<{ name: string; args: [string, string, number]; want: string }>([
    { name: "an empty tenant", args: ["", "h", 1_000], want: "tenant is empty" },
    { name: "an empty holder", args: ["A", "", 1_000], want: "holder is empty" },
    { name: "a zero ttl", args: ["A", "h", 0], want: "ttlMs is 0" },
    { name: "a fractional ttl", args: ["A", "h", 1.5], want: "ttlMs is 1.5" },
    {
      name: "a ttl past a day",
      args: ["A", "h", maxLeaseTtlMs + 1],
      want: `ttlMs is ${maxLeaseTtlMs + 1}; want a whole number from 1 to ${maxLeaseTtlMs}`,
    },
  ])("refuses $name", async ({ args, want }) => {
    await expect(store.acquireLease(...args)).rejects.toThrow(`${errLeaseArgs}: ${want}`);
  });
});

describe("tenant leases across processes (two stores on one server)", () => {
  let db: FreshDatabase;
  beforeEach(async () => {
    db = await postgresTarget.fresh();
  });
  afterEach(async () => {
    await db.dispose();
  });

  it("gives a contested lease to exactly one of many racing stores", async () => {
    const stores = await Promise.all(Array.from({ length: 6 }, () => db.open()));
    for (let round = 0; round < 5; round++) {
      const tenant = `T${round}`;
      const results = await Promise.all(stores.map((s, i) => s.acquireLease(tenant, `replica-${i}`, 60_000)));
      const winners = results.flatMap((r) => (r.acquired ? [r.lease.holder] : []));
      expect(winners, `round ${round}`).toHaveLength(1);
      for (const r of results) {
        if (!r.acquired) expect(r.heldBy.holder, `round ${round}`).toBe(winners[0]);
      }
    }
  });

  it("lets the other store take a lease whose holder stopped renewing, by the server's clock", async () => {
    const [a, b] = [await db.open(), await db.open()];
    expect(await a.acquireLease("ACME", "a", 150)).toMatchObject({ acquired: true });
    expect(await b.acquireLease("ACME", "b", 150)).toMatchObject({ acquired: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await b.acquireLease("ACME", "b", 60_000)).toMatchObject({
      acquired: true,
      lease: { holder: "b" },
    });
    expect(await a.renewLease("ACME", "a", 60_000)).toBe(false);
  });

  it("frees a lease released by one store for the other", async () => {
    const [a, b] = [await db.open(), await db.open()];
    await a.acquireLease("ACME", "a", 60_000);
    expect(await b.acquireLease("ACME", "b", 60_000)).toMatchObject({
      acquired: false,
      heldBy: { holder: "a" },
    });
    await a.releaseLease("ACME", "a");
    expect(await b.acquireLease("ACME", "b", 60_000)).toMatchObject({ acquired: true });
  });
});
