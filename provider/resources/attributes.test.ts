/**
 * Each resource type's schema, derived from terraformKinds, and its validation: the
 * loader's
 * problems at attribute paths, unknowns allowed, and no secret in any diagnostic.
 */
import { describe, expect, it } from "vitest";
import type { KindName } from "../../controller/model/resources.gen.js";
import { errSecretMissing, errSecretTwice, terraformKinds } from "../../controller/model/terraform.js";
import { type SchemaAttribute, type TfObject, unknown } from "../plugin/contract.js";
import {
  dotted,
  errInvalidAttribute,
  errWriteOnlyNotAllowed,
  resourceSchema,
  validateAttributes,
} from "./attributes.js";

const kinds = Object.keys(terraformKinds) as KindName[];
const allowed = { writeOnlyAllowed: true };

/** Every attribute of the kind, null unless `set` gives it. */
function config(kind: KindName, set: TfObject): TfObject {
  const out: TfObject = {};
  for (const a of terraformKinds[kind].attributes) out[a.name] = set[a.name] ?? null;
  return out;
}

const extension: TfObject = {
  tenant: "ACME001",
  pbx: "hq",
  number: "201",
  license: "plus",
  pin_from_env: "OMNIA_SECRET_PIN",
};

describe("resourceSchema", () => {
  it.each(kinds)("%s: one schema attribute per mapped attribute, with the mapping's flags", (kind) => {
    const schema = resourceSchema(kind);
    const attrs = terraformKinds[kind].attributes;
    expect(schema.version).toBe(0);
    expect(schema.block.attributes.map((a) => a.name)).toEqual(attrs.map((a) => a.name));
    for (const a of attrs) {
      const s = schema.block.attributes.find((x) => x.name === a.name) as SchemaAttribute;
      expect({
        required: s.required ?? false,
        optional: s.optional ?? false,
        computed: s.computed ?? false,
        sensitive: s.sensitive ?? false,
        writeOnly: s.writeOnly ?? false,
      }).toEqual({
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        writeOnly: a.writeOnly,
      });
      // Exactly one of type and nestedType; an object field is a nested attribute.
      expect(s.type === undefined).toBe(a.type === "object");
      expect(s.nestedType === undefined).toBe(a.type !== "object");
      expect(s.description).toContain(a.description);
      for (const v of a.enum ?? []) expect(s.description).toContain(`\`${v}\``);
      // A required attribute is never computed, and every attribute is settable or computed.
      expect(s.required && s.computed).toBeFalsy();
      expect(s.required || s.optional || s.computed).toBe(true);
    }
    expect(schema.block.description).toContain(terraformKinds[kind].idFormat);
  });

  it("types: strings, numbers, bools, a map and a list of strings; the extension's user nested single", () => {
    const ext = resourceSchema("Extension").block.attributes;
    const byName = (n: string) => ext.find((a) => a.name === n);
    expect(byName("labels")?.type).toEqual(["map", "string"]);
    expect(byName("ignore")?.type).toEqual(["list", "string"]);
    expect(byName("pin_wo_version")?.type).toBe("number");
    expect(byName("pin")).toMatchObject({ type: "string", sensitive: true, writeOnly: true, optional: true });
    expect(byName("user")?.nestedType?.nesting).toBe("single");
    expect(byName("user")?.nestedType?.attributes.map((a) => [a.name, a.required ?? false])).toEqual([
      ["email", true],
      ["first_name", false],
      ["last_name", false],
    ]);
    expect(resourceSchema("Pbx").block.attributes.find((a) => a.name === "call_center")?.type).toBe("bool");
  });
});

