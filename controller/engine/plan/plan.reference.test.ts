/**
 * The planner against a straightforward reference: the algorithms as they were before
 * they were made fast for 100k resources (flattened maps per comparison, a comparator
 * sort, a set and an array per change), kept here and only here. For random worlds, the
 * JSON of both plans (`planToJson`, and every change with its noops, ids, secret hashes
 * and dependencies) must be the same string.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AnyDesiredResource, DesiredState, KindName } from "../../model/desired-state.js";
import { Secret } from "../../model/desired-state.js";
import type { InventoryEntry } from "../../model/inventory.js";
import { tenantKey } from "../../model/keys.js";
import type { AnyLiveResource, LiveState, LiveStatus } from "../../model/live-state.js";
import type { FieldDiff, Plan, PlannedChange } from "../../model/plan.js";
import { desiredStateOf, liveOf, liveStateOf, make, testHash } from "../../test-support/fakes.js";
import { compareSpecs, createDiffs } from "./diff.js";
import { compareChanges, parentKeys } from "./graph.js";
import { plan, reasons } from "./plan.js";
import {
  notCompared,
  type PlanPolicy,
  type PlanPolicyInput,
  replaceOnlyKinds,
  resolvePlanPolicy,
  secretFields,
  statusKinds,
} from "./policy.js";
import { planToJson } from "./render.js";

// ---- The reference: field comparison through flattened maps. ----

function refFlatten(value: unknown, prefix = "spec", out = new Map<string, unknown>()) {
  if (value instanceof Secret) return out;
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) refFlatten(v, `${prefix}.${k}`, out);
    return out;
  }
  if (value !== undefined) out.set(prefix, value);
  return out;
}

function refCompared(kind: KindName, path: string): boolean {
  for (const s of [...(secretFields[kind] ?? []), ...(notCompared[kind] ?? [])])
    if (path === s || path.startsWith(`${s}.`)) return false;
  return true;
}

function refIgnored(path: string, ignore: readonly string[]): boolean {
  for (const rule of ignore) {
    const full = rule.startsWith("spec.") || rule === "spec" ? rule : `spec.${rule}`;
    if (path === full || path.startsWith(`${full}.`)) return true;
  }
  return false;
}

function refSame(path: string, a: unknown, b: unknown): boolean {
  const x = a ?? undefined;
  const y = b ?? undefined;
  if (x === y) return true;
  if (typeof x === "string" && typeof y === "string" && path.endsWith("email"))
    return x.toLowerCase() === y.toLowerCase();
  if (typeof x === "object" && typeof y === "object") return JSON.stringify(x) === JSON.stringify(y);
  return false;
}

const byPath = (a: FieldDiff, b: FieldDiff) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

function refCompareSpecs(
  kind: KindName,
  desiredSpec: unknown,
  live: { spec: unknown; status: LiveStatus },
  ignore: readonly string[],
  desiredHashes: Record<string, string>,
  recordedHashes: Record<string, string>,
): FieldDiff[] {
  const want = refFlatten(desiredSpec);
  const have = refFlatten(live.spec);
  if (statusKinds.has(kind)) {
    have.set("spec.status", live.status === "pending" ? "active" : live.status);
    if (!want.has("spec.status")) want.set("spec.status", "active");
  }
  const diffs: FieldDiff[] = [];
  for (const path of new Set([...want.keys(), ...have.keys()])) {
    if (!refCompared(kind, path) || refIgnored(path, ignore)) continue;
    const before = have.get(path);
    const after = want.get(path);
    if (!refSame(path, before, after)) diffs.push({ path, before, after });
  }
  for (const [path, hash] of Object.entries(desiredHashes)) {
    if (!refIgnored(path, ignore) && recordedHashes[path] !== hash) diffs.push({ path, sensitive: true });
  }
  return diffs.sort(byPath);
}

function refSecretHashes(kind: KindName, spec: unknown, hash: PlanPolicy["hashSecret"]) {
  const hashes: Record<string, string> = {};
  for (const path of secretFields[kind] ?? []) {
    let v: unknown = spec;
    for (const part of path.split(".").slice(1))
      v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined;
    const plain = v instanceof Secret ? v.reveal() : typeof v === "string" ? v : undefined;
    if (plain !== undefined) hashes[path] = hash(path, plain);
  }
  return hashes;
}

// ---- The reference planner: spreads per change, comparator sort, a set per change. ----

const kinds: readonly (keyof DesiredState)[] = [
  "tenants",
  "users",
  "trunks",
  "pbxs",
  "numbers",
  "extensions",
];

function refPlan(
  desired: DesiredState,
  live: LiveState,
  inventory: readonly InventoryEntry[],
  input: PlanPolicyInput,
) {
  const policy = resolvePlanPolicy(input);
  const scope = new Set(live.scope);
  const out: Plan = { changes: [], drift: [], refusals: [], warnings: [] };
  const byKey = new Map<string, AnyDesiredResource>();
  const skipped = new Set<string>();
  const where = (d: AnyDesiredResource) => `${d.source.file}:${d.source.line}:${d.source.col}`;
  for (const k of kinds)
    for (const d of desired[k] as AnyDesiredResource[]) {
      if (!scope.has(d.tenant)) {
        skipped.add(d.tenant);
        continue;
      }
      const seen = byKey.get(d.key);
      if (seen) out.refusals.push(`${d.key} is declared twice: ${where(seen)} and ${where(d)}`);
      else byKey.set(d.key, d);
    }
  for (const t of [...skipped].sort())
    out.warnings.push(`tenant ${t} was not observed: its resources are not planned`);
  const liveByKey = new Map<string, AnyLiveResource>();
  for (const k of kinds) for (const l of live[k] as AnyLiveResource[]) liveByKey.set(l.key, l);
  const mine = new Map<string, InventoryEntry>();
  const others = new Map<string, InventoryEntry>();
  for (const e of inventory) (e.source === policy.source ? mine : others).set(e.key, e);
  for (const d of byKey.values()) {
    const other = others.get(d.key);
    if (other && !mine.has(d.key)) {
      out.refusals.push(
        `${d.key} is owned by source "${other.source}" and also declared by source "${policy.source}" ` +
          `(${where(d)}); remove it from one of them`,
      );
      continue;
    }
    refPlanDesired(d, liveByKey.get(d.key), mine.get(d.key), policy, out);
  }
  for (const e of mine.values()) {
    if (!scope.has(e.tenant) || byKey.has(e.key)) continue;
    refPlanRemoved(e, liveByKey.get(e.key), byKey.get(tenantKey(e.tenant)), policy, out);
  }
  if (!policy.allowMassDelete) {
    const managed = new Map<string, number>();
    for (const e of mine.values())
      if (scope.has(e.tenant)) managed.set(e.tenant, (managed.get(e.tenant) ?? 0) + 1);
    const deletes = new Map<string, number>();
    for (const c of out.changes)
      if (c.action === "delete" && !c.replaces) deletes.set(c.tenant, (deletes.get(c.tenant) ?? 0) + 1);
    for (const [tenant, n] of [...deletes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const total = managed.get(tenant) ?? n;
      const share = n / total;
      if (n < total && share <= policy.maxDeleteShare) continue;
      const what = n >= total ? "everything it manages" : `${Math.round(share * 100)}%`;
      out.refusals.push(
        `tenant ${tenant}: the plan deletes ${n} of ${total} managed objects (${what}); more than ` +
          `${Math.round(policy.maxDeleteShare * 100)}% needs --allow-mass-delete`,
      );
    }
  }
  out.changes.sort(compareChanges);
  const created = new Set<string>();
  out.changes = out.changes.filter((c) => {
    if (c.action !== "create" || !c.desired) return true;
    const missing = parentKeys(c.desired).find((p) => !liveByKey.has(p) && !created.has(p));
    if (missing) {
      out.warnings.push(
        `${c.key} is not created: ${missing} is neither on the platform nor created by this plan`,
      );
      return false;
    }
    created.add(c.key);
    return true;
  });
  refLink(out.changes);
  out.drift.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

function refPlanDesired(
  d: AnyDesiredResource,
  l: AnyLiveResource | undefined,
  entry: InventoryEntry | undefined,
  policy: PlanPolicy,
  out: Plan,
): void {
  const mode = d.policy.driftMode;
  const hashes = refSecretHashes(d.kind, d.spec, policy.hashSecret);
  const base = { kind: d.kind, key: d.key, tenant: d.tenant, dependsOn: [], desired: d, policy: d.policy };
  if (!l) {
    const diffs = createDiffs(d.kind, d.spec, Object.keys(hashes));
    if (mode !== "enforce") {
      out.drift.push({ key: d.key, kind: d.kind, tenant: d.tenant, mode, diffs, missing: true });
      return;
    }
    const reason = !entry
      ? reasons.create
      : entry.state === "creating"
        ? reasons.createResume
        : reasons.recreate;
    out.changes.push({ ...base, action: "create", diffs, reason, secretHashes: hashes });
    return;
  }
  const recorded = entry?.state === "managed" ? entry.secretHashes : {};
  const diffs = refCompareSpecs(d.kind, d.spec, l, d.policy.ignore, hashes, recorded);
  const fix = mode === "enforce" ? diffs : [];
  const after: Record<string, string> = {};
  for (const [path, hash] of Object.entries(hashes)) {
    const written = fix.some((x) => x.sensitive && x.path === path);
    const kept = written || recorded[path] === hash ? hash : recorded[path];
    if (kept !== undefined) after[path] = kept;
  }
  const withLive = { ...base, id: l.id, live: l, secretHashes: after };
  if (mode !== "enforce" && diffs.length > 0)
    out.drift.push({ key: d.key, kind: d.kind, tenant: d.tenant, mode, diffs });
  const replace = fix.length > 0 && replaceOnlyKinds.has(d.kind);
  if (!entry || entry.state === "creating") {
    const reason = entry ? reasons.adoptResume : reasons.adopt;
    out.changes.push({ ...withLive, action: "adopt", diffs: replace ? [] : fix, reason });
  } else if (fix.length === 0) {
    out.changes.push({
      ...withLive,
      action: "noop",
      diffs: [],
      reason: diffs.length ? reasons.driftOnly : reasons.noop,
    });
  } else if (!replace) {
    out.changes.push({ ...withLive, action: "update", diffs: fix, reason: reasons.update });
  }
  if (replace) {
    out.changes.push({ ...withLive, action: "delete", diffs: fix, reason: reasons.replace, replaces: true });
    const { id: _id, live: _live, ...fresh } = withLive;
    out.changes.push({ ...fresh, action: "create", diffs: fix, reason: reasons.replace, replaces: true });
  }
}

function refPlanRemoved(
  e: InventoryEntry,
  l: AnyLiveResource | undefined,
  tenantDoc: AnyDesiredResource | undefined,
  policy: PlanPolicy,
  out: Plan,
): void {
  if (!policy.prune) {
    out.warnings.push(`${e.key} was removed from the source; left on the platform (prune off)`);
    return;
  }
  const mode = tenantDoc?.policy.driftMode ?? "enforce";
  if (mode !== "enforce" && l) {
    out.warnings.push(
      `${e.key} was removed from the source; not deleted: tenant ${e.tenant} is in ${mode} mode`,
    );
    return;
  }
  const base = { kind: e.kind, key: e.key, tenant: e.tenant, diffs: [], dependsOn: [] };
  if (!l) out.changes.push({ ...base, action: "forget", reason: reasons.gone });
  else if (e.deletionPolicy === "orphan")
    out.changes.push({ ...base, action: "forget", id: l.id, live: l, reason: reasons.orphan });
  else out.changes.push({ ...base, action: "delete", id: l.id, live: l, reason: reasons.delete });
}

function refLink(sorted: PlannedChange[]): void {
  const writes = new Set<string>();
  const childrenOf = new Map<string, Set<string>>();
  const tenantChanges = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, k: string, v: string) => m.set(k, (m.get(k) ?? new Set()).add(v));
  for (const c of sorted) {
    if (c.action === "create" || c.action === "adopt" || c.action === "update") writes.add(c.key);
    if ((c.action === "delete" || c.action === "update" || c.action === "adopt") && c.live) {
      for (const p of parentKeys(c.live)) add(childrenOf, p, c.key);
      if (c.kind !== "Tenant") add(tenantChanges, c.tenant, c.key);
    }
  }
  for (const c of sorted) {
    const deps = new Set<string>();
    if (c.action === "create" || c.action === "adopt" || c.action === "update") {
      if (c.desired) for (const p of parentKeys(c.desired)) if (writes.has(p)) deps.add(p);
      if (c.action === "create" && c.replaces) deps.add(c.key);
    } else if (c.action === "delete") {
      for (const k of childrenOf.get(c.key) ?? []) if (k !== c.key) deps.add(k);
      if (c.kind === "Tenant") for (const k of tenantChanges.get(c.tenant) ?? []) deps.add(k);
    }
    c.dependsOn = [...deps].sort();
  }
}

/** A plan as JSON: `planToJson` plus every change (noops too) with what apply reads. */
function planJson(p: Plan): string {
  const changes = p.changes.map((c) => ({
    action: c.action,
    key: c.key,
    kind: c.kind,
    tenant: c.tenant,
    id: c.id,
    reason: c.reason,
    replaces: c.replaces,
    dependsOn: c.dependsOn,
    diffs: c.diffs,
    secretHashes: c.secretHashes,
    desired: c.desired?.key,
    live: c.live?.id,
    policy: c.policy,
  }));
  return JSON.stringify({ json: planToJson(p), changes });
}

