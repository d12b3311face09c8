import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { listManifestFiles, parseManifestFile } from "../load/parse.js";
import { registry } from "./registry.js";
import type { KindName } from "./resources.gen.js";
import { fieldFacts } from "./terraform.gen.js";
import {
  defaultDocumentName,
  documentFromAttributes,
  errClearSecretHere,
  errImportId,
  errSecretMissing,
  errSecretTwice,
  kindOfTypeName,
  parseImportId,
  stateFromDocument,
  terraformKinds,
} from "./terraform.js";

const kinds = Object.keys(terraformKinds) as KindName[];
const exampleDir = join(import.meta.dirname, "..", "..", "examples", "gitops-partner");
const namePattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

describe("terraformKinds: each kind's attributes, derived from the schemas", () => {
  it.each(kinds)("%s: names are unique snake_case, and every document field has one", (kind) => {
    const attrs = terraformKinds[kind].attributes;
    const names = attrs.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9_]*$/);
    for (const f of fieldFacts[kind]) expect(attrs.some((a) => a.path === f.path)).toBe(true);
    expect(terraformKinds[kind].typeName).toMatch(/^kalliope_[a-z_]+$/);
    expect(kindOfTypeName(terraformKinds[kind].typeName)).toBe(kind);
  });

  it.each(kinds)("%s: the contract's replace-only fields and the key force a replacement", (kind) => {
    const attrs = terraformKinds[kind].attributes;
    for (const f of registry[kind].replaceOnly) {
      expect(attrs.find((a) => a.path === `spec.${f}`)?.requiresReplace).toBe(true);
    }
    for (const f of registry[kind].updatable) {
      const a = attrs.find((x) => x.path === `spec.${f}` && x.role === "field");
      if (a) expect(a.requiresReplace).toBe(false);
    }
    expect(attrs.find((a) => a.path === registry[kind].keyField.join("."))?.requiresReplace).toBe(true);
  });

  it.each(kinds)("%s: secrets are write-only and sensitive, with a version and a variable name", (kind) => {
    const attrs = terraformKinds[kind].attributes;
    for (const path of registry[kind].secretPaths) {
      const clear = attrs.filter((a) => a.path === path);
      expect(clear.map((a) => a.role).sort()).toEqual(["secret", "secretEnv", "secretVersion"]);
      const secret = clear.find((a) => a.role === "secret");
      expect(secret).toMatchObject({ writeOnly: true, sensitive: true, required: false });
    }
  });

  it("a field with a default is optional and computed; a required one without is required", () => {
    const user = terraformKinds.User.attributes;
    expect(user.find((a) => a.name === "admin_console_role")).toMatchObject({
      optional: true,
      computed: true,
      default: "none",
      enum: ["admin", "viewer", "none"],
    });
    expect(user.find((a) => a.name === "first_name")).toMatchObject({ required: true, computed: false });
    const ext = terraformKinds.Extension.attributes.find((a) => a.name === "user");
    expect(ext?.type).toBe("object");
    expect(ext?.fields?.map((f) => f.name)).toEqual(["email", "first_name", "last_name"]);
    expect(terraformKinds.Pbx.attributes.find((a) => a.name === "name")?.required).toBe(true);
    expect(terraformKinds.Extension.attributes.find((a) => a.name === "name")?.required).toBe(false);
  });
});

describe("import ids", () => {
  it.each([
    ["Tenant", "ACME001", "ACME001", "Tenant/ACME001"],
    ["User", "ACME001/Giulia.Rossi@acme.example", "ACME001", "User/ACME001/giulia.rossi@acme.example"],
    ["Pbx", "ACME001/hq", "ACME001", "Pbx/ACME001/hq"],
    ["SipTrunk", "ACME001/main", "ACME001", "SipTrunk/ACME001/main"],
    ["Extension", "ACME001/hq/201", "ACME001", "Extension/ACME001/hq/201"],
    ["Number", "ACME001/+390212345670", "ACME001", "Number/+390212345670"],
  ] as const)("%s %s is tenant %s, key %s", (kind, id, tenant, key) => {
    const got = parseImportId(kind, id);
    expect(got).toMatchObject({ tenant, key, id });
    expect(`${kind}/${got.keyAfterKind}`).toBe(key);
  });

  it.each([
    ["Extension", "ACME001/201"],
    ["Extension", "ACME001/hq/201/x"],
    ["Extension", "ACME001//201"],
    ["Tenant", "ACME001/x"],
    ["Pbx", ""],
    ["Number", "+390212345670"],
  ] as const)("%s %j is refused, naming the format", (kind, id) => {
    expect(() => parseImportId(kind, id)).toThrow(
      `${errImportId}: "${id}" is not ${terraformKinds[kind].idFormat}`,
    );
  });
});

describe("defaultDocumentName", () => {
  it("is a valid document name for any key, and two long keys keep two names", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ minLength: 1, maxLength: 20 }), (key, tail) => {
        expect(defaultDocumentName(key)).toMatch(namePattern);
        const long = `${"x".repeat(70)}${key}`;
        if (tail !== "" && `${long}${tail}` !== long) {
          expect(defaultDocumentName(long)).not.toBe(defaultDocumentName(`${long}${tail}`));
        }
      }),
    );
  });
});

