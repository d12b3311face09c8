import fc from "fast-check";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { AnyDesiredResource } from "../../model/desired-state.js";
import type { InventoryEntry } from "../../model/inventory.js";
import type { LiveStatus } from "../../model/live-state.js";
import type { Plan } from "../../model/plan.js";
import { desiredStateOf, FakePlatform, liveOf, make, testHash } from "../../test-support/fakes.js";
import { MemoryRecorder } from "../../test-support/memory-recorder.js";
import { secretHashesOf } from "../plan/diff.js";
import { plan } from "../plan/plan.js";
import { apply } from "./apply.js";

const T = "ACME";
const pbxNames = ["p1", "p2"];
const trunkNames = ["t1", "t2"];
const emails = ["a@acme.it", "b@acme.it"];

/** One random world: which resources exist and with which field values. */
const worldArb = fc.record({
  tenant: fc.boolean(),
  tenantStatus: fc.constantFrom("active" as const, "suspended" as const),
  pbxs: fc.subarray(pbxNames),
  callCenter: fc.boolean(),
  pbxStatus: fc.constantFrom("active" as const, "suspended" as const),
  trunks: fc.subarray(trunkNames),
  trunkPassword: fc.option(fc.constantFrom("pw-1", "pw-2")),
  users: fc.subarray(emails),
  department: fc.option(fc.constantFrom("Sales", "Ops")),
  exts: fc.array(
    fc.record({
      pbx: fc.nat(1),
      number: fc.constantFrom("100", "101", "102"),
      user: fc.option(fc.nat(1)),
      license: fc.constantFrom("start" as const, "plus" as const),
      status: fc.constantFrom("active" as const, "suspended" as const),
      pin: fc.constantFrom("1111", "2222"),
    }),
    { maxLength: 4 },
  ),
  numbers: fc.array(
    fc.record({
      e164: fc.constantFrom("+390200000100", "+390200000200"),
      pbx: fc.nat(1),
      trunk: fc.nat(1),
      blockDigits: fc.constantFrom(1 as const, 2 as const, 3 as const),
    }),
    { maxLength: 2 },
  ),
});
type World = typeof worldArb extends fc.Arbitrary<infer W> ? W : never;

/** The resources of a world: consistent (children only under parents that exist), one per key. */
function resourcesOf(w: World): AnyDesiredResource[] {
  if (!w.tenant) return [];
  const out: AnyDesiredResource[] = [make.tenant(T, { spec: { status: w.tenantStatus } })];
  for (const p of w.pbxs)
    out.push(make.pbx(T, p, { spec: { callCenter: w.callCenter, status: w.pbxStatus } }));
  for (const t of w.trunks) out.push(make.trunk(T, t, w.trunkPassword ?? undefined));
  for (const e of w.users)
    out.push(make.user(T, e, w.department ? { spec: { department: w.department } } : {}));
  for (const x of w.exts) {
    const pbx = w.pbxs[x.pbx % Math.max(1, w.pbxs.length)];
    if (!pbx) continue;
    const user = x.user === null ? undefined : w.users[x.user % Math.max(1, w.users.length)];
    out.push(
      make.extension(T, pbx, x.number, x.pin, user, { spec: { license: x.license, status: x.status } }),
    );
  }
  for (const n of w.numbers) {
    const pbx = w.pbxs[n.pbx % Math.max(1, w.pbxs.length)];
    const trunk = w.trunks[n.trunk % Math.max(1, w.trunks.length)];
    if (pbx && trunk) out.push(make.number(T, n.e164, pbx, trunk, { spec: { blockDigits: n.blockDigits } }));
  }
  const seen = new Set<string>();
  return out.filter((r) => !seen.has(r.key) && seen.add(r.key));
}

type Ownership = "managed" | "unmanaged" | "creating";

