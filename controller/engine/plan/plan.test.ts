import { describe, expect, it } from "vitest";
import type { AnyDesiredResource } from "../../model/desired-state.js";
import type { InventoryEntry } from "../../model/inventory.js";
import type { AnyLiveResource } from "../../model/live-state.js";
import type { Plan } from "../../model/plan.js";
import {
  desiredStateOf,
  liveOf,
  liveStateOf,
  make,
  managedEntry,
  testHash,
} from "../../test-support/fakes.js";
import { isEmptyPlan, plan, reasons } from "./plan.js";
import type { PlanPolicy } from "./policy.js";

const T = "ACME";
const tenant = make.tenant(T);
const pbx = make.pbx(T, "main");
const trunk = make.trunk(T, "tim", "trunk-secret");
const user = make.user(T, "ada@acme.it");
const ext = make.extension(T, "main", "100", "pin-1234", "ada@acme.it");
const num = make.number(T, "+390212345600", "main", "tim");
const all: AnyDesiredResource[] = [tenant, pbx, trunk, user, ext, num];

/** Live copies and managed inventory entries of the given desired resources. */
function world(resources: AnyDesiredResource[]) {
  const live = resources.map((d, i) => liveOf(d, `id-${i}`));
  const inv = resources.map((d, i) => managedEntry(d, `id-${i}`));
  return { live, inv };
}

function run(
  desired: AnyDesiredResource[],
  live: AnyLiveResource[],
  inv: InventoryEntry[],
  policy: Partial<PlanPolicy> = {},
): Plan {
  return plan(desiredStateOf(desired), liveStateOf(live, [T]), inv, {
    source: "repo",
    hashSecret: testHash,
    ...policy,
  });
}

/** The plan's non-noop changes as "action key" lines, in plan order. */
const lines = (p: Plan) => p.changes.filter((c) => c.action !== "noop").map((c) => `${c.action} ${c.key}`);
const change = (p: Plan, key: string) => p.changes.find((c) => c.key === key && c.action !== "delete");

describe("plan: one resource, each action", () => {
  const { live, inv } = world(all);
  const pbxLive = live[1] as AnyLiveResource;
  const pbxInv = inv[1] as InventoryEntry;
  const rest = { live: live.filter((l) => l !== pbxLive), inv: inv.filter((e) => e !== pbxInv) };
  const cases: {
    name: string;
    live: AnyLiveResource[];
    inv: InventoryEntry[];
    want: string;
    reason: string;
  }[] = [
    {
      name: "creates a PBX that is not on the platform",
      live: rest.live,
      inv: rest.inv,
      want: "create",
      reason: reasons.create,
    },
    { name: "leaves a PBX that is equal alone", live, inv, want: "noop", reason: reasons.noop },
    {
      name: "adopts a PBX on the platform that the inventory lacks",
      live,
      inv: rest.inv,
      want: "adopt",
      reason: reasons.adopt,
    },
    {
      name: "creates again a managed PBX gone from the platform",
      live: rest.live,
      inv,
      want: "create",
      reason: reasons.recreate,
    },
    {
      name: "creates again after an interrupted create that left nothing",
      live: rest.live,
      inv: [...rest.inv, { ...pbxInv, state: "creating", platformId: null }],
      want: "create",
      reason: reasons.createResume,
    },
    {
      name: "adopts after an interrupted create that left the object",
      live,
      inv: [...rest.inv, { ...pbxInv, state: "creating", platformId: null }],
      want: "adopt",
      reason: reasons.adoptResume,
    },
  ];
  it.each(cases)("$name", (tc) => {
    const p = run(all, tc.live, tc.inv);
    const c = change(p, pbx.key);
    expect({ action: c?.action, reason: c?.reason }, `want ${tc.want}, got ${c?.action}`).toEqual({
      action: tc.want,
      reason: tc.reason,
    });
    expect(p.refusals).toEqual([]);
  });
});