describe("validateAttributes", () => {
  it("a valid configuration has no diagnostics", async () => {
    expect(await validateAttributes("Extension", config("Extension", extension), allowed)).toEqual([]);
  });

  it.each([
    ["an unknown license", "Extension", { ...extension, license: "gold" }, "license"],
    [
      "a malformed user email (nested)",
      "Extension",
      { ...extension, user: { email: "not-mail", first_name: null, last_name: null } },
      "user.email",
    ],
    ["an extension number of letters", "Extension", { ...extension, number: "ab" }, "number"],
    [
      "a bad drift mode",
      "Pbx",
      { tenant: "ACME001", name: "hq", kind: "single", drift_mode: "sometimes" },
      "drift_mode",
    ],
    ["a bad document name", "Pbx", { tenant: "ACME001", name: "HQ Milano", kind: "single" }, "name"],
    [
      "a bad VAT number",
      "Tenant",
      { business_name: "A", customer_code: "ACME001", vat_number: "123", fiscal_code: "08712340150" },
      "vat_number",
    ],
    [
      "a field the schema requires under a condition",
      "Pbx",
      { tenant: "ACME001", name: "hq", kind: "shared" },
      "group",
    ],
    ["a bad environment variable name", "Extension", { ...extension, pin_from_env: "1 PIN" }, "pin_from_env"],
  ] as const)("%s is an error at %s", async (_what, kind, set, path) => {
    const got = await validateAttributes(kind, config(kind, set as TfObject), allowed);
    expect(got.length, JSON.stringify(got)).toBeGreaterThan(0);
    const at = got.map((d) => (d.attribute ? dotted(d.attribute) : "(none)"));
    expect(at).toContain(path);
    const d = got.find((x) => x.attribute && dotted(x.attribute) === path);
    expect(d?.summary).toBe(`${errInvalidAttribute}: ${path}`);
    expect(d?.detail?.length).toBeGreaterThan(0);
  });

  it("a secret given twice, or a required one not at all, is an error at its attribute", async () => {
    const twice = await validateAttributes(
      "Extension",
      config("Extension", { ...extension, pin: "4711" }),
      allowed,
    );
    expect(twice).toHaveLength(1);
    expect(twice[0]).toMatchObject({ attribute: [{ attribute: "pin_from_env" }] });
    expect(twice[0]?.detail).toContain(errSecretTwice);
    const none = await validateAttributes(
      "Extension",
      config("Extension", { ...extension, pin_from_env: null }),
      allowed,
    );
    expect(none).toHaveLength(1);
    expect(none[0]).toMatchObject({ attribute: [{ attribute: "pin" }] });
    expect(none[0]?.detail).toContain(errSecretMissing);
  });

  it("a clear secret never appears in a diagnostic, whatever else is wrong", async () => {
    const pin = "98765";
    const set = { ...extension, pin, pin_from_env: "OMNIA_SECRET_PIN", license: "gold", number: "x" };
    const got = await validateAttributes("Extension", config("Extension", set), allowed);
    expect(got.length).toBeGreaterThan(1);
    expect(JSON.stringify(got)).not.toContain(pin);
    const trunk = await validateAttributes(
      "SipTrunk",
      config("SipTrunk", {
        tenant: "ACME001",
        name: "main",
        description: "d",
        operator: "o",
        endpoint: "sip.example.it",
        password: "s3cret-pw",
        auth_required: "yes" as never,
      }),
      allowed,
    );
    expect(JSON.stringify(trunk)).not.toContain("s3cret-pw");
  });

  it("a write-only value where Terraform cannot send one is refused, naming the other form", async () => {
    const got = await validateAttributes(
      "Extension",
      config("Extension", { ...extension, pin_from_env: null, pin: "4711" }),
      {
        writeOnlyAllowed: false,
      },
    );
    expect(got).toEqual([
      { severity: "error", summary: errWriteOnlyNotAllowed, attribute: [{ attribute: "pin" }] },
    ]);
  });

  it.each([
    ["the license", { license: unknown }],
    ["a key field (then the derived name too)", { number: unknown }],
    ["the whole user", { user: unknown }],
    ["a user's email", { user: { email: unknown, first_name: null, last_name: null } }],
    ["the PIN's variable", { pin_from_env: unknown }],
    ["the PIN", { pin_from_env: null, pin: unknown }],
  ] as [string, TfObject][])("an unknown %s is no error", async (_what, set) => {
    expect(
      await validateAttributes("Extension", config("Extension", { ...extension, ...set }), allowed),
    ).toEqual([]);
  });

  it("an unknown value does not hide a problem elsewhere", async () => {
    const got = await validateAttributes(
      "Extension",
      config("Extension", { ...extension, number: unknown, license: "gold" }),
      allowed,
    );
    expect(got.map((d) => d.attribute && dotted(d.attribute))).toEqual(["license"]);
  });
});

describe("each resource file's example configuration", () => {
  it.each(kinds)("%s: the example in the schema's description is valid, and shown as HCL", async (kind) => {
    const { createKalliopeProvider } = await import("./index.js");
    const r = createKalliopeProvider({ env: {} }).resources.find(
      (x) => x.name === terraformKinds[kind].typeName,
    );
    const examples = await import(`./${kind === "SipTrunk" ? "sip-trunk" : kind.toLowerCase()}.js`);
    const example = Object.values(examples).find((v) => typeof v === "object") as TfObject;
    expect(await validateAttributes(kind, config(kind, example), allowed)).toEqual([]);
    expect(r?.schema.block.description).toContain(`resource "${terraformKinds[kind].typeName}" "example" {`);
    for (const [name, value] of Object.entries(example))
      if (typeof value === "string") expect(r?.schema.block.description).toContain(`${name} = "${value}"`);
  });
});