// ---- Random worlds: two tenants, every kind, drift, ownership, policies. ----

const tenants = ["T1", "T2"];
function candidates(t: string): AnyDesiredResource[] {
  return [
    make.tenant(t),
    make.user(t, "a@x.it"),
    make.user(t, "b@x.it"),
    make.trunk(t, "tr1", "pw-1"),
    make.trunk(t, "tr2"),
    make.pbx(t, "p1"),
    make.pbx(t, "p2"),
    make.number(t, `+39${t === "T1" ? 1 : 2}00`, "p1", "tr1"),
    make.number(t, `+39${t === "T1" ? 1 : 2}01`, "p2", "tr2"),
    make.extension(t, "p1", "100", "1111", "a@x.it"),
    make.extension(t, "p1", "101", "2222"),
    make.extension(t, "p2", "100", "1111", "b@x.it"),
  ];
}
const pool = tenants.flatMap(candidates);

const choiceArb = fc.record({
  declared: fc.constantFrom(0, 1, 1, 1, 2),
  driftMode: fc.constantFrom("enforce", "enforce", "warn", "observe") as fc.Arbitrary<
    "enforce" | "warn" | "observe"
  >,
  deletionPolicy: fc.constantFrom("delete", "orphan") as fc.Arbitrary<"delete" | "orphan">,
  ignore: fc.subarray(
    ["license", "spec.status", "user", "pin", "spec.password", "description", "blockDigits"],
    {
      maxLength: 2,
    },
  ),
  specEdit: fc.constantFrom(
    "none",
    "license",
    "status",
    "email",
    "userNull",
    "blockDigits",
    "department",
    "pin",
  ),
  onLive: fc.boolean(),
  liveStatus: fc.constantFrom<LiveStatus>("active", "suspended", "pending"),
  liveEdit: fc.constantFrom(
    "none",
    "license",
    "emailCase",
    "userNull",
    "extra",
    "blockDigits",
    "description",
  ),
  inventory: fc.constantFrom("none", "managed", "managed", "creating", "other"),
  recorded: fc.constantFrom("same", "old", "none"),
});

