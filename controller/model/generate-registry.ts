/**
 * Generates `registry.gen.ts`: what `schemas/` says of each kind, for the kind registry
 * (registry.ts). Run with `npm run gen`; a test checks the committed file is what this
 * script produces. Per kind it reads:
 * - from the kind's schema: its file and `$id`, the spec's top-level fields, the paths whose
 *   schema is common.schema.json's `secretRef` (secrets) or `status` (suspend/resume);
 * - from the platform contract (schemas/omnia-api.yaml): the update schema, i.e. the request
 *   body of the PATCH that answers the kind's contract object (`contract` in
 *   kind-descriptors.ts). Spec fields it names are updatable; the others are replace-only
 *   (Terraform's `requires_replace`); a kind without such a PATCH is replace-only as a whole.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { kindDescriptorInputs } from "./kind-descriptors.js";
import { readKindSchemas, readSchemaFile, type SchemaNode, schemasDir } from "./schema-files.js";

const here = dirname(fileURLToPath(import.meta.url));
/** Where the generated registry facts are written. */
export const registryGenFile = join(here, "registry.gen.ts");

export const errNoDescriptor = "a kind schema has no descriptor in controller/model/kind-descriptors.ts";
export const errNoContract = "the contract (schemas/omnia-api.yaml) has no schema named as a kind's contract";
export const errTwoUpdates = "the contract has more than one PATCH answering a kind's contract object";
export const errUnknownSpecField = "a kind's contractFields name a field its spec does not have";

/** What the schemas say of one kind. */
export interface SchemaFacts {
  /** File name in `schemas/`. */
  schemaFile: string;
  /** The schema's `$id`. */
  schemaId: string;
  /** Top-level fields of `spec`, in schema order. */
  specFields: string[];
  /** Document paths whose schema is a secret reference (`common.schema.json#/$defs/secretRef`). */
  secretPaths: string[];
  /**
   * Per secret path, the boolean the contract's object answers instead of the write-only
   * value (`pin` -> `hasPin`, as the contract's convention is), null when it has none, and
   * whether the spec requires the secret.
   */
  secretFacts: Record<string, { fact: string | null; required: boolean }>;
  /** Document paths whose schema is the administrative status (`common.schema.json#/$defs/status`). */
  statusPaths: string[];
  /** Name of the update schema in the contract; null when the platform cannot update the kind. */
  contractUpdate: string | null;
  /** Top-level spec fields an update can change (secrets included, status excluded). */
  updatable: string[];
  /** Top-level spec fields only a replacement can change (status excluded). */
  replaceOnly: string[];
}

const commonFile = "common.schema.json";

/** Paths (dot separated) in `schema` whose node is a `$ref` to one of `targets` (absolute URLs). */
export function refPaths(
  schema: SchemaNode,
  targets: ReadonlySet<string>,
  dir = schemasDir,
): Map<string, string[]> {
  const found = new Map<string, string[]>([...targets].map((t) => [t, []]));
  const visiting = new Set<string>();
  const walk = (node: unknown, base: string, path: string[]): void => {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return;
    const n = node as SchemaNode;
    if (typeof n.$ref === "string") {
      const target = new URL(n.$ref, base).href;
      const hit = found.get(target);
      if (hit) {
        hit.push(path.join("."));
        return;
      }
      // Follow a reference into another definition (metadata, ...), once per path.
      const [file, pointer = ""] = target.split("#");
      const seen = `${target}@${path.join(".")}`;
      if (!visiting.has(seen) && file) {
        visiting.add(seen);
        const doc = readSchemaFile(file.slice(file.lastIndexOf("/") + 1), dir);
        walk(resolvePointer(doc, pointer), String(doc.$id ?? file), path);
        visiting.delete(seen);
      }
    }
    for (const key of ["allOf", "anyOf", "oneOf"]) {
      if (Array.isArray(n[key])) for (const s of n[key] as unknown[]) walk(s, base, path);
    }
    for (const key of ["then", "else"]) walk(n[key], base, path);
    if (n.properties && typeof n.properties === "object") {
      for (const [name, s] of Object.entries(n.properties as SchemaNode)) walk(s, base, [...path, name]);
    }
    if (n.items) walk(n.items, base, [...path, "*"]);
  };
  walk(schema, String(schema.$id), []);
  return found;
}