/** Inventory for a live world: what is not declared must be ours (hand-made objects are never deleted). */
function inventoryOf(
  desired: AnyDesiredResource[],
  live: AnyDesiredResource[],
  own: (key: string) => Ownership,
  secretsKnown: (key: string) => boolean,
): InventoryEntry[] {
  const declared = new Map(desired.map((d) => [d.key, d]));
  const liveKeys = new Set(live.map((l) => l.key));
  const entries: InventoryEntry[] = [];
  for (const r of [...live, ...desired.filter((d) => !liveKeys.has(d.key))]) {
    const d = declared.get(r.key);
    const o = d ? own(r.key) : "managed";
    if (o === "unmanaged") continue;
    const hashes = d && secretsKnown(r.key) ? secretHashesOf(d.kind, d.spec, testHash) : {};
    entries.push({
      key: r.key,
      kind: r.kind,
      tenant: r.tenant,
      platformId: o === "creating" ? null : `live-${r.key}`,
      source: "repo",
      state: o === "creating" ? "creating" : "managed",
      secretHashes: o === "creating" ? {} : hashes,
    });
  }
  return entries;
}

const changed = (p: Plan) => p.changes.filter((c) => c.action !== "noop").map((c) => `${c.action} ${c.key}`);

describe("convergence", () => {
  it("apply, then plan again, yields no changes, for random desired and live worlds", async () => {
    await fc.assert(
      fc.asyncProperty(
        worldArb,
        worldArb,
        fc.boolean(),
        fc.boolean(),
        fc.func(fc.constantFrom<Ownership>("managed", "unmanaged", "creating")),
        fc.func(fc.boolean()),
        async (dw, lw, prune, pending, own, secretsKnown) => {
          const desired = resourcesOf(dw);
          const liveDocs = resourcesOf(lw);
          const status = (s: LiveStatus): LiveStatus => (pending && s === "active" ? "pending" : s);
          const live = liveDocs.map((d) => {
            const l = liveOf(d, `live-${d.key}`);
            return { ...l, status: status(l.status) };
          });
          const platform = new FakePlatform({ live });
          const recorder = new MemoryRecorder({
            inventory: inventoryOf(desired, liveDocs, own, secretsKnown),
          });
          const state = desiredStateOf(desired);
          const replan = () =>
            plan(state, platform.liveState([T]), recorder.entries(), {
              source: "repo",
              hashSecret: testHash,
              prune,
              allowMassDelete: true,
            });
          const first = replan();
          expect(first.refusals).toEqual([]);
          const result = await apply(
            first,
            { adapters: platform.adapters(), store: recorder, logger: pino({ level: "silent" }) },
            { source: "repo", runId: "prop" },
          );
          const failures = result.steps.filter((s) => s.outcome !== "ok").map((s) => `${s.key}: ${s.error}`);
          expect(failures, `plan was ${changed(first).join(", ")}`).toEqual([]);
          const second = replan();
          expect(changed(second), `first plan was ${changed(first).join(", ")}`).toEqual([]);
          expect(second.drift).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("orders every plan so that each dependsOn key names an earlier change", () => {
    fc.assert(
      fc.property(worldArb, worldArb, fc.boolean(), (dw, lw, prune) => {
        const desired = resourcesOf(dw);
        const liveDocs = resourcesOf(lw);
        const live = new FakePlatform({ live: liveDocs.map((d) => liveOf(d, `live-${d.key}`)) }).liveState([
          T,
        ]);
        const inventory = inventoryOf(
          desired,
          liveDocs,
          () => "managed",
          () => true,
        );
        const p = plan(desiredStateOf(desired), live, inventory, {
          source: "repo",
          hashSecret: testHash,
          prune,
        });
        const seen = new Set<string>();
        for (const c of p.changes) {
          const later = c.dependsOn.filter((k) => !seen.has(k));
          expect(later, `${c.action} ${c.key} waits for changes not before it`).toEqual([]);
          seen.add(c.key);
        }
      }),
      { numRuns: 300 },
    );
  });
});
