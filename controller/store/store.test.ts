import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { InventoryEntry } from "../model/inventory.js";
import { errOwnedByOtherSource, errQuery, errUnknownRun, errUnknownStep, StoreError } from "./errors.js";
import type { Store } from "./store.js";
import { type FreshDatabase, postgresTarget, storeTargets } from "./test-support/targets.js";
import type { RunFilter } from "./types.js";

function entry(over: Partial<InventoryEntry> = {}): InventoryEntry {
  return {
    key: "Tenant/ACME",
    kind: "Tenant",
    tenant: "ACME",
    platformId: "c-1",
    source: "repo:partner",
    state: "managed",
    secretHashes: {},
    ...over,
  };
}

describe.each(storeTargets)("store on $name", (target) => {
  let db: FreshDatabase;
  let store: Store;
  beforeEach(async () => {
    db = await target.fresh();
    store = await db.open();
  });
  afterEach(async () => {
    await db.dispose();
  });

  describe("inventory", () => {
    it("reads back what was written, secret hashes included", async () => {
      const want = entry({
        key: "Extension/ACME/main/201",
        kind: "Extension",
        secretHashes: { "spec.pin": "ab12" },
      });
      await store.upsertInventory(want);
      const got = await store.getInventory(want.key);
      expect(got).toMatchObject(want);
      expect(got?.lastAppliedAt).toBeInstanceOf(Date);
    });

    it("remembers an entry's deletionPolicy, so a removed orphan document is forgotten, not deleted", async () => {
      await store.upsertInventory(entry({ deletionPolicy: "orphan" }));
      expect((await store.getInventory("Tenant/ACME"))?.deletionPolicy).toBe("orphan");
      await store.upsertInventory(entry({ deletionPolicy: "delete" }));
      expect((await store.getInventory("Tenant/ACME"))?.deletionPolicy).toBe("delete");
    });

    it("reads an entry written without a deletionPolicy as 'delete', the schema default", async () => {
      await store.upsertInventory(entry());
      expect((await store.getInventory("Tenant/ACME"))?.deletionPolicy).toBe("delete");
    });

    it("answers undefined for a key it does not hold", async () => {
      expect(await store.getInventory("Tenant/NOPE")).toBeUndefined();
    });

    it("records a pending create without a platform id, then the managed entry", async () => {
      await store.markCreating(entry({ platformId: "ignored" }));
      const pending = await store.getInventory("Tenant/ACME");
      expect({
        state: pending?.state,
        platformId: pending?.platformId,
        last: pending?.lastAppliedAt,
      }).toEqual({
        state: "creating",
        platformId: null,
        last: null,
      });
      await store.upsertInventory(entry({ platformId: "c-9" }));
      const managed = await store.getInventory("Tenant/ACME");
      expect({ state: managed?.state, platformId: managed?.platformId }).toEqual({
        state: "managed",
        platformId: "c-9",
      });
    });

    it("refuses an entry that another source owns, naming both", async () => {
      await store.upsertInventory(entry());
      const err = await store.upsertInventory(entry({ source: "terraform:prod" })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).reason).toBe(errOwnedByOtherSource);
      expect((err as Error).message).toContain('belongs to source "repo:partner", not "terraform:prod"');
      expect((await store.getInventory("Tenant/ACME"))?.source).toBe("repo:partner");
    });

    it.each([
      { name: "everything", filter: {}, want: ["Tenant/A", "Tenant/B", "User/A/x@a.it"] },
      { name: "one source", filter: { source: "s2" }, want: ["Tenant/B"] },
      { name: "some tenants", filter: { tenants: ["A"] }, want: ["Tenant/A", "User/A/x@a.it"] },
      { name: "source and tenants", filter: { source: "s1", tenants: ["B"] }, want: [] },
      { name: "no tenants", filter: { tenants: [] }, want: [] },
    ])("lists $name by key", async ({ filter, want }) => {
      await store.upsertInventory(entry({ key: "User/A/x@a.it", kind: "User", tenant: "A", source: "s1" }));
      await store.upsertInventory(entry({ key: "Tenant/B", tenant: "B", source: "s2" }));
      await store.upsertInventory(entry({ key: "Tenant/A", tenant: "A", source: "s1" }));
      const got = (await store.listInventory(filter)).map((e) => e.key);
      expect(got).toEqual(want);
    });

    it("deletes only the owning source's entry", async () => {
      await store.upsertInventory(entry());
      expect(await store.deleteInventory("Tenant/ACME", "other")).toBe(false);
      expect(await store.deleteInventory("Tenant/ACME", "repo:partner")).toBe(true);
      expect(await store.getInventory("Tenant/ACME")).toBeUndefined();
      expect(await store.deleteInventory("Tenant/ACME", "repo:partner")).toBe(false);
    });
  });

  describe("runs and steps", () => {
    it("records a run from start to finish", async () => {
      const id = await store.startRun({ mode: "apply", source: "s1", tenants: ["A", "B"] });
      const running = await store.getRun(id);
      expect({ outcome: running?.outcome, finishedAt: running?.finishedAt }).toEqual({
        outcome: null,
        finishedAt: null,
      });
      await store.finishRun({
        id,
        outcome: "failed",
        summary: { create: 2, failed: 1 },
        error: "trunk refused",
      });
      expect(await store.getRun(id)).toMatchObject({
        id,
        mode: "apply",
        source: "s1",
        tenants: ["A", "B"],
        outcome: "failed",
        summary: { create: 2, failed: 1 },
        error: "trunk refused",
      });
    });

    it("lists runs newest first, by source and limit", async () => {
      const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
      await store.startRun({ id: "r1", mode: "plan", source: "s1", tenants: [], startedAt: at(1) });
      await store.startRun({ id: "r2", mode: "drift", source: "s2", tenants: [], startedAt: at(2) });
      await store.startRun({ id: "r3", mode: "apply", source: "s1", tenants: [], startedAt: at(3) });
      const cases = [
        { filter: {}, want: ["r3", "r2", "r1"] },
        { filter: { source: "s1" }, want: ["r3", "r1"] },
        { filter: { limit: 1 }, want: ["r3"] },
      ];
      for (const c of cases) {
        const got = (await store.listRuns(c.filter)).map((r) => r.id);
        expect(got, JSON.stringify(c.filter)).toEqual(c.want);
      }
    });

    it("filters runs by sources, tenant, outcome and mode", async () => {
      const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
      const runs = [
        { id: "r1", mode: "apply", source: "s1", tenants: ["A", "B"], outcome: "ok" },
        { id: "r2", mode: "drift", source: "s2", tenants: ["B"], outcome: "changes" },
        { id: "r3", mode: "apply", source: "s3", tenants: ["C"], outcome: "failed" },
        { id: "r4", mode: "apply", source: "s1", tenants: ["A"], outcome: null },
      ] as const;
      for (const [i, r] of runs.entries()) {
        await store.startRun({
          id: r.id,
          mode: r.mode,
          source: r.source,
          tenants: r.tenants,
          startedAt: at(i),
        });
        if (r.outcome) await store.finishRun({ id: r.id, outcome: r.outcome });
      }
      const cases: { filter: RunFilter; want: string[] }[] = [
        { filter: { sources: ["s1", "s2"] }, want: ["r4", "r2", "r1"] },
        { filter: { sources: [] }, want: [] },
        { filter: { tenant: "B" }, want: ["r2", "r1"] },
        { filter: { outcome: "failed" }, want: ["r3"] },
        { filter: { mode: "apply" }, want: ["r4", "r3", "r1"] },
        { filter: { mode: "apply", tenant: "A", source: "s1", outcome: "ok" }, want: ["r1"] },
        { filter: { before: at(2) }, want: ["r2", "r1"] },
      ];
      for (const c of cases) {
        const got = (await store.listRuns(c.filter)).map((r) => r.id);
        expect(got, JSON.stringify(c.filter)).toEqual(c.want);
      }
    });

    it("pages through runs by start, also across runs started at the same instant", async () => {
      const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
      const want: string[] = [];
      for (let i = 0; i < 12; i++) {
        // Three runs per instant, so page boundaries fall between runs of one start.
        const id = `r${String(i).padStart(2, "0")}`;
        await store.startRun({
          id,
          mode: "apply",
          source: "s1",
          tenants: ["A"],
          startedAt: at(Math.floor(i / 3)),
        });
      }
      for (let s = 3; s >= 0; s--)
        want.push(...[0, 1, 2].map((k) => `r${String(s * 3 + k).padStart(2, "0")}`));
      const seen: string[] = [];
      let last: { startedAt: Date; id: string } | undefined;
      for (;;) {
        const page = await store.listRuns({ limit: 5, before: last?.startedAt, beforeId: last?.id });
        if (page.length === 0) break;
        seen.push(...page.map((r) => r.id));
        last = page.at(-1);
      }
      expect(seen).toEqual(want);
    });

    it("prunes finished runs older than a date, with their steps, and keeps running ones", async () => {
      const at = (day: number) => new Date(Date.UTC(2026, 0, day));
      for (const [id, day, finished] of [
        ["old", 1, true],
        ["old-running", 2, false],
        ["new", 10, true],
      ] as const) {
        await store.startRun({ id, mode: "drift", source: "s1", tenants: [], startedAt: at(day) });
        await store.startStep({ runId: id, action: "update", kind: "Tenant", key: "Tenant/A", tenant: "A" });
        if (finished) await store.finishRun({ id, outcome: "ok", finishedAt: at(day) });
      }
      expect(await store.pruneRuns(at(5))).toBe(1);
      expect((await store.listRuns()).map((r) => r.id)).toEqual(["new", "old-running"]);
      expect(await store.listSteps("old")).toEqual([]);
      expect(await store.listSteps("new")).toHaveLength(1);
    });

    it("refuses to finish a run it never started", async () => {
      await expect(store.finishRun({ id: "nope", outcome: "ok" })).rejects.toThrow(errUnknownRun);
    });

    it("records every action the planner makes, forget included", async () => {
      const runId = await store.startRun({ mode: "apply", source: "s1", tenants: ["A"] });
      const actions = ["create", "update", "delete", "adopt", "noop", "forget"] as const;
      for (const action of actions) {
        await store.startStep({ runId, action, kind: "Tenant", key: `Tenant/${action}`, tenant: "A" });
      }
      expect((await store.listSteps(runId)).map((s) => s.action)).toEqual([...actions]);
    });

    it("records steps in the order they were written, each with its outcome", async () => {
      const runId = await store.startRun({ mode: "apply", source: "s1", tenants: ["A"] });
      const keys = ["Tenant/A", "SipTrunk/A/t1", "Pbx/A/main", "Number/+390612345"];
      const kinds = ["Tenant", "SipTrunk", "Pbx", "Number"] as const;
      for (const [i, key] of keys.entries()) {
        const seq = await store.startStep({
          runId,
          action: "create",
          kind: kinds[i] ?? "Tenant",
          key,
          tenant: "A",
        });
        expect(seq, key).toBe(i + 1);
      }
      await store.finishStep({ runId, seq: 1, state: "ok", requestId: "req-1", platformId: "c-1" });
      await store.finishStep({ runId, seq: 2, state: "terminal", error: "422 validation: bad endpoint" });
      await store.finishStep({ runId, seq: 4, state: "skipped", skipReason: "depends on SipTrunk/A/t1" });
      const got = (await store.listSteps(runId)).map((s) => [
        s.seq,
        s.key,
        s.state,
        s.requestId,
        s.error,
        s.skipReason,
      ]);
      expect(got).toEqual([
        [1, "Tenant/A", "ok", "req-1", null, null],
        [2, "SipTrunk/A/t1", "terminal", null, "422 validation: bad endpoint", null],
        [3, "Pbx/A/main", "started", null, null, null],
        [4, "Number/+390612345", "skipped", null, null, "depends on SipTrunk/A/t1"],
      ]);
    });

    it("keeps the caller's seq and hands out distinct ones to parallel steps", async () => {
      const runId = await store.startRun({ mode: "apply", source: "s1", tenants: ["A"] });
      expect(
        await store.startStep({ runId, seq: 7, action: "update", kind: "Pbx", key: "Pbx/A/x", tenant: "A" }),
      ).toBe(7);
      const seqs = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.startStep({ runId, action: "create", kind: "User", key: `User/A/u${i}@a.it`, tenant: "A" }),
        ),
      );
      expect([...seqs].sort((a, b) => a - b)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    });

    it("takes the duration given (whole ms), else measures it from start to finish", async () => {
      const runId = await store.startRun({ mode: "apply", source: "s1", tenants: ["A"] });
      const startedAt = new Date(Date.UTC(2026, 0, 1, 10, 0, 0));
      const finishedAt = new Date(startedAt.getTime() + 1234);
      for (const seq of [1, 2]) {
        await store.startStep({
          runId,
          seq,
          action: "create",
          kind: "Tenant",
          key: `Tenant/T${seq}`,
          tenant: "A",
          startedAt,
        });
      }
      await store.finishStep({ runId, seq: 1, state: "ok", finishedAt });
      await store.finishStep({ runId, seq: 2, state: "ok", finishedAt, durationMs: 98.6 });
      expect((await store.listSteps(runId)).map((s) => s.durationMs)).toEqual([1234, 99]);
    });

    it.each([
      {
        name: "a step of an unknown run",
        call: (s: Store) =>
          s.startStep({ runId: "nope", action: "create", kind: "Tenant", key: "Tenant/A", tenant: "A" }),
        want: errUnknownRun,
      },
      {
        name: "finishing a step never started",
        call: (s: Store) => s.finishStep({ runId: "nope", seq: 1, state: "ok" }),
        want: errUnknownStep,
      },
    ])("refuses $name", async ({ call, want }) => {
      await expect(call(store)).rejects.toThrow(want);
    });
  });

  describe("resource status", () => {
    it("takes each finished step's outcome as the resource's last outcome", async () => {
      const runId = await store.startRun({ mode: "apply", source: "s1", tenants: ["A"] });
      await store.startStep({ runId, action: "create", kind: "SipTrunk", key: "SipTrunk/A/t1", tenant: "A" });
      await store.finishStep({ runId, seq: 1, state: "failed", error: "503 unavailable" });
      expect(await store.listResourceStatus()).toMatchObject([
        {
          key: "SipTrunk/A/t1",
          kind: "SipTrunk",
          tenant: "A",
          lastOutcome: "failed",
          lastError: "503 unavailable",
          lastRunId: runId,
          drift: "unknown",
          driftDiffs: [],
        },
      ]);
    });

    it("changes only the fields a patch gives; null clears one", async () => {
      const key = "Pbx/A/main";
      const diffs = [
        { path: "spec.license", before: "basic", after: "plus" },
        { path: "spec.pin", sensitive: true },
      ];
      await store.setResourceStatus(key, {
        kind: "Pbx",
        tenant: "A",
        lastOutcome: "failed",
        lastError: "boom",
      });
      await store.setResourceStatus(key, { kind: "Pbx", tenant: "A", drift: "drifted", driftDiffs: diffs });
      expect((await store.listResourceStatus())[0]).toMatchObject({
        lastOutcome: "failed",
        lastError: "boom",
        drift: "drifted",
        driftDiffs: diffs,
      });
      await store.setResourceStatus(key, {
        kind: "Pbx",
        tenant: "A",
        lastError: null,
        drift: "in_sync",
        driftDiffs: [],
      });
      expect((await store.listResourceStatus())[0]).toMatchObject({
        lastOutcome: "failed",
        lastError: null,
        drift: "in_sync",
        driftDiffs: [],
      });
    });

    it("keeps who changed a drifted resource, with its time, until a patch sets or clears it", async () => {
      const key = "Extension/A/main/201";
      const changedBy = {
        actor: "mario.rossi",
        at: new Date(Date.UTC(2026, 0, 1, 9, 30, 0, 123)),
        ip: "192.0.2.10",
        log: "admin-console" as const,
        operation: "Modifica interno 201",
      };
      await store.setResourceStatus(key, { kind: "Extension", tenant: "A", drift: "drifted", changedBy });
      expect((await store.listResourceStatus())[0]?.changedBy).toEqual(changedBy);
      await store.setResourceStatus(key, { kind: "Extension", tenant: "A", lastError: "x" });
      expect((await store.listResourceStatus())[0]?.changedBy).toEqual(changedBy);
      await store.setResourceStatus(key, {
        kind: "Extension",
        tenant: "A",
        drift: "in_sync",
        changedBy: null,
      });
      expect((await store.listResourceStatus())[0]?.changedBy).toBeNull();
      await store.setResourceStatus("Tenant/A", { kind: "Tenant", tenant: "A" });
      expect((await store.listResourceStatus({ tenants: ["A"] })).map((s) => s.changedBy)).toEqual([
        null,
        null,
      ]);
    });

    it("lists the given tenants only", async () => {
      await store.setResourceStatus("Tenant/A", { kind: "Tenant", tenant: "A", drift: "in_sync" });
      await store.setResourceStatus("Tenant/B", { kind: "Tenant", tenant: "B", drift: "in_sync" });
      expect((await store.listResourceStatus({ tenants: ["B"] })).map((s) => s.key)).toEqual(["Tenant/B"]);
    });
  });

  describe("values holding a NUL character (U+0000), as live values may", () => {
    it("stores them escaped as \\u0000 in text and JSON columns instead of failing", async () => {
      const nul = "Hotel\u0000Lago";
      const key = "Pbx/A/front\u0000desk";
      await store.setResourceStatus(key, {
        kind: "Pbx",
        tenant: "A",
        drift: "drifted",
        driftDiffs: [{ path: "spec.name", before: nul, after: "Hotel Lago" }],
        lastError: `platform said: ${nul}`,
      });
      const [got] = await store.listResourceStatus({ tenants: ["A"] });
      expect(got?.key).toBe("Pbx/A/front\\u0000desk");
      expect(got?.driftDiffs).toEqual([
        { path: "spec.name", before: "Hotel\\u0000Lago", after: "Hotel Lago" },
      ]);
      expect(got?.lastError).toBe("platform said: Hotel\\u0000Lago");
      await store.upsertInventory(entry({ secretHashes: { "spec.pin": nul } }));
      expect((await store.getInventory("Tenant/ACME"))?.secretHashes).toEqual({
        "spec.pin": "Hotel\\u0000Lago",
      });
    });
  });

  describe("every string PostgreSQL cannot hold (NUL, lone surrogates), as live values may", () => {
    it.each([
      { name: "NUL", raw: "a\u0000b", want: "a\\u0000b" },
      { name: "a lone high surrogate", raw: "a\uD83Db", want: "a\\ud83db" },
      { name: "a lone low surrogate", raw: "a\uDE00b", want: "a\\ude00b" },
      { name: "a high surrogate at the end", raw: "ab\uD83D", want: "ab\\ud83d" },
      { name: "two high surrogates in a row", raw: "\uD83D\uD83D\uDE00", want: "\\ud83d\uD83D\uDE00" },
      { name: "a whole pair (kept)", raw: "a\uD83D\uDE00b", want: "a\uD83D\uDE00b" },
    ])("stores $name visibly escaped in text and jsonb columns", async ({ raw, want }) => {
      await store.setResourceStatus("Tenant/A", {
        kind: "Tenant",
        tenant: "A",
        drift: "drifted",
        driftDiffs: [{ path: "spec.name", before: raw, after: "x" }],
        lastError: raw,
      });
      const [got] = await store.listResourceStatus({ tenants: ["A"] });
      expect(got?.driftDiffs).toEqual([{ path: "spec.name", before: want, after: "x" }]);
      expect(got?.lastError).toBe(want);
    });
  });

  describe("database failures", () => {
    it.each([
      {
        name: "a row the schema forbids",
        call: (s: Store) => s.upsertInventory(entry({ state: "gone" as InventoryEntry["state"] })),
        want: "inventory_state_check",
      },
      {
        name: "a managed entry without a platform id",
        call: (s: Store) => s.upsertInventory(entry({ platformId: null })),
        want: "inventory_check",
      },
    ])("wraps $name as a StoreError", async ({ call, want }) => {
      const err = await call(store).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).reason).toBe(errQuery);
      expect((err as Error).message).toContain(want);
    });

    it("wraps a query on a closed store as a StoreError", async () => {
      await store.close();
      await expect(store.listRuns()).rejects.toThrow(errQuery);
    });
  });
});

describe("writes seen by another process (two stores on one server)", () => {
  it("shows each step and inventory change to the other store as soon as the call returns", async () => {
    const db = await postgresTarget.fresh();
    try {
      const [writer, reader] = [await db.open(), await db.open()];
      const runId = await writer.startRun({ mode: "apply", source: "s1", tenants: ["A"] });
      await writer.markCreating(entry({ key: "Tenant/A", tenant: "A", platformId: null }));
      await writer.startStep({ runId, action: "create", kind: "Tenant", key: "Tenant/A", tenant: "A" });
      expect((await reader.listSteps(runId)).map((s) => s.state)).toEqual(["started"]);
      expect((await reader.getInventory("Tenant/A"))?.state).toBe("creating");
      await writer.upsertInventory(entry({ key: "Tenant/A", tenant: "A", platformId: "c-7" }));
      await writer.finishStep({ runId, seq: 1, state: "ok", platformId: "c-7" });
      expect((await reader.listSteps(runId)).map((s) => [s.state, s.platformId])).toEqual([["ok", "c-7"]]);
      expect((await reader.getInventory("Tenant/A"))?.platformId).toBe("c-7");
    } finally {
      await db.dispose();
    }
  });
});