function edit(d: AnyDesiredResource, e: string): AnyDesiredResource {
  const spec = { ...(d.spec as Record<string, unknown>) };
  if (e === "license" && d.kind === "Extension") spec.license = "plus";
  if (e === "status" && statusKinds.has(d.kind)) spec.status = "suspended";
  if (e === "email" && spec.user) spec.user = { email: "B@X.IT" };
  if (e === "userNull" && d.kind === "Extension") spec.user = null;
  if (e === "blockDigits" && d.kind === "Number") spec.blockDigits = 3;
  if (e === "department" && d.kind === "User") spec.department = "Ops";
  if (e === "pin" && d.kind === "Extension") spec.pin = new Secret("9999", "env:PIN");
  return { ...d, spec } as AnyDesiredResource;
}

function liveEdit(l: AnyLiveResource, e: string): AnyLiveResource {
  const spec = { ...(l.spec as Record<string, unknown>) };
  if (e === "license" && l.kind === "Extension") spec.license = "plus";
  if (e === "emailCase" && typeof spec.email === "string") spec.email = spec.email.toUpperCase();
  if (e === "userNull" && l.kind === "Extension") spec.user = null;
  if (e === "extra") spec.extra = [1, { a: 2 }];
  if (e === "blockDigits" && l.kind === "Number") spec.blockDigits = 1;
  if (e === "description" && l.kind === "SipTrunk") spec.description = null;
  return { ...l, spec } as AnyLiveResource;
}

