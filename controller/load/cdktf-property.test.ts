// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Terraform's templates are what this test writes
/**
 * Property: any documents of examples/gitops-partner, turned into Terraform attributes by
 * the provider's own mapping (`stateFromDocument`) and written into a `cdk.tf.json` as
 * CDKTF writes it (children naming their tenant, PBX and trunk through the parent's
 * attribute or id, or as literals), load to the same desired state as the YAML they came
 * from, whichever documents stay YAML beside the JSON in the same source.
 */
import { readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { KindName } from "../model/resources.gen.js";
import { stateFromDocument, terraformKinds } from "../model/terraform.js";
import { comparable } from "../test-support/comparable-state.js";
import { formatProblem, loadTexts } from "./index.js";
import { listManifestFiles, parseManifestFile } from "./parse.js";

const example = join(import.meta.dirname, "..", "..", "examples", "gitops-partner");

interface Doc {
  kind: KindName;
  tenant: string;
  value: { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  /** Its logical id in the JSON. */
  id: string;
}

let docs: Doc[] = [];
/** The PINs of the example's secret files, by the variable a JSON resource names. */
const env: Record<string, string> = {};

beforeAll(async () => {
  for (const file of await listManifestFiles(join(example, "customers"))) {
    for (const d of (await parseManifestFile(file)).documents) {
      const value = structuredClone(d.value) as Doc["value"] & { kind: KindName };
      const tenant = String(value.kind === "Tenant" ? value.spec.customerCode : value.metadata.tenant);
      const id = `${value.kind}_${tenant}_${value.metadata.name}`.replace(/[^A-Za-z0-9_-]/g, "_");
      // A file secret becomes the variable the JSON names (a synthesized file has no fromFile).
      for (const a of terraformKinds[value.kind].attributes.filter((x) => x.role === "secret")) {
        const field = a.path.split(".")[1] as string;
        const ref = value.spec?.[field] as { fromFile?: string } | undefined;
        if (!ref?.fromFile) continue;
        const name = `OMNIA_SECRET_${id.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_${field.toUpperCase()}`;
        env[name] = (await readFile(join(dirname(file), ref.fromFile), "utf8")).trim();
        value.spec = { ...value.spec, [field]: { fromEnv: name } };
      }
      docs.push({ kind: value.kind, tenant, value, id });
    }
  }
  docs = docs.filter((d) => d.value.spec !== undefined);
});

/** How a child names a parent in the JSON. */
type Naming = "literal" | "attribute" | "id";

/** The Terraform attributes of a document as the provider's mapping gives them: no computed, no nulls. */
function attributesOf(d: Doc): Record<string, unknown> {
  const state = stateFromDocument(d.kind, d.value, undefined, null);
  const out: Record<string, unknown> = {};
  for (const a of terraformKinds[d.kind].attributes) {
    if (a.role === "id" || a.role === "computed" || state[a.name] === null) continue;
    const v = state[a.name];
    out[a.name] =
      a.type === "object" && v && typeof v === "object"
        ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null))
        : v;
  }
  return out;
}

/** A cdk.tf.json of `inJson`, children naming parents in the JSON as `naming` says. */
function synthesize(inJson: Doc[], naming: (d: Doc, parent: string) => Naming): string {
  const resource: Record<string, Record<string, Record<string, unknown>>> = {};
  const find = (kind: KindName, tenant: string, name: string) =>
    inJson.find(
      (p) => p.kind === kind && p.tenant === tenant && (kind === "Tenant" || p.value.metadata.name === name),
    );
  for (const d of inJson) {
    const attrs = attributesOf(d);
    const ref = (attr: string, kind: KindName, name: string, field: string) => {
      const parent = find(kind, d.tenant, name);
      const how = parent ? naming(d, attr) : "literal";
      if (!parent || how === "literal") return;
      const type = terraformKinds[kind].typeName;
      attrs[attr] =
        how === "id" && kind === "Tenant"
          ? `\${${type}.${parent.id}.id}`
          : `\${${type}.${parent.id}.${field}}`;
    };
    if (d.kind !== "Tenant") ref("tenant", "Tenant", d.tenant, "customer_code");
    if (typeof attrs.pbx === "string") ref("pbx", "Pbx", attrs.pbx, "name");
    if (typeof attrs.trunk === "string") ref("trunk", "SipTrunk", attrs.trunk, "name");
    const type = terraformKinds[d.kind].typeName;
    resource[type] ??= {};
    (resource[type] as Record<string, unknown>)[d.id] = {
      "//": { metadata: { path: `partner/${d.id}`, uniqueId: d.id } },
      ...attrs,
    };
  }
  return JSON.stringify({ provider: { kalliope: [{}] }, resource }, null, 2);
}

const yamlOf = (ds: Doc[]) =>
  ds.map((d) => stringify({ apiVersion: "omnia.kalliope.io/v1", kind: d.kind, ...d.value })).join("---\n");

describe("cdk.tf.json from the provider's mapping", () => {
  it("loads any documents of the example to the state their YAML loads to", () => {
    const tenants = [...new Set(docs.map((d) => d.tenant))];
    expect(tenants.length).toBeGreaterThanOrEqual(3);
    fc.assert(
      fc.property(
        fc.subarray(tenants, { minLength: 1 }),
        fc.array(fc.boolean(), { minLength: docs.length, maxLength: docs.length }),
        fc.array(fc.constantFrom<Naming>("literal", "attribute", "id"), {
          minLength: docs.length,
          maxLength: docs.length,
        }),
        (chosen, inJsonFlags, namings) => {
          const picked = docs.filter((d) => chosen.includes(d.tenant));
          const flag = (d: Doc) => inJsonFlags[docs.indexOf(d)] as boolean;
          const inJson = picked.filter(flag);
          const inYaml = picked.filter((d) => !flag(d));
          const naming = (d: Doc, attr: string): Naming => {
            const n = namings[docs.indexOf(d)] as Naming;
            return n === "id" && attr !== "tenant" ? "attribute" : n;
          };
          const options = { env };
          const want = loadTexts(new Map([["/r/all.yaml", yamlOf(picked)]]), options);
          expect(want.problems.map((p) => formatProblem(p))).toEqual([]);
          const files = new Map<string, string>();
          if (inJson.length > 0)
            files.set("/r/cdktf.out/stacks/partner/cdk.tf.json", synthesize(inJson, naming));
          if (inYaml.length > 0) files.set("/r/rest.yaml", yamlOf(inYaml));
          const got = loadTexts(files, options);
          expect(got.problems.map((p) => formatProblem(p, (f) => relative("/r", f)))).toEqual([]);
          expect(comparable(got.state)).toEqual(comparable(want.state));
        },
      ),
      { numRuns: 25 },
    );
  });
});
