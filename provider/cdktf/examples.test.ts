/**
 * The three examples declare the same partner: examples/gitops-partner (YAML), examples/cdktf-app
 * (constructs, synthesized here without network) and examples/hcl (plain Terraform, parsed with
 * CDK Terrain's HCL-to-JSON parser). Each resource is turned back into its manifest document and
 * compared by natural key, document by document; secrets compare by where they come from.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import hcl from "@cdktn/hcl2json";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listManifestFiles, parseManifestFile } from "../../controller/load/parse.js";
import { documentRefs, isKindName, keyOf } from "../../controller/model/registry.js";
import { documentFromAttributes, kindOfTypeName, terraformKinds } from "../../controller/model/terraform.js";
import { buildApp } from "../../examples/cdktf-app/main.js";

const examples = join(import.meta.dirname, "..", "..", "examples");
/** The controller's secret namespace of the examples' partner (`demo`, examples/controller). */
const partnerNamespace = "OMNIA_SECRET_DEMO_";

type Doc = { kind: string; metadata: Record<string, unknown>; spec: Record<string, unknown> };
type Blocks = Record<string, Record<string, Record<string, unknown>>>;

const secretPaths = new Map<string, string[]>(
  Object.values(terraformKinds).map((k) => [
    k.kind,
    k.attributes.filter((a) => a.role === "secret").map((a) => a.propName),
  ]),
);

/** Documents by natural key, the spec's secrets replaced by how they are given (`fromEnv`, `fromFile`). */
function byKey(docs: Doc[]): Map<string, Doc> {
  const out = new Map<string, Doc>();
  for (const doc of docs) {
    if (!isKindName(doc.kind)) throw new Error(`not a kind: ${doc.kind}`);
    const refs = documentRefs(doc.kind, doc);
    if (!refs) throw new Error(`no key: ${JSON.stringify(doc)}`);
    const spec = { ...doc.spec };
    for (const s of secretPaths.get(doc.kind) ?? []) {
      if (spec[s] !== undefined) spec[s] = Object.keys(spec[s] as object)[0];
    }
    const key = keyOf(doc.kind, refs);
    if (out.has(key)) throw new Error(`declared twice: ${key}`);
    out.set(key, { kind: doc.kind, metadata: doc.metadata, spec });
  }
  return out;
}

/** Manifest documents of resource blocks (`{type: {label: attributes}}`). */
function documentsOfBlocks(blocks: Blocks): Doc[] {
  return Object.entries(blocks).flatMap(([type, byLabel]) => {
    const kind = kindOfTypeName(type);
    if (!kind) throw new Error(`not a Kalliope resource type: ${type}`);
    return Object.values(byLabel).map((attrs) => {
      const { document, problems } = documentFromAttributes(kind, attrs);
      if (problems.length > 0) throw new Error(`${type}: ${JSON.stringify(problems)}`);
      return document as Doc;
    });
  });
}

/** Every `fromEnv` of the documents' secrets. */
const envNames = (docs: Doc[]) =>
  docs.flatMap((d) =>
    (secretPaths.get(d.kind) ?? []).flatMap((s) => {
      const ref = d.spec[s] as { fromEnv?: string } | undefined;
      return ref?.fromEnv ? [ref.fromEnv] : [];
    }),
  );

/**
 * HCL resource blocks with their references to other blocks' attributes resolved
 * (`kalliope_pbx.hq.tenant` -> that block's `tenant`, itself maybe a reference). The examples
 * use no other expression; anything else is left as written and fails the comparison.
 */
function resolveHcl(parsed: {
  resource?: Record<string, Record<string, Record<string, unknown>[]>>;
}): Blocks {
  const blocks: Blocks = {};
  for (const [type, byLabel] of Object.entries(parsed.resource ?? {})) {
    blocks[type] = Object.fromEntries(
      Object.entries(byLabel).map(([label, [attrs]]) => [label, attrs ?? {}]),
    );
  }
  const resolve = (value: unknown): unknown => {
    const ref = typeof value === "string" ? /^\$\{(\w+)\.(\w+)\.(\w+)\}$/.exec(value) : null;
    if (!ref) return value;
    const [, type = "", label = "", attr = ""] = ref;
    return resolve(blocks[type]?.[label]?.[attr] ?? value);
  };
  for (const byLabel of Object.values(blocks)) {
    for (const attrs of Object.values(byLabel))
      for (const k of Object.keys(attrs)) attrs[k] = resolve(attrs[k]);
  }
  return blocks;
}