describe("plan: field diffs", () => {
  const cases: {
    name: string;
    desired: AnyDesiredResource;
    live: AnyLiveResource;
    want: { path: string; before?: unknown; after?: unknown; sensitive?: boolean }[];
  }[] = [
    {
      name: "reports a changed field with before and after",
      desired: make.pbx(T, "main", { spec: { callCenter: true } }),
      live: liveOf(pbx, "id-1"),
      want: [{ path: "spec.callCenter", before: false, after: true }],
    },
    {
      name: "ignores a field under an ignore path given with spec.",
      desired: make.user(T, "ada@acme.it", {
        spec: { department: "Sales" },
        policy: { ignore: ["spec.department"] },
      }),
      live: liveOf(user, "id-1"),
      want: [],
    },
    {
      name: "ignores a field under an ignore path given without spec.",
      desired: make.pbx(T, "main", { spec: { hotel: true }, policy: { ignore: ["hotel"] } }),
      live: liveOf(pbx, "id-1"),
      want: [],
    },
    {
      name: "clears a field that the platform has and the source does not",
      desired: user,
      live: liveOf(make.user(T, "ada@acme.it", { spec: { department: "Ops" } }), "id-1"),
      want: [{ path: "spec.department", before: "Ops", after: undefined }],
    },
    {
      name: "treats live pending as active",
      desired: pbx,
      live: liveOf(pbx, "id-1", "pending"),
      want: [],
    },
    {
      name: "suspends an active PBX declared suspended",
      desired: make.pbx(T, "main", { spec: { status: "suspended" } }),
      live: liveOf(pbx, "id-1", "active"),
      want: [{ path: "spec.status", before: "active", after: "suspended" }],
    },
    {
      name: "resumes a suspended extension declared active",
      desired: ext,
      live: liveOf(ext, "id-1", "suspended"),
      want: [{ path: "spec.status", before: "suspended", after: "active" }],
    },
    {
      name: "compares emails without case and not the inline user's names",
      desired: make.extension(T, "main", "100", "pin-1234", "ADA@acme.it"),
      live: liveOf(
        make.extension(T, "main", "100", "x", "ada@acme.it", {
          spec: { user: { email: "ada@acme.it", firstName: "A" } },
        }),
        "id-1",
      ),
      want: [],
    },
    {
      name: "shows a changed PIN as sensitive, without values",
      desired: make.extension(T, "main", "100", "pin-9999", "ada@acme.it"),
      live: liveOf(ext, "id-1"),
      want: [{ path: "spec.pin", sensitive: true }],
    },
  ];
  it.each(cases)("$name", (tc) => {
    const { live, inv } = world(all);
    const others = all.filter((d) => d.key !== tc.desired.key);
    const liveRest = live.filter((l) => l.key !== tc.desired.key);
    const p = run([...others, tc.desired], [...liveRest, tc.live], inv);
    const c = change(p, tc.desired.key);
    expect(c?.diffs, `want diffs ${JSON.stringify(tc.want)}`).toEqual(tc.want);
    expect(c?.action).toBe(tc.want.length === 0 ? "noop" : "update");
  });

  it("updates a secret that was never applied to an existing object", () => {
    const { live, inv } = world(all);
    const stale = inv.map((e) => (e.key === trunk.key ? { ...e, secretHashes: {} } : e));
    const c = change(run(all, live, stale), trunk.key);
    expect(c?.action).toBe("update");
    expect(c?.diffs).toEqual([{ path: "spec.password", sensitive: true }]);
  });

  it("adopts with the fixes in the same step, secrets included", () => {
    const { live, inv } = world(all);
    const drifted = live.map((l) =>
      l.key === pbx.key ? liveOf(make.pbx(T, "main", { spec: { hotel: true } }), l.id) : l,
    );
    const p = run(
      all,
      drifted,
      inv.filter((e) => e.key !== pbx.key && e.key !== ext.key),
    );
    expect(change(p, pbx.key)?.diffs).toEqual([{ path: "spec.hotel", before: true, after: false }]);
    expect(change(p, ext.key)?.diffs).toEqual([{ path: "spec.pin", sensitive: true }]);
  });
});

describe("plan: removed documents, prune and orphan", () => {
  const extra = make.extension(T, "main", "101", "pin-2", undefined);
  const handMade = liveOf(make.extension(T, "main", "555", "x"), "hand-1");
  const many = [...all, ...["102", "103", "104", "105"].map((n) => make.extension(T, "main", n, "p"))];
  const base = world([...many, extra]);
  const live = [...base.live, handMade];

  it("leaves removed and hand-made objects alone with prune off", () => {
    const p = run(many, live, base.inv);
    expect(lines(p)).toEqual([]);
    expect(p.warnings).toEqual([
      `${extra.key} was removed from the source; left on the platform (prune off)`,
    ]);
  });

  it("deletes only the removed owned object with prune on, never the hand-made one", () => {
    const p = run(many, live, base.inv, { prune: true });
    expect(lines(p)).toEqual([`delete ${extra.key}`]);
    expect(p.refusals).toEqual([]);
  });

  it("forgets an orphan-policy object without deleting it", () => {
    const inv = base.inv.map((e) => (e.key === extra.key ? { ...e, deletionPolicy: "orphan" as const } : e));
    const p = run(many, live, inv, { prune: true });
    expect(lines(p)).toEqual([`forget ${extra.key}`]);
    expect(p.changes.find((c) => c.key === extra.key)?.reason).toBe(reasons.orphan);
  });

  it("forgets a removed object already gone from the platform", () => {
    const p = run(
      many,
      live.filter((l) => l.key !== extra.key),
      base.inv,
      { prune: true },
    );
    expect(lines(p)).toEqual([`forget ${extra.key}`]);
  });
});

