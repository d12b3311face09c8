import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, expectTypeOf, it } from "vitest";
import { emptyDesiredState, type KindName, type Secret } from "./desired-state.js";
import {
  errNoContract,
  errNoDescriptor,
  errTwoUpdates,
  readSchemaFacts,
  refPaths,
  updateSchemaOf,
} from "./generate-registry.js";
import { extensionKey, numberKey, pbxKey, sipTrunkKey, tenantKey, userKey } from "./keys.js";
import {
  exportPath,
  heldSecretPaths,
  keyOf,
  kindNames,
  kindRank,
  type LiveSpec,
  maxRank,
  notCompared,
  parentKeys,
  plainUpdatable,
  type ResolvedSpec,
  registry,
  replaceOnlyKinds,
  rootKind,
  type SecretFieldOf,
  secretFields,
  statusKinds,
} from "./registry.js";
import type { ExtensionSpec, SipTrunkSpec } from "./resources.gen.js";
import { readKindSchemas, schemasDir } from "./schema-files.js";

/**
 * The planner's tables as they were written by hand before the registry (issue 7): the
 * registry derives them from schemas/ and must give the same values for today's kinds.
 */
function referenceParentKeys(r: { kind: KindName; tenant: string; pbx?: string; spec: unknown }): string[] {
  const spec = (r.spec ?? {}) as { pbx?: unknown; trunk?: unknown; user?: { email?: unknown } | null };
  switch (r.kind) {
    case "Tenant":
      return [];
    case "User":
    case "SipTrunk":
    case "Pbx":
      return [tenantKey(r.tenant)];
    case "Extension": {
      const keys = [r.pbx ? pbxKey(r.tenant, r.pbx) : tenantKey(r.tenant)];
      const email = spec.user?.email;
      if (typeof email === "string") keys.push(userKey(r.tenant, email));
      return keys;
    }
    case "Number": {
      const keys: string[] = [];
      if (typeof spec.pbx === "string") keys.push(pbxKey(r.tenant, spec.pbx));
      if (typeof spec.trunk === "string") keys.push(sipTrunkKey(r.tenant, spec.trunk));
      return keys.length > 0 ? keys : [tenantKey(r.tenant)];
    }
  }
}