const worldArb = fc.record({
  choices: fc.array(choiceArb, { minLength: pool.length, maxLength: pool.length }),
  scope: fc.constantFrom<string[]>(["T1"], ["T1", "T2"], ["T2"]),
  reversed: fc.boolean(),
  prune: fc.boolean(),
  allowMassDelete: fc.boolean(),
  maxDeleteShare: fc.constantFrom(0, 0.2, 0.5, 1),
});

function build(w: typeof worldArb extends fc.Arbitrary<infer W> ? W : never) {
  const desired: AnyDesiredResource[] = [];
  const live: AnyLiveResource[] = [];
  const inventory: InventoryEntry[] = [];
  pool.forEach((base, i) => {
    const c = w.choices[i];
    if (!c) return;
    const d = edit(
      { ...base, policy: { driftMode: c.driftMode, deletionPolicy: c.deletionPolicy, ignore: c.ignore } },
      c.specEdit,
    );
    for (let n = 0; n < c.declared; n++)
      desired.push({ ...d, source: { file: `f${n}.yaml`, line: i, col: 1 } });
    if (c.onLive) live.push(liveEdit(liveOf(base, `id-${i}`, c.liveStatus), c.liveEdit));
    if (c.inventory !== "none") {
      const hashes =
        c.recorded === "none"
          ? {}
          : refSecretHashes(base.kind, c.recorded === "same" ? d.spec : base.spec, testHash);
      inventory.push({
        key: base.key,
        kind: base.kind,
        tenant: base.tenant,
        platformId: c.onLive ? `id-${i}` : null,
        source: c.inventory === "other" ? "other" : "repo",
        state: c.inventory === "creating" ? "creating" : "managed",
        secretHashes: c.inventory === "creating" ? {} : hashes,
        deletionPolicy: c.deletionPolicy,
      });
    }
  });
  if (w.reversed) {
    desired.reverse();
    live.reverse();
    inventory.reverse();
  }
  const policy: PlanPolicyInput = {
    source: "repo",
    hashSecret: testHash,
    prune: w.prune,
    allowMassDelete: w.allowMassDelete,
    maxDeleteShare: w.maxDeleteShare,
  };
  return { desired: desiredStateOf(desired), live: liveStateOf(live, w.scope), inventory, policy };
}