describe("plan: mass-delete guard", () => {
  const exts = ["100", "101", "102", "103", "104", "105", "106", "107"].map((n) =>
    make.extension(T, "main", n, "p"),
  );
  const managed = [tenant, pbx, ...exts]; // 10 managed objects
  const { live, inv } = world(managed);
  const cases = [
    { name: "allows deleting 20% of a tenant", keep: managed.slice(0, 8), allow: false, refused: false },
    { name: "refuses deleting 30% of a tenant", keep: managed.slice(0, 7), allow: false, refused: true },
    { name: "refuses deleting everything", keep: [], allow: false, refused: true },
    { name: "allows 30% with allowMassDelete", keep: managed.slice(0, 7), allow: true, refused: false },
    { name: "allows everything with allowMassDelete", keep: [], allow: true, refused: false },
  ];
  it.each(cases)("$name", (tc) => {
    const p = run(tc.keep, live, inv, { prune: true, allowMassDelete: tc.allow });
    expect(p.refusals.length > 0, `refusals: ${p.refusals.join("; ")}`).toBe(tc.refused);
    expect(lines(p).length).toBe(managed.length - tc.keep.length);
  });

  it("names the tenant, the counts and the flag; says everything when it is everything", () => {
    const p = run([], live, inv, { prune: true });
    expect(p.refusals).toEqual([
      "tenant ACME: the plan deletes 10 of 10 managed objects (everything it manages); more than 20% needs --allow-mass-delete",
    ]);
  });

  it("honours a custom maxDeleteShare", () => {
    const p = run(managed.slice(0, 7), live, inv, { prune: true, maxDeleteShare: 0.5 });
    expect(p.refusals).toEqual([]);
  });
});

describe("plan: drift modes never write", () => {
  const modes = ["warn", "observe"] as const;
  it.each(modes)("%s: differences and missing objects go to drift, not to changes", (mode) => {
    const policy = { driftMode: mode };
    const desired = [
      make.tenant(T, { policy }),
      make.pbx(T, "main", { policy, spec: { hotel: true } }),
      make.extension(T, "main", "100", "new-pin", undefined, { policy }),
      make.extension(T, "main", "101", "p", undefined, { policy }),
    ];
    const { live, inv } = world(desired.slice(0, 3));
    const livePbx = live.map((l) => (l.key === pbx.key ? liveOf(pbx, l.id) : l));
    const invOld = inv.map((e) => (e.kind === "Extension" ? { ...e, secretHashes: {} } : e));
    const p = run(desired, livePbx, invOld);
    expect(lines(p)).toEqual([]);
    expect(p.drift.map((d) => [d.key, d.mode, d.missing ?? false, d.diffs.map((x) => x.path)])).toEqual([
      [desired[2]?.key, mode, false, ["spec.pin"]],
      [desired[3]?.key, mode, true, ["spec.license", "spec.number", "spec.pin", "spec.status"]],
      [pbx.key, mode, false, ["spec.hotel"]],
    ]);
  });

  it("still records ownership (adopt, no diffs) in warn mode", () => {
    const d = make.pbx(T, "main", { policy: { driftMode: "warn" }, spec: { hotel: true } });
    const { live, inv } = world([tenant, pbx]);
    const p = run(
      [tenant, d],
      live,
      inv.filter((e) => e.key !== pbx.key),
    );
    expect(change(p, pbx.key)).toMatchObject({ action: "adopt", diffs: [] });
    expect(p.drift.map((x) => x.key)).toEqual([pbx.key]);
  });

  it("does not create children of a parent that warn mode keeps from being created", () => {
    const p = run(
      [tenant, make.pbx(T, "main", { policy: { driftMode: "warn" } }), ext, user],
      [liveOf(tenant, "t")],
      [managedEntry(tenant, "t")],
    );
    expect(lines(p)).toEqual([`create ${user.key}`]);
    expect(p.warnings).toEqual([
      `${ext.key} is not created: ${pbx.key} is neither on the platform nor created by this plan`,
    ]);
  });
});

