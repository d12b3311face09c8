import fc from "fast-check";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TenantPhase, TenantStatus } from "../model/control.js";
import { errListArgs, errTenantStatusArgs } from "./errors.js";
import type { Store } from "./store.js";
import type { TenantStatusFilter, TenantStatusSort } from "./tenant-status.js";
import { type ManualClock, manualClock } from "./test-support/clock.js";
import { type FreshDatabase, storeTargets } from "./test-support/targets.js";

const phases: TenantPhase[] = ["InSync", "Drifted", "Reconciling", "Failed", "Suspended"];
const severity: TenantPhase[] = ["Failed", "Drifted", "Reconciling", "Suspended", "InSync"];

describe.each(storeTargets)("tenant status on $name", (target) => {
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

  it("starts a new tenant Reconciling with nothing run, and returns what it stored", async () => {
    expect(await store.setTenantStatus("s1", "ACME", { partner: "p1" })).toEqual({
      source: "s1",
      tenant: "ACME",
      partner: "p1",
      phase: "Reconciling",
      reason: null,
      observedRevision: null,
      lastRunId: null,
      lastRunAt: null,
      drifted: 0,
      attempts: 0,
      nextAttemptAt: null,
      updatedAt: clock.now(),
    });
  });

  it("changes only the fields a patch gives; null clears one", async () => {
    await store.setTenantStatus("s1", "ACME", {
      partner: "p1",
      phase: "Failed",
      reason: "Extension/ACME/main/201: 403",
      observedRevision: "abc",
      lastRunId: "r1",
      lastRunAt: clock.now(),
      drifted: 2,
      attempts: 3,
      nextAttemptAt: clock.in(60_000),
    });
    clock.advance(1_000);
    const got = await store.setTenantStatus("s1", "ACME", {
      partner: "p1",
      phase: "InSync",
      reason: null,
      attempts: 0,
    });
    expect(got).toEqual({
      source: "s1",
      tenant: "ACME",
      partner: "p1",
      phase: "InSync",
      reason: null,
      observedRevision: "abc",
      lastRunId: "r1",
      lastRunAt: clock.in(-1_000),
      drifted: 2,
      attempts: 0,
      nextAttemptAt: clock.in(59_000),
      updatedAt: clock.now(),
    });
    expect(await store.getTenantStatus("s1", "ACME")).toEqual(got);
    expect(await store.getTenantStatus("s1", "OTHER")).toBeUndefined();
  });

  it("stores a reason holding a NUL character escaped instead of failing", async () => {
    const got = await store.setTenantStatus("s1", "ACME", { partner: "p1", reason: "bad\u0000name" });
    expect(got.reason).toBe("bad\\u0000name");
  });

  it.each<{ name: string; call: (s: Store) => Promise<unknown>; want: string }>([
    {
      name: "an unknown phase",
      call: (s) => s.setTenantStatus("s1", "A", { partner: "p", phase: "Green" as TenantPhase }),
      want: `${errTenantStatusArgs}: phase is "Green"; want one of ${severity.join(", ")}`,
    },
    {
      name: "a negative drifted count",
      call: (s) => s.setTenantStatus("s1", "A", { partner: "p", drifted: -1 }),
      want: `${errTenantStatusArgs}: drifted of s1/A is -1`,
    },
    {
      name: "an empty partner",
      call: (s) => s.setTenantStatus("s1", "A", { partner: "" }),
      want: `${errTenantStatusArgs}: partner of s1/A is empty`,
    },
    {
      name: "an unknown sort",
      call: (s) => s.listTenantStatus({ sort: "name" as TenantStatusSort }),
      want: `${errListArgs}: sort is "name"; want one of tenant, phase, lastRunAt, drifted`,
    },
    {
      name: "an unknown order",
      call: (s) => s.listTenantStatus({ order: "up" as "asc" }),
      want: `${errListArgs}: order is "up"; want asc or desc`,
    },
    {
      name: "a page of 1,001",
      call: (s) => s.listTenantStatus({ limit: 1_001 }),
      want: `${errListArgs}: limit is 1001; want a whole number from 1 to 1000`,
    },
    {
      name: "a negative offset",
      call: (s) => s.listTenantStatus({ offset: -1 }),
      want: `${errListArgs}: offset is -1`,
    },
  ])("refuses $name", async ({ call, want }) => {
    await expect(call(store)).rejects.toThrow(want);
  });
});

