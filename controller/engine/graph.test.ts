import { describe, expect, it } from "vitest";
import { make } from "./fakes.js";
import { compareChanges, type ParentRefs, parentKeys } from "./graph.js";
import type { PlannedChange } from "./types.js";

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
