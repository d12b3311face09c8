import { describe, expect, it } from "vitest";
import type { Plan, PlannedChange } from "../../model/plan.js";
import { driftOf, renderDrift } from "./drift-report.js";
import { reasons } from "./plan.js";

const change = (o: Partial<PlannedChange> & Pick<PlannedChange, "action" | "key">): PlannedChange => ({
  kind: "Extension",
  tenant: "A",
  diffs: [],
  dependsOn: [],
  reason: "",
  ...o,
});
const planOf = (changes: PlannedChange[], drift: Plan["drift"] = []): Plan => ({
  changes,
  drift,
  refusals: [],
  warnings: [],
});

describe("driftOf", () => {
  it.each([
    ["an update", change({ action: "update", key: "k" }), "changed"],
    [
      "a create of a managed object gone from the platform",
      change({ action: "create", key: "k", reason: reasons.recreate }),
      "missing",
    ],
    ["a create never applied", change({ action: "create", key: "k", reason: reasons.create }), "not-created"],
    ["an adopt", change({ action: "adopt", key: "k" }), "unmanaged"],
    ["a prune delete", change({ action: "delete", key: "k" }), "removed"],
    ["a replacement", change({ action: "delete", key: "k", replaces: true }), "changed"],
  ])("calls %s %s", (_case, c, want) => {
    expect(driftOf(planOf([c])).map((i) => i.kind)).toEqual([want]);
  });

  it("lists nothing for noops and one item for a replacement's two changes", () => {
    const got = driftOf(
      planOf([
        change({ action: "noop", key: "a" }),
        change({ action: "delete", key: "n", replaces: true }),
        change({ action: "create", key: "n", replaces: true }),
      ]),
    );
    expect(got.map((i) => `${i.key} ${i.kind}`)).toEqual(["n changed"]);
  });

  it("keeps the mode of warn and observe drift", () => {
    const got = driftOf(
      planOf(
        [],
        [
          {
            key: "k",
            kind: "Pbx",
            tenant: "A",
            mode: "warn",
            diffs: [{ path: "spec.hotel", before: true, after: false }],
          },
        ],
      ),
    );
    expect(got).toEqual([
      {
        key: "k",
        resourceKind: "Pbx",
        tenant: "A",
        mode: "warn",
        kind: "changed",
        diffs: [{ path: "spec.hotel", before: true, after: false }],
      },
    ]);
  });
});

describe("renderDrift", () => {
  it("shows changed fields, never a secret value, and a count line", () => {
    const text = renderDrift(
      driftOf(
        planOf([
          change({
            action: "update",
            key: "Extension/A/hq/201",
            diffs: [
              { path: "spec.license", before: "plus", after: "start" },
              { path: "spec.pin", sensitive: true },
            ],
          }),
        ]),
      ),
      false,
    );
    expect(text).toBe(
      [
        "! Extension/A/hq/201: changed on the platform",
        '    spec.license: "plus" → "start"',
        "    spec.pin: (sensitive)",
        "",
        "Drift: 1 changed, 0 missing, 0 not created, 0 not managed, 0 no longer declared.",
        "",
      ].join("\n"),
    );
  });

  it("says when there is no drift", () => {
    expect(renderDrift([], false)).toBe("No drift: the platform matches the manifests.\n");
  });
});
