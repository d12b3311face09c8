import { describe, expect, it } from "vitest";
import type { Plan } from "../../model/plan.js";
import {
  desiredStateOf,
  liveOf,
  liveStateOf,
  make,
  managedEntry,
  testHash,
} from "../../test-support/fakes.js";
import { plan } from "./plan.js";
import { legend, planToJson, renderPlan } from "./render.js";

const T = "ACME";
const PIN = "pin-secret-7731";
const PW = "trunk-secret-0042";
const tenant = make.tenant(T);
const pbx = make.pbx(T, "main");
const trunk = make.trunk(T, "tim", PW);
const ext = make.extension(T, "main", "100", PIN);

/** A plan with one of each action and a drift entry, secrets changed. */
function mixedPlan(): Plan {
  const oldPbx = make.pbx(T, "old");
  const desired = [
    tenant,
    make.pbx(T, "main", { spec: { callCenter: true } }),
    trunk,
    ext,
    make.pbx(T, "warned", { policy: { driftMode: "warn" } }),
  ];
  const live = [
    liveOf(tenant, "t1"),
    liveOf(pbx, "p1"),
    liveOf(trunk, "s1"),
    liveOf(oldPbx, "p0"),
    liveOf(make.pbx(T, "warned", { spec: { hotel: true } }), "p9"),
  ];
  const inv = [tenant, pbx, oldPbx, make.pbx(T, "warned"), make.trunk(T, "tim", "older")].map((d, i) =>
    managedEntry(d, `x${i}`),
  );
  return plan(desiredStateOf(desired), liveStateOf(live, [T]), inv, {
    source: "repo",
    hashSecret: testHash,
    prune: true,
    allowMassDelete: true,
  });
}

describe("renderPlan", () => {
  it("says No changes. for an empty plan", () => {
    const empty = plan(
      desiredStateOf([tenant]),
      liveStateOf([liveOf(tenant, "t")], [T]),
      [managedEntry(tenant, "t")],
      {
        source: "repo",
        hashSecret: testHash,
      },
    );
    expect(renderPlan(empty, { color: false })).toBe("No changes.\n");
  });

  it("renders each action with its symbol, field diffs, drift and the summary", () => {
    const text = renderPlan(mixedPlan(), { color: false });
    const want = [
      legend,
      "+ create Extension/ACME/main/100  # not on the platform",
      '    spec.license: "start"',
      "    spec.pin: (sensitive)",
      "~ update Pbx/ACME/main  # fields differ",
      "    spec.callCenter: false → true",
      "~ update SipTrunk/ACME/tim  # fields differ",
      "    spec.password: (sensitive)",
      "- delete Pbx/ACME/old  # removed from the source, prune on",
      "! Pbx/ACME/warned [warn]",
      "    spec.hotel: true → false",
      "Plan: 1 to create, 2 to update, 1 to delete, 0 to adopt.",
    ];
    for (const line of want) expect(text, `want line ${JSON.stringify(line)} in:\n${text}`).toContain(line);
  });

  it("renders an adopt and refusals", () => {
    const p = plan(desiredStateOf([tenant]), liveStateOf([liveOf(tenant, "t")], [T]), [], {
      source: "repo",
      hashSecret: testHash,
    });
    p.refusals.push("tenant ACME: refused for the test");
    const text = renderPlan(p, { color: false });
    expect(text).toContain("⇐ adopt Tenant/ACME  # on the platform, not in the inventory: taking ownership");
    expect(text).toContain("✗ tenant ACME: refused for the test");
    expect(text).toContain("Plan: 0 to create, 0 to update, 0 to delete, 1 to adopt.");
  });

  it.each([true, false])("never shows a secret value (color %s)", (color) => {
    const text = renderPlan(mixedPlan(), { color });
    expect(text).not.toContain(PIN);
    expect(text).not.toContain(PW);
  });

  it.each([
    { color: true, ansi: true },
    { color: false, ansi: false },
  ])("uses ANSI colours only when asked (color $color)", ({ color, ansi }) => {
    expect(renderPlan(mixedPlan(), { color }).includes("\u001b[")).toBe(ansi);
  });
});

describe("planToJson", () => {
  it("never carries a secret value nor a Secret object", () => {
    const json = planToJson(mixedPlan());
    const text = JSON.stringify(json);
    expect(text).not.toContain(PIN);
    expect(text).not.toContain(PW);
    const created = json.changes.find((c) => c.key === ext.key);
    expect((created?.spec as { pin?: unknown } | undefined)?.pin).toBe("(sensitive)");
    const seen: unknown[] = [];
    const walk = (v: unknown): void => {
      if (v !== null && typeof v === "object") {
        if (Object.getPrototypeOf(v) !== Object.prototype && !Array.isArray(v)) seen.push(v);
        for (const x of Object.values(v)) walk(x);
      }
    };
    walk(json);
    expect(seen, "class instances in the JSON plan").toEqual([]);
  });

  it("has a stable shape: version, counts, changes without noops", () => {
    const json = planToJson(mixedPlan());
    expect(json.version).toBe(1);
    expect(json.summary).toEqual({ create: 1, update: 2, delete: 1, adopt: 0, forget: 0, noop: 2 });
    expect(json.changes.map((c) => `${c.action} ${c.key}`)).toEqual([
      "update SipTrunk/ACME/tim",
      "update Pbx/ACME/main",
      "create Extension/ACME/main/100",
      "delete Pbx/ACME/old",
    ]);
    expect(json.changes[1]).toEqual({
      action: "update",
      kind: "Pbx",
      key: "Pbx/ACME/main",
      tenant: T,
      id: "p1",
      reason: "fields differ",
      dependsOn: [],
      diffs: [{ path: "spec.callCenter", before: false, after: true }],
      source: "pbxs.yaml:1:1",
      spec: { kind: "single", callCenter: true, hotel: false, status: "active" },
    });
    expect(JSON.stringify(planToJson(mixedPlan()))).toBe(JSON.stringify(json));
  });
});