function resolvePointer(doc: SchemaNode, pointer: string): unknown {
  let node: unknown = doc;
  for (const part of pointer.split("/").filter((p) => p !== "")) {
    node = (node as SchemaNode | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

type OpenApi = {
  paths?: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, SchemaNode> };
};

/** The schema name a `{$ref: "#/components/schemas/X"}` node names, if it is one. */
function refName(node: unknown): string | undefined {
  const ref = (node as { $ref?: unknown } | undefined)?.$ref;
  const m = typeof ref === "string" ? /^#\/components\/schemas\/(\w+)$/.exec(ref) : null;
  return m?.[1];
}

/**
 * The update schema of the contract object `contract`: the JSON request body of the PATCH
 * whose 200 answer is that object. Undefined when there is none. Throws when two PATCHes
 * answer it (which one updates the kind would be a guess).
 */
export function updateSchemaOf(api: OpenApi, contract: string): string | undefined {
  const found: string[] = [];
  for (const [path, item] of Object.entries(api.paths ?? {})) {
    const patch = item.patch as
      | {
          requestBody?: { content?: Record<string, { schema?: unknown }> };
          responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
        }
      | undefined;
    if (!patch) continue;
    const answer = refName(patch.responses?.["200"]?.content?.["application/json"]?.schema);
    const body = refName(patch.requestBody?.content?.["application/json"]?.schema);
    if (answer === contract && body) found.push(`${body} (${path})`);
  }
  if (found.length > 1) throw new Error(`${errTwoUpdates}: ${contract}: ${found.join(", ")}`);
  return found[0]?.split(" ")[0];
}

/** Reads the facts of every kind from `schemas/`. */
export function readSchemaFacts(dir: string = schemasDir): Record<string, SchemaFacts> {
  const api = parse(readFileSync(join(dir, "omnia-api.yaml"), "utf8")) as OpenApi;
  const commonId = String(readSchemaFile(commonFile, dir).$id);
  const secretRef = `${commonId}#/$defs/secretRef`;
  const statusRef = `${commonId}#/$defs/status`;
  const out: Record<string, SchemaFacts> = {};
  for (const { kind, file, schema } of readKindSchemas(dir)) {
    const input = (
      kindDescriptorInputs as Record<string, (typeof kindDescriptorInputs)[keyof typeof kindDescriptorInputs]>
    )[kind];
    if (!input) throw new Error(`${errNoDescriptor}: ${kind} (${file})`);
    const contractSchema = api.components?.schemas?.[input.contract];
    if (!contractSchema) throw new Error(`${errNoContract}: ${kind} -> ${input.contract}`);
    const refs = refPaths(schema, new Set([secretRef, statusRef]), dir);
    const secretPaths = refs.get(secretRef) ?? [];
    const statusPaths = refs.get(statusRef) ?? [];
    const spec = (schema.properties as { spec?: { properties?: SchemaNode } }).spec;
    const specFields = Object.keys(spec?.properties ?? {});
    const renamed = input.contractFields ?? {};
    for (const f of Object.keys(renamed)) {
      if (!specFields.includes(f)) throw new Error(`${errUnknownSpecField}: ${kind}.${f}`);
    }
    const required = new Set((spec as { required?: string[] } | undefined)?.required ?? []);
    const objectFields = new Set(Object.keys(contractSchema.properties ?? {}));
    const secretFacts: SchemaFacts["secretFacts"] = {};
    for (const path of secretPaths) {
      const field = path.split(".").at(-1) ?? "";
      const fact = `has${field.charAt(0).toUpperCase()}${field.slice(1)}`;
      secretFacts[path] = {
        fact: objectFields.has(fact) ? fact : null,
        required: path === `spec.${field}` && required.has(field),
      };
    }
    const contractUpdate = updateSchemaOf(api, input.contract) ?? null;
    const updateFields = new Set(
      Object.keys((contractUpdate && api.components?.schemas?.[contractUpdate]?.properties) || {}),
    );
    const updatable: string[] = [];
    const replaceOnly: string[] = [];
    for (const f of specFields) {
      if (statusPaths.includes(`spec.${f}`)) continue; // suspend/resume, not an update
      const names = renamed[f] ?? [f];
      (names.some((n) => updateFields.has(n)) ? updatable : replaceOnly).push(f);
    }
    out[kind] = {
      schemaFile: file,
      schemaId: String(schema.$id),
      specFields,
      secretPaths,
      secretFacts,
      statusPaths,
      contractUpdate,
      updatable,
      replaceOnly,
    };
  }
  return out;
}

/** The manifest `apiVersion`s common.schema.json accepts (`$defs.apiVersion`: a const or an enum). */
export function readApiVersions(dir: string = schemasDir): string[] {
  const def = (readSchemaFile(commonFile, dir).$defs as Record<string, SchemaNode>).apiVersion ?? {};
  const values = def.enum ?? (def.const === undefined ? [] : [def.const]);
  return (values as unknown[]).map(String);
}

/** Renders `registry.gen.ts`. */
export function renderRegistry(): string {
  const facts = readSchemaFacts();
  return [
    "/* Generated by controller/model/generate-registry.ts from schemas/*.schema.json and schemas/omnia-api.yaml. Do not edit. */",
    "",
    "/** The manifest apiVersions the schemas accept (common.schema.json `$defs.apiVersion`). */",
    `export const apiVersions = ${JSON.stringify(readApiVersions())} as const;`,
    "",
    "/** What the schemas and the platform contract say of each kind (see generate-registry.ts, registry.ts). */",
    `export const schemaFacts = ${JSON.stringify(facts, null, 2)} as const;`,
    "",
  ].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(registryGenFile, renderRegistry());
  console.log(`wrote ${registryGenFile}`);
}