// 1,000 tenants over 3 sources of 2 partners, written once per engine; the filters,
// sorts and pages of many lists are checked against the same list sorted in JavaScript.
describe.each(storeTargets)("tenant status lists of 1,000 tenants on $name", (target) => {
  let db: FreshDatabase;
  let store: Store;
  const all: TenantStatus[] = [];
  beforeAll(async () => {
    const clock = manualClock();
    db = await target.fresh();
    store = await db.open({ clock: clock.now });
    const rand = fc.sample(fc.integer({ min: 0, max: 1_000_000 }), { numRuns: 1_000, seed: 42 });
    all.length = 0;
    for (let i = 0; i < 1_000; i++) {
      const n = rand[i] ?? 0;
      const source = ["alpha", "beta", "gamma"][i % 3] as string;
      // Mixed case and shared prefixes, so byte order, case-free search and ties all matter.
      const tenant = `${n % 2 ? "Cust" : "cust"}${String(n % 997).padStart(3, "0")}-${i}`;
      all.push(
        await store.setTenantStatus(source, tenant, {
          partner: source === "gamma" ? "p2" : "p1",
          phase: phases[n % phases.length] as TenantPhase,
          drifted: n % 7,
          lastRunAt: n % 5 === 0 ? null : new Date(Date.UTC(2026, 0, 1) + (n % 50) * 60_000),
        }),
      );
    }
  });
  afterAll(async () => {
    await db.dispose();
  });

  const byte = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const ties = (a: TenantStatus, b: TenantStatus) => byte(a.tenant, b.tenant) || byte(a.source, b.source);
  const keys: Record<TenantStatusSort, (s: TenantStatus) => number | string | null> = {
    tenant: () => 0,
    phase: (s) => severity.indexOf(s.phase),
    lastRunAt: (s) => s.lastRunAt?.getTime() ?? null,
    drifted: (s) => s.drifted,
  };
  function expected(f: TenantStatusFilter): TenantStatus[] {
    const sort = f.sort ?? "tenant";
    const dir = f.order === "desc" ? -1 : 1;
    const key = keys[sort];
    return all
      .filter(
        (s) =>
          (!f.partner || s.partner === f.partner) &&
          (!f.source || s.source === f.source) &&
          (!f.phase || s.phase === f.phase) &&
          (!f.q || s.tenant.toLowerCase().includes(f.q.toLowerCase())),
      )
      .sort((a, b) => {
        if (sort === "tenant") return dir * ties(a, b);
        const [x, y] = [key(a), key(b)];
        if (x === null || y === null) return x === y ? ties(a, b) : x === null ? 1 : -1;
        return (x < y ? -dir : x > y ? dir : 0) || ties(a, b);
      });
  }

  it("counts and lists every tenant of the filters given, in the order asked for", async () => {
    const filters = fc.record(
      {
        partner: fc.constantFrom("p1", "p2", "nobody"),
        source: fc.constantFrom("alpha", "beta", "gamma"),
        phase: fc.constantFrom(...phases),
        q: fc.constantFrom("CUST0", "st1", "-99", "zzz", ""),
        sort: fc.constantFrom<TenantStatusSort>("tenant", "phase", "lastRunAt", "drifted"),
        order: fc.constantFrom<"asc" | "desc">("asc", "desc"),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(filters, async (f) => {
        const want = expected(f);
        const got = await store.listTenantStatus({ ...f, limit: 1_000 });
        expect(got.total).toBe(want.length);
        expect(got.items.map((s) => `${s.source}/${s.tenant}`)).toEqual(
          want.map((s) => `${s.source}/${s.tenant}`),
        );
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it("pages through a sorted list without overlap or gap, the total on every page", async () => {
    for (const f of [{ sort: "phase" }, { sort: "drifted", order: "desc" }, { sort: "lastRunAt" }] as const) {
      const want = expected(f).map((s) => `${s.source}/${s.tenant}`);
      const seen: string[] = [];
      for (let offset = 0; ; offset += 64) {
        const page = await store.listTenantStatus({ ...f, limit: 64, offset });
        expect(page.total, JSON.stringify(f)).toBe(1_000);
        if (page.items.length === 0) break;
        seen.push(...page.items.map((s) => `${s.source}/${s.tenant}`));
      }
      expect(seen, JSON.stringify(f)).toEqual(want);
    }
  });

  it("answers the total with an empty page past the end, and 50 by default", async () => {
    expect(await store.listTenantStatus({ partner: "p2", offset: 5_000 })).toEqual({ items: [], total: 333 });
    expect((await store.listTenantStatus()).items).toHaveLength(50);
  });
});