describe("the registry's tables for the planner", () => {
  it("equal the hand-written tables they replaced", () => {
    expect(secretFields).toEqual({ SipTrunk: ["spec.password"], Extension: ["spec.pin"] });
    expect(notCompared).toEqual({ Extension: ["spec.user.firstName", "spec.user.lastName"] });
    expect([...statusKinds].sort()).toEqual(["Extension", "Pbx", "Tenant"]);
    expect([...replaceOnlyKinds].sort()).toEqual(["Number"]);
    expect(kindRank).toEqual({ Tenant: 0, User: 1, SipTrunk: 1, Pbx: 2, Number: 3, Extension: 3 });
    // Deletes run deepest first, by `maxRank - kindRank`.
    expect(maxRank).toBe(3);
  });

  it("parentKeys gives the hand-written function's keys for any resource of any kind", () => {
    const word = fc.constantFrom("", "acme", "T1", "main", "hq");
    const refs = fc.record(
      {
        kind: fc.constantFrom(...kindNames),
        tenant: word,
        pbx: fc.option(word, { nil: undefined }),
        spec: fc.oneof(
          fc.constant(undefined),
          fc.record(
            {
              pbx: fc.oneof(word, fc.constant(7)),
              trunk: fc.oneof(word, fc.constant(null)),
              user: fc.oneof(
                fc.constant(null),
                fc.record({ email: fc.oneof(fc.constant("Giulia@X.example"), fc.constant(1)) }),
              ),
            },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: ["kind", "tenant", "spec"] },
    );
    fc.assert(
      fc.property(refs, (r) => {
        expect(parentKeys(r)).toEqual(referenceParentKeys(r));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("descriptors", () => {
  it("cover exactly the kinds that have a schema", () => {
    expect([...kindNames].sort()).toEqual(readKindSchemas().map((k) => k.kind));
  });

  it.each(kindNames)("%s ranks deeper than each of its parents", (kind) => {
    for (const p of registry[kind].parentKinds)
      expect(kindRank[kind], `${kind} after ${p}`).toBeGreaterThan(kindRank[p]);
  });

  it("have one root, the tenant, parent of every other kind", () => {
    expect(rootKind).toBe("Tenant");
    for (const k of kindNames) expect(registry[k].parentKinds.includes(rootKind)).toBe(k !== rootKind);
  });

  it("have distinct collections and export files, the collections of DesiredState", () => {
    const collections = kindNames.map((k) => registry[k].collection);
    expect([...collections].sort()).toEqual(Object.keys(emptyDesiredState()).sort());
    const files = kindNames.map((k) => registry[k].exportFile);
    expect(new Set(collections).size).toBe(kindNames.length);
    expect(new Set(files).size).toBe(kindNames.length);
    expect(exportPath("SipTrunk", "ACME001")).toBe("ACME001/trunks.yaml");
  });

  it("name key fields and contract renames the schema has", () => {
    for (const k of kindNames) {
      const d = registry[k];
      const [section, field] = d.keyField;
      if (section === "spec") expect(d.specFields as readonly string[], k).toContain(field);
      else expect([section, field]).toEqual(["metadata", "name"]);
      for (const f of Object.keys(d.contractFields ?? {}))
        expect(d.specFields as readonly string[]).toContain(f);
    }
  });

  it.each([
    ["Tenant", { tenant: "ACME", name: "acme", spec: { customerCode: "ACME" } }, tenantKey("ACME")],
    [
      "User",
      { tenant: "ACME", name: "giulia", spec: { email: "Giulia@X.example" } },
      userKey("ACME", "giulia@x.example"),
    ],
    ["Pbx", { tenant: "ACME", name: "hq", spec: {} }, pbxKey("ACME", "hq")],
    ["SipTrunk", { tenant: "ACME", name: "main", spec: {} }, sipTrunkKey("ACME", "main")],
    [
      "Extension",
      { tenant: "ACME", name: "x", pbx: "hq", spec: { number: "201" } },
      extensionKey("ACME", "hq", "201"),
    ],
    ["Number", { tenant: "ACME", name: "n", spec: { number: "+390212345600" } }, numberKey("+390212345600")],
  ] as const)("build the natural key of a %s", (kind, refs, want) => {
    expect(keyOf(kind as KindName, refs)).toBe(want);
  });
});

describe("facts read from the schemas and the contract", () => {
  it.each([
    [
      "SipTrunk",
      ["spec.password"],
      [],
      ["description", "operator", "endpoint", "authRequired", "username", "password"],
      [],
    ],
    ["Extension", ["spec.pin"], ["spec.status"], ["pin", "user", "license"], ["number"]],
    [
      "Tenant",
      [],
      ["spec.status"],
      ["businessName", "vatNumber", "fiscalCode", "omniaManager"],
      ["customerCode"],
    ],
    [
      "User",
      [],
      [],
      ["firstName", "lastName", "department", "adminConsoleRole", "omniaManagerRole", "mayManageCustomers"],
      ["email"],
    ],
    ["Pbx", [], ["spec.status"], ["kind", "group", "callCenter", "hotel"], []],
    ["Number", [], [], [], ["number", "blockDigits", "pbx", "trunk"]],
  ] as const)(
    "%s: secrets %j, status %j, updatable %j, replace-only %j",
    (kind, secrets, status, updatable, replace) => {
      const d = registry[kind];
      expect(d.secretPaths).toEqual(secrets);
      expect(d.statusPaths).toEqual(status);
      expect(d.updatable).toEqual(updatable);
      expect(d.replaceOnly).toEqual(replace);
    },
  );

  it.each([
    // Today's rule (engine/reconcile/export-tenant.ts, reconcile.ts): a PIN is held unless
    // hasPin is false; a trunk password only when hasPassword is true.
    ["Extension", {}, ["spec.pin"]],
    ["Extension", { hasPin: true }, ["spec.pin"]],
    ["Extension", { hasPin: false }, []],
    ["SipTrunk", {}, []],
    ["SipTrunk", { hasPassword: false }, []],
    ["SipTrunk", { hasPassword: true }, ["spec.password"]],
    ["Pbx", { hasPin: true, hasPassword: true }, []],
  ] as const)("says a live %s with facts %j holds the secrets %j", (kind, facts, want) => {
    expect(heldSecretPaths(kind, facts)).toEqual(want);
  });

  it("leaves secrets out of the plain part of an update", () => {
    expect(plainUpdatable("SipTrunk")).toEqual([
      "description",
      "operator",
      "endpoint",
      "authRequired",
      "username",
    ]);
    expect(plainUpdatable("Extension")).toEqual(["user", "license"]);
  });

  const common = "https://omnia.kalliope.io/schemas/common.schema.json";
  const secret = `${common}#/$defs/secretRef`;
  it.each([
    [
      "a property",
      { properties: { spec: { properties: { pin: { $ref: "common.schema.json#/$defs/secretRef" } } } } },
      ["spec.pin"],
    ],
    [
      "inside allOf and then",
      {
        properties: {
          a: { allOf: [{ properties: { b: { $ref: "common.schema.json#/$defs/secretRef" } } }] },
          // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON Schema keyword, not a promise
          c: { then: { properties: { d: { $ref: "common.schema.json#/$defs/secretRef" } } } },
        },
      },
      ["a.b", "c.d"],
    ],
    [
      "an array's items",
      { properties: { keys: { items: { $ref: "common.schema.json#/$defs/secretRef" } } } },
      ["keys.*"],
    ],
    [
      "another definition of common",
      { properties: { metadata: { $ref: "common.schema.json#/$defs/metadata" } } },
      [],
    ],
    ["none", { properties: { name: { type: "string" } } }, []],
  ])("finds the secret references at %s", (_case, schema, want) => {
    const found = refPaths(
      { $id: "https://omnia.kalliope.io/schemas/x.schema.json", ...schema },
      new Set([secret]),
    );
    expect(found.get(secret)).toEqual(want);
  });

  const patch = (body: string, answer: string) => ({
    patch: {
      requestBody: { content: { "application/json": { schema: { $ref: `#/components/schemas/${body}` } } } },
      responses: {
        "200": { content: { "application/json": { schema: { $ref: `#/components/schemas/${answer}` } } } },
      },
    },
  });
  it("takes the update schema from the PATCH that answers the kind's object", () => {
    const api = {
      paths: { "/a": patch("CompanyUpdate", "Company"), "/b": patch("CustomerUpdate", "Customer") },
    };
    expect(updateSchemaOf(api, "Customer")).toBe("CustomerUpdate");
    expect(updateSchemaOf(api, "NumberBlock")).toBeUndefined();
    expect(() =>
      updateSchemaOf({ paths: { ...api.paths, "/c": patch("Other", "Customer") } }, "Customer"),
    ).toThrow(errTwoUpdates);
  });
});

describe("adding a kind", () => {
  const withSchemas = (edit: (dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), "omnia-registry-"));
    try {
      cpSync(schemasDir, dir, { recursive: true });
      edit(dir);
      return readSchemaFacts(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("without a descriptor fails, naming the kind and its file", () => {
    const run = () =>
      withSchemas((dir) => {
        const schema = JSON.parse(readFileSync(join(dir, "pbx.schema.json"), "utf8"));
        schema.properties.kind.const = "Fax";
        writeFileSync(join(dir, "fax.schema.json"), JSON.stringify(schema));
      });
    expect(run).toThrow(`${errNoDescriptor}: Fax (fax.schema.json)`);
  });

  it("whose contract object is missing fails, naming it", () => {
    const run = () =>
      withSchemas((dir) => {
        const api = readFileSync(join(dir, "omnia-api.yaml"), "utf8").replace(
          /\n {4}NumberBlock:\n/,
          "\n    NumberBlockX:\n",
        );
        writeFileSync(join(dir, "omnia-api.yaml"), api);
      });
    expect(run).toThrow(`${errNoContract}: Number -> NumberBlock`);
  });

  it("gains its secret paths from a new secret field in its schema", () => {
    const facts = withSchemas((dir) => {
      const schema = JSON.parse(readFileSync(join(dir, "pbx.schema.json"), "utf8"));
      schema.properties.spec.properties.adminPassword = { $ref: "common.schema.json#/$defs/secretRef" };
      writeFileSync(join(dir, "pbx.schema.json"), JSON.stringify(schema));
    });
    expect(facts.Pbx?.secretPaths).toEqual(["spec.adminPassword"]);
    expect(facts.Pbx?.replaceOnly).toEqual(["adminPassword"]);
  });
});

describe("types derived from the registry", () => {
  it("resolve a kind's secrets to Secret, keeping each field's optionality", () => {
    type Trunk = ResolvedSpec<"SipTrunk", Secret>;
    type Ext = ResolvedSpec<"Extension", Secret>;
    expectTypeOf<Trunk>().toExtend<Omit<SipTrunkSpec, "password"> & { password?: Secret }>();
    expectTypeOf<Omit<SipTrunkSpec, "password"> & { password?: Secret }>().toExtend<Trunk>();
    expectTypeOf<Ext>().toExtend<Omit<ExtensionSpec, "pin"> & { pin: Secret }>();
    expectTypeOf<Omit<ExtensionSpec, "pin"> & { pin: Secret }>().toExtend<Ext>();
    expectTypeOf<LiveSpec<"Extension">>().toEqualTypeOf<Omit<ExtensionSpec, "pin">>();
    expectTypeOf<SecretFieldOf<"SipTrunk">>().toEqualTypeOf<"password">();
    expectTypeOf<SecretFieldOf<"Pbx">>().toEqualTypeOf<never>();
  });
});
