/**
 * The pure life-cycle rules of plan.ts, over every kind: planned values on create and
 * update, replacements, the state after apply, and the upgrade of stored states.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KindName } from "../../controller/model/resources.gen.js";
import { terraformKinds } from "../../controller/model/terraform.js";
import { type TfObject, type TfValue, unknown } from "../plugin/contract.js";
import { planChange, stateAfterApply, upgradeState } from "./plan.js";
import { secretName } from "./resource.js";

const kinds = Object.keys(terraformKinds) as KindName[];

/** A minimal valid configuration per kind (every attribute present, null where not set). */
const sets: Record<KindName, TfObject> = {
  Tenant: {
    business_name: "A",
    customer_code: "ACME001",
    vat_number: "08712340150",
    fiscal_code: "08712340150",
  },
  User: { tenant: "ACME001", email: "a@b.it", first_name: "A", last_name: "B" },
  Pbx: { tenant: "ACME001", name: "hq", kind: "single" },
  Extension: { tenant: "ACME001", pbx: "hq", number: "201", license: "start", pin: "4711" },
  Number: { tenant: "ACME001", number: "+390212345670", block_digits: 1, pbx: "hq", trunk: "main" },
  SipTrunk: { tenant: "ACME001", name: "main", description: "d", operator: "o", endpoint: "sip.example.it" },
};

function full(kind: KindName, set: TfObject): TfObject {
  return Object.fromEntries(terraformKinds[kind].attributes.map((a) => [a.name, set[a.name] ?? null]));
}

const holdsUnknown = (v: TfValue): boolean =>
  v === unknown || (v !== null && typeof v === "object" && Object.values(v).some(holdsUnknown));

describe("planChange", () => {
  it.each(kinds)(
    "%s create: defaults, id and name known, platform values unknown, write-only null",
    (kind) => {
      const config = full(kind, sets[kind]);
      const { planned, requiresReplace } = planChange(kind, null, config, config);
      expect(requiresReplace).toEqual([]);
      for (const a of terraformKinds[kind].attributes) {
        if (a.writeOnly) expect(planned[a.name]).toBeNull();
        if (a.role === "computed") expect(planned[a.name]).toBe(unknown);
        if (a.default !== undefined) expect(planned[a.name]).toBe(a.default);
      }
      expect(typeof planned.id).toBe("string");
      expect(typeof planned.name).toBe("string");
      expect(planned.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    },
  );

  it.each(kinds)("%s: a key attribute unknown makes id (and a derived name) unknown", (kind) => {
    const key = terraformKinds[kind].attributes.find(
      (a) => a.requiresReplace && a.role === "field" && a.name !== "name",
    );
    const config = full(kind, { ...sets[kind], [key?.name as string]: unknown });
    const { planned } = planChange(kind, null, config, config);
    expect(planned.id).toBe(unknown);
    if (terraformKinds[kind].attributes.find((a) => a.name === "name")?.computed)
      expect(planned.name).toBe(unknown);
  });

  it.each(kinds)(
    "%s update: every requires_replace attribute, changed alone, replaces; nothing else does",
    (kind) => {
      const config = full(kind, sets[kind]);
      const prior = stateAfterApply(planChange(kind, null, config, config).planned, {
        platform_id: "p1",
        platform_status: "active",
      });
      for (const a of terraformKinds[kind].attributes.filter(
        (x) => x.role === "field" && x.type === "string",
      )) {
        const changed = { ...config, [a.name]: `${String(config[a.name] ?? "x")}9` };
        const proposed = { ...prior, ...changed };
        const { planned, requiresReplace } = planChange(kind, prior, proposed, changed);
        expect(requiresReplace.length > 0, a.name).toBe(a.requiresReplace);
        expect(planned.platform_id).toBe(a.requiresReplace ? unknown : "p1");
        expect(planned.platform_status).toBe(unknown);
      }
    },
  );

  it("a removed attribute with a default plans its default, not the prior value", () => {
    const config = full("Pbx", { ...sets.Pbx, call_center: true });
    const prior = stateAfterApply(planChange("Pbx", null, config, config).planned, {});
    const next = full("Pbx", sets.Pbx);
    const { planned } = planChange("Pbx", prior, { ...next, call_center: true }, next);
    expect(planned.call_center).toBe(false);
  });
});

describe("stateAfterApply", () => {
  it("keeps every known planned value and fills unknowns (nested too); nothing unknown stays", () => {
    const planned: TfObject = { a: "x", b: unknown, c: { d: unknown, e: 1 }, f: unknown };
    const got = stateAfterApply(planned, { a: "changed", b: "y", c: { d: "z", e: 2 } });
    expect(got).toEqual({ a: "x", b: "y", c: { d: "z", e: 1 }, f: null });
    expect(holdsUnknown(got)).toBe(false);
  });
});

describe("upgradeState", () => {
  it.each(kinds)(
    "%s v0: every attribute present, missing ones null, extras dropped, write-only null",
    (kind) => {
      const attrs = terraformKinds[kind].attributes;
      const stored: Record<string, unknown> = { gone_attribute: "x" };
      for (const a of attrs.filter((_, i) => i % 2 === 0)) stored[a.name] = a.type === "number" ? 3 : "v";
      const secret = attrs.find((a) => a.writeOnly);
      if (secret) stored[secret.name] = "leaked-4711";
      const got = upgradeState(kind, stored);
      expect(Object.keys(got)).toEqual(attrs.map((a) => a.name));
      for (const a of attrs) {
        if (a.writeOnly || !(a.name in stored)) expect(got[a.name]).toBeNull();
        else if (a.type !== "object") expect(got[a.name]).toBe(stored[a.name]);
      }
      expect(JSON.stringify(got)).not.toContain("leaked-4711");
    },
  );

  it("fills an object's missing fields with null", () => {
    const got = upgradeState("Extension", { user: { email: "a@b.it" } });
    expect(got.user).toEqual({ email: "a@b.it", first_name: null, last_name: null });
  });
});

describe("secretName", () => {
  it("is a valid name, fixed per resource and field, and two resources never share one", () => {
    const name = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
    expect(secretName("Extension", "ACME001/hq/201", "pin")).toBe("extension-acme001-hq-201-pin");
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z0-9]{3,12}$/),
        fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/),
        fc.stringMatching(/^[0-9]{2,6}$/),
        (tenant, pbx, number) => {
          const a = secretName("Extension", `${tenant}/${pbx}/${number}`, "pin");
          expect(a).toMatch(name);
          expect(secretName("Extension", `${tenant}/${pbx}/${number}`, "pin")).toBe(a);
          expect(secretName("Extension", `${tenant}/${pbx}/${number}0`, "pin")).not.toBe(a);
          expect(secretName("SipTrunk", `${tenant}/${pbx}`, "password")).toMatch(name);
        },
      ),
    );
  });
});