describe("plan: numbers are replaced, never updated", () => {
  it.each([
    { name: "blockDigits", spec: { blockDigits: 3 } },
    { name: "pbx", spec: { pbx: "other" } },
    { name: "trunk", spec: { trunk: "other" } },
  ])("a change of $name is a delete then a create of the same key", (tc) => {
    const extraParents = [make.pbx(T, "other"), make.trunk(T, "other")];
    const { live, inv } = world([...all, ...extraParents]);
    const desired = [
      ...all.filter((d) => d !== num),
      ...extraParents,
      make.number(T, num.spec.number, "main", "tim", { spec: tc.spec }),
    ];
    const p = run(desired, live, inv);
    expect(lines(p)).toEqual([`delete ${num.key}`, `create ${num.key}`]);
    const [del, create] = p.changes.filter((c) => c.key === num.key);
    expect(del?.replaces && create?.replaces).toBe(true);
    expect(create?.dependsOn).toEqual([num.key]);
    expect(p.refusals).toEqual([]);
  });
});

describe("plan: order and dependencies", () => {
  it("creates parents first and lists what each change waits for", () => {
    const p = run(all, [], []);
    expect(lines(p)).toEqual([
      `create ${tenant.key}`,
      `create ${trunk.key}`,
      `create ${user.key}`,
      `create ${pbx.key}`,
      `create ${ext.key}`,
      `create ${num.key}`,
    ]);
    const deps = Object.fromEntries(p.changes.map((c) => [c.key, c.dependsOn]));
    expect(deps).toEqual({
      [tenant.key]: [],
      [trunk.key]: [tenant.key],
      [user.key]: [tenant.key],
      [pbx.key]: [tenant.key],
      [ext.key]: [pbx.key, user.key],
      [num.key]: [pbx.key, trunk.key],
    });
  });

  it("deletes children first: a PBX waits for its extensions and numbers, a trunk for its numbers", () => {
    const { live, inv } = world(all);
    const p = run([], live, inv, { prune: true, allowMassDelete: true });
    expect(lines(p)).toEqual([
      `delete ${ext.key}`,
      `delete ${num.key}`,
      `delete ${pbx.key}`,
      `delete ${trunk.key}`,
      `delete ${user.key}`,
      `delete ${tenant.key}`,
    ]);
    const deps = Object.fromEntries(p.changes.map((c) => [c.key, c.dependsOn]));
    expect(deps[pbx.key]).toEqual([ext.key, num.key]);
    expect(deps[trunk.key]).toEqual([num.key]);
    expect(deps[user.key]).toEqual([ext.key]);
    expect(deps[tenant.key]).toEqual([ext.key, num.key, pbx.key, trunk.key, user.key].sort());
  });

  it("gives the same plan whatever the input order", () => {
    const { live, inv } = world(all.slice(0, 3));
    const a = run(all, live, inv);
    const b = run([...all].reverse(), [...live].reverse(), [...inv].reverse());
    expect(JSON.stringify(b.changes)).toBe(JSON.stringify(a.changes));
  });
});

describe("plan: refusals and scope", () => {
  it("refuses a resource owned by another source, naming both", () => {
    const { live, inv } = world(all);
    const theirs = inv.map((e) => (e.key === pbx.key ? { ...e, source: "terraform:prod" } : e));
    const p = run(all, live, theirs);
    expect(p.refusals).toEqual([
      `${pbx.key} is owned by source "terraform:prod" and also declared by source "repo" (pbxs.yaml:1:1); remove it from one of them`,
    ]);
  });

  it("refuses a key declared twice", () => {
    const p = run([...all, make.pbx(T, "main")], [], []);
    expect(p.refusals).toEqual([`${pbx.key} is declared twice: pbxs.yaml:1:1 and pbxs.yaml:1:1`]);
  });

  it("skips tenants that were not observed, with a warning", () => {
    const p = run([make.tenant("OTHER")], [], []);
    expect(isEmptyPlan(p)).toBe(true);
    expect(p.warnings).toEqual(["tenant OTHER was not observed: its resources are not planned"]);
  });
});