/** The document with every schema default filled in, as the loader reads it. */
function withDefaults(kind: KindName, doc: Record<string, Record<string, unknown>>) {
  const out = structuredClone(doc);
  for (const f of fieldFacts[kind]) {
    const [part, field] = f.path.split(".") as ["metadata" | "spec", string];
    if (f.default === undefined || out[part]?.[field] !== undefined) continue;
    out[part] = { ...out[part], [field]: f.default };
  }
  return out;
}

describe("document → state → document, over every document of the example repository", () => {
  it("gives back the document (secrets as variable names, defaults filled in)", async () => {
    let count = 0;
    for (const file of await listManifestFiles(exampleDir)) {
      for (const { value } of (await parseManifestFile(file)).documents) {
        const doc = structuredClone(value) as Record<string, Record<string, unknown>> & { kind: KindName };
        const kind = doc.kind;
        for (const path of registry[kind].secretPaths) {
          const field = path.split(".")[1] as string;
          if (doc.spec?.[field])
            doc.spec[field] = { fromEnv: `OMNIA_SECRET_${field.toUpperCase()}_${count}` };
        }
        const state = stateFromDocument(kind, doc as { spec?: Record<string, unknown> }, undefined, null);
        const back = documentFromAttributes(kind, state);
        expect(back.problems).toEqual([]);
        const want = withDefaults(kind, doc);
        expect(back.document.spec).toEqual(want.spec);
        expect(back.document.metadata).toEqual(want.metadata);
        count++;
      }
    }
    expect(count).toBeGreaterThan(80);
  });
});

describe("documentFromAttributes", () => {
  const ext = {
    tenant: "ACME001",
    pbx: "hq",
    number: "201",
    license: "plus",
    user: { email: "giulia.rossi@acme.example", first_name: null, last_name: null },
  };

  it("a clear secret becomes the reference the caller stores it under, never the value", () => {
    const { document, problems } = documentFromAttributes(
      "Extension",
      { ...ext, pin: "4711" },
      { clearSecret: () => ({ fromSecret: "extension-hq-201-pin" }) },
    );
    expect(problems).toEqual([]);
    expect(document.spec).toMatchObject({ pin: { fromSecret: "extension-hq-201-pin" } });
    expect(JSON.stringify(document)).not.toContain("4711");
    expect(document.metadata).toEqual({ tenant: "ACME001", pbx: "hq", name: "acme001-hq-201" });
  });

  it.each([
    ["both forms", { pin: "4711", pin_from_env: "OMNIA_SECRET_PIN" }, "pin_from_env", errSecretTwice],
    ["neither form of a required secret", {}, "pin", errSecretMissing],
    ["a clear secret where none can be kept", { pin: "4711" }, "pin", errClearSecretHere],
  ])("%s is a problem at the attribute", (_name, extra, attribute, message) => {
    const { problems, document } = documentFromAttributes("Extension", { ...ext, ...extra });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.attribute).toEqual([attribute]);
    expect(problems[0]?.message).toContain(message);
    expect(JSON.stringify(document)).not.toContain("4711");
  });

  it("reads CDKTF props (camelCase) as well", () => {
    const { document, problems } = documentFromAttributes(
      "Extension",
      {
        tenant: "ACME001",
        pbx: "hq",
        number: "201",
        license: "start",
        pinFromEnv: "OMNIA_SECRET_PIN",
        user: { email: "a@b.it", firstName: "A", lastName: "B" },
      },
      { byProp: true },
    );
    expect(problems).toEqual([]);
    expect(document.spec).toEqual({
      number: "201",
      license: "start",
      pin: { fromEnv: "OMNIA_SECRET_PIN" },
      user: { email: "a@b.it", firstName: "A", lastName: "B" },
    });
  });
});

describe("stateFromDocument", () => {
  const doc = {
    metadata: { tenant: "ACME001", pbx: "hq", name: "reception" },
    spec: {
      number: "201",
      license: "plus",
      pin: { fromEnv: "OMNIA_SECRET_PIN" },
      user: { email: "a@b.it", firstName: "Anna", lastName: "Bo" },
    },
  };

  it("shows a hand edit on the platform, keeps what is never compared, and no secret", () => {
    const state = stateFromDocument(
      "Extension",
      doc,
      {
        id: "ext_9",
        spec: { number: "201", license: "start", user: { email: "a@b.it" }, pin: { sensitive: true } },
        status: "active",
        facts: { meetingId: "MEET-1" },
      },
      { pin_wo_version: 3 },
    );
    expect(state).toMatchObject({
      id: "ACME001/hq/201",
      license: "start",
      user: { email: "a@b.it", first_name: "Anna", last_name: "Bo" },
      pin: null,
      pin_from_env: "OMNIA_SECRET_PIN",
      pin_wo_version: 3,
      platform_id: "ext_9",
      platform_status: "active",
      meeting_id: "MEET-1",
      status: "active",
    });
    expect(Object.keys(state).sort()).toEqual(terraformKinds.Extension.attributes.map((a) => a.name).sort());
  });
});
