import { describe, expect, it } from "vitest";
import type { PlannedChange } from "../../model/plan.js";
import { liveOf, make } from "../../test-support/fakes.js";
import { compareChanges, linkDependencies, type ParentRefs, parentKeys } from "./graph.js";

describe("parentKeys", () => {
  const cases: { name: string; r: ParentRefs; want: string[] }[] = [
    { name: "a tenant has no parent", r: make.tenant("A"), want: [] },
    { name: "a user belongs to its tenant", r: make.user("A", "x@a.it"), want: ["Tenant/A"] },
    { name: "a SIP trunk belongs to its tenant", r: make.trunk("A", "t"), want: ["Tenant/A"] },
    { name: "a PBX belongs to its tenant", r: make.pbx("A", "p"), want: ["Tenant/A"] },
    { name: "an extension needs its PBX", r: make.extension("A", "p", "100", "1"), want: ["Pbx/A/p"] },
    {
      name: "an associated extension also needs its user (email lower-case)",
      r: make.extension("A", "p", "100", "1", "X@a.it"),
      want: ["Pbx/A/p", "User/A/x@a.it"],
    },
    {
      name: "a number needs its PBX and trunk",
      r: make.number("A", "+3902100", "p", "t"),
      want: ["Pbx/A/p", "SipTrunk/A/t"],
    },
  ];
  it.each(cases)("$name", ({ r, want }) => {
    expect(parentKeys(r)).toEqual(want);
  });
});

describe("compareChanges", () => {
  const ch = (action: PlannedChange["action"], kind: PlannedChange["kind"], key: string, replaces = false) =>
    ({ action, kind, key, tenant: "A", diffs: [], dependsOn: [], reason: "", replaces }) as PlannedChange;
  it("puts replacement deletes first, then parents-first writes, then children-first deletes, then forgets", () => {
    const changes = [
      ch("forget", "Pbx", "Pbx/A/z"),
      ch("delete", "Tenant", "Tenant/B"),
      ch("create", "Extension", "Extension/A/p/1"),
      ch("delete", "Extension", "Extension/B/p/1"),
      ch("create", "Number", "Number/+1", true),
      ch("delete", "Number", "Number/+1", true),
      ch("update", "Tenant", "Tenant/A"),
      ch("noop", "User", "User/A/x"),
      ch("delete", "Pbx", "Pbx/B/p"),
    ];
    expect(changes.sort(compareChanges).map((c) => `${c.action} ${c.key}`)).toEqual([
      "delete Number/+1",
      "update Tenant/A",
      "noop User/A/x",
      "create Extension/A/p/1",
      "create Number/+1",
      "delete Extension/B/p/1",
      "delete Pbx/B/p",
      "delete Tenant/B",
      "forget Pbx/A/z",
    ]);
  });
});

describe("linkDependencies", () => {
  // The extension is associated with the user on the platform and not in the source, so
  // its change drops the association: the user's delete must wait for it, or the
  // platform refuses to delete a user that still owns an extension.
  const ext = make.extension("A", "p", "100", "1");
  const extLive = liveOf(make.extension("A", "p", "100", "1", "x@a.it"), "e1");
  const user = make.user("A", "x@a.it");
  const userDelete = {
    action: "delete",
    kind: "User",
    key: user.key,
    tenant: "A",
    diffs: [],
    dependsOn: [],
    reason: "",
    live: liveOf(user, "u1"),
  } as PlannedChange;
  const cases: { name: string; action: PlannedChange["action"] }[] = [
    { name: "an update that drops the association", action: "update" },
    { name: "an adopt that drops the association", action: "adopt" },
  ];
  it.each(cases)("makes a user's delete wait for $name", ({ action }) => {
    const extChange = {
      action,
      kind: "Extension",
      key: ext.key,
      tenant: "A",
      diffs: [{ path: "spec.user", before: { email: "x@a.it" }, after: undefined }],
      dependsOn: [],
      reason: "",
      desired: ext,
      live: extLive,
    } as PlannedChange;
    const sorted = [extChange, { ...userDelete }].sort(compareChanges);
    linkDependencies(sorted);
    const got = sorted.find((c) => c.key === user.key)?.dependsOn;
    expect(got, `want the delete of ${user.key} to wait for ${action} ${ext.key}`).toEqual([ext.key]);
  });
});