describe("plan against the reference planner", () => {
  it("gives byte-identical JSON for random worlds (drift, ownership, prune, replacements)", () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const a = build(w);
        const b = build(w);
        const got = planJson(plan(a.desired, a.live, a.inventory, a.policy));
        const want = planJson(refPlan(b.desired, b.live, b.inventory, b.policy));
        expect(got).toBe(want);
      }),
      { numRuns: 400 },
    );
  });
});

// ---- compareSpecs against the flattened-map comparison, for any spec shape. ----

const keyArb = fc.constantFrom(
  "number",
  "status",
  "email",
  "user",
  "license",
  "a.b",
  "a",
  "b",
  "",
  "pin",
  "x.email",
);
const leafArb = fc.oneof(
  fc.constantFrom("v", "V", "active", "suspended", "A@X.IT", "a@x.it", 0, 1, true, false, null, undefined),
  fc.constant(new Secret("s", "env:S")),
  fc.array(fc.constantFrom(1, "a", null), { maxLength: 2 }),
);
const specArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.dictionary(keyArb, fc.oneof({ depthSize: "small" }, leafArb, tie("node")), { maxKeys: 5 }),
})).node;

describe("compareSpecs against the flattened comparison", () => {
  it("gives the same diffs for any spec shape: dotted keys, nulls, arrays, secrets, nodes against leaves", () => {
    const kindArb = fc.constantFrom<KindName>("Tenant", "User", "SipTrunk", "Pbx", "Number", "Extension");
    const ignoreArb = fc.subarray(["status", "spec.user", "a", "a.b", "email", "spec.pin", "spec"], {
      maxLength: 2,
    });
    fc.assert(
      fc.property(
        kindArb,
        fc.oneof(specArb, leafArb),
        specArb,
        fc.constantFrom<LiveStatus>("active", "suspended", "pending"),
        ignoreArb,
        fc.boolean(),
        (kind, want, have, status, ignore, sameHash) => {
          const hashes: Record<string, string> = kind === "Extension" ? { "spec.pin": "h1" } : {};
          const recorded = sameHash ? hashes : { "spec.pin": "h0" };
          const live = { spec: have, status };
          expect(JSON.stringify(compareSpecs(kind, want, live, ignore, hashes, recorded))).toBe(
            JSON.stringify(refCompareSpecs(kind, want, live, ignore, hashes, recorded)),
          );
          expect(compareSpecs(kind, want, live, ignore, hashes, recorded)).toEqual(
            refCompareSpecs(kind, want, live, ignore, hashes, recorded),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });
});