const yaml: Doc[] = [];
let synthDocs: Doc[] = [];
let synthText = "";
let hclDocs: Doc[] = [];
let outdir = "";

beforeAll(async () => {
  for (const file of await listManifestFiles(join(examples, "gitops-partner"))) {
    for (const d of (await parseManifestFile(file)).documents) yaml.push(d.value as Doc);
  }
  outdir = await mkdtemp(join(tmpdir(), "cdktf-app-"));
  (await buildApp({ outdir })).synth();
  synthText = await readFile(join(outdir, "stacks", "demo-partner", "cdk.tf.json"), "utf8");
  synthDocs = documentsOfBlocks((JSON.parse(synthText) as { resource: Blocks }).resource);
  const dir = join(examples, "hcl");
  const merged: { resource: Record<string, Record<string, Record<string, unknown>[]>> } = { resource: {} };
  for (const file of (await readdir(dir)).filter((f) => f.endsWith(".tf")).sort()) {
    const parsed = (await hcl.parse(file, await readFile(join(dir, file), "utf8"))) as typeof merged;
    for (const [type, byLabel] of Object.entries(parsed.resource ?? {})) {
      merged.resource[type] = { ...merged.resource[type], ...byLabel };
    }
  }
  hclDocs = documentsOfBlocks(resolveHcl(merged));
});

afterAll(async () => {
  if (outdir) await rm(outdir, { recursive: true, force: true });
});

/** What the Terraform examples leave out of the YAML on purpose, by natural key. */
const terraformDifferences = new Map<string, Record<string, string>>([
  ["Tenant/HLM-STRESA", { driftMode: "warn" }],
  ["Pbx/CONTI-LEGAL/studio-roma", { deletionPolicy: "orphan" }],
  ["Number/+390323931000", { deletionPolicy: "orphan" }],
]);

describe("the examples declare the same partner", () => {
  it("the gitops example has the partner's 3 customers, 60 extensions and 12 number blocks", () => {
    const count = (kind: string) => yaml.filter((d) => d.kind === kind).length;
    expect([count("Tenant"), count("Extension"), count("Number"), count("Pbx"), count("SipTrunk")]).toEqual([
      3, 60, 12, 5, 2,
    ]);
  });

  it.each([
    ["examples/cdktf-app (synthesized cdk.tf.json)", () => synthDocs],
    ["examples/hcl", () => hclDocs],
  ])("%s declares the same documents by natural key, secrets from the environment", (_name, docs) => {
    const want = byKey(yaml);
    const got = byKey(docs());
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [key, doc] of want) {
      // The differences on purpose: policies of the repository workflow whose part Terraform
      // plays itself (the hotel's driftMode "warn", two deletionPolicy "orphan"; see the
      // examples' comments).
      const workflowOnly = terraformDifferences.get(key);
      if (workflowOnly) {
        expect(doc.metadata).toMatchObject(workflowOnly);
        doc.metadata = Object.fromEntries(
          Object.entries(doc.metadata as Record<string, unknown>).filter(([k]) => !(k in workflowOnly)),
        );
      }
      const spec = Object.fromEntries(
        Object.entries(doc.spec).map(([k, v]) => [k, v === "fromFile" ? "fromEnv" : v]),
      );
      expect(got.get(key), key).toEqual({ ...doc, spec });
    }
  });

  it("both name each secret by the same variable, in the partner's namespace", () => {
    const cdktf = envNames(synthDocs).sort();
    expect(cdktf).toHaveLength(61);
    expect(envNames(hclDocs).sort()).toEqual(cdktf);
    for (const name of cdktf) expect(name.startsWith(partnerNamespace), name).toBe(true);
  });

  it("the synthesized stack pins the provider and holds no secret value of the gitops example", async () => {
    const json = JSON.parse(synthText) as { terraform: { required_providers: Record<string, unknown> } };
    expect(json.terraform.required_providers.kalliope).toEqual({
      source: "omnia-iac/kalliope",
      version: "0.1.0",
    });
    const dir = join(examples, "gitops-partner", "secrets");
    for (const customer of await readdir(dir)) {
      for (const file of await readdir(join(dir, customer))) {
        const value = (await readFile(join(dir, customer, file), "utf8")).trim();
        // A PIN is digits: look for it as a JSON value, not inside a phone number.
        expect(synthText, file).not.toContain(`"${value}"`);
      }
    }
  });
});
