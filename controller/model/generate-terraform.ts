/**
 * Generates `terraform.gen.ts`: each kind's document fields as the Terraform provider and
 * the CDKTF constructs see them, read from `schemas/` (run with `npm run gen`; a test checks
 * the committed file is what this script produces). Per kind, in schema order: the metadata
 * fields the kind allows (its schema's `allOf` narrows common.schema.json's `metadata`), then
 * every `spec` field, each with its JSON type, whether the document requires it, its default,
 * its allowed values, its description, whether it is a secret reference, and for an object
 * its own fields. `terraform.ts` turns these facts into attribute names and conversions.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readKindSchemas, readSchemaFile, type SchemaNode, schemasDir } from "./schema-files.js";
import type { FieldFact } from "./terraform-facts.js";

const here = dirname(fileURLToPath(import.meta.url));
/** Where the generated field facts are written. */
export const terraformGenFile = join(here, "terraform.gen.ts");

/** A schema construct the Terraform mapping has no type for (a new field shape needs a rule here). */
export const errUnmappedField = "a schema field has no Terraform type";

const commonFile = "common.schema.json";

/** Follows `$ref`s (into common.schema.json) and merges the description of the referring node. */
function deref(node: SchemaNode, common: SchemaNode): { node: SchemaNode; ref?: string } {
  const ref = typeof node.$ref === "string" ? node.$ref : undefined;
  if (!ref) return { node };
  const [file, pointer = ""] = ref.split("#");
  if (file !== "" && file !== commonFile) throw new Error(`${errUnmappedField}: $ref ${ref}`);
  let target: unknown = common;
  for (const part of pointer.split("/").filter(Boolean)) target = (target as SchemaNode)[part];
  const resolved = deref(target as SchemaNode, common).node;
  const { $ref: _drop, ...own } = node;
  return { node: { ...resolved, ...own }, ref: pointer };
}

function fieldFact(path: string, raw: SchemaNode, required: boolean, common: SchemaNode): FieldFact {
  const { node, ref } = deref(raw, common);
  const description = String(node.description ?? "").trim();
  const base = { path, required, description } as FieldFact;
  if (node.default !== undefined) base.default = node.default as string | number | boolean;
  if (ref === "/$defs/secretRef") return { ...base, type: "string", secret: true };
  if (Array.isArray(node.enum)) {
    const values = node.enum as (string | number)[];
    const type = values.every((v) => typeof v === "number") ? "number" : "string";
    return { ...base, type, enum: values };
  }
  switch (node.type) {
    case "string":
      return { ...base, type: "string" };
    case "boolean":
      return { ...base, type: "bool" };
    case "integer":
    case "number":
      return { ...base, type: "number" };
    case "array":
      if ((node.items as SchemaNode | undefined)?.type === "string") return { ...base, type: "list" };
      break;
    case "object": {
      const props = node.properties as Record<string, SchemaNode> | undefined;
      if (props) {
        const req = new Set((node.required as string[] | undefined) ?? []);
        const fields = Object.entries(props).map(([name, s]) =>
          fieldFact(`${path}.${name}`, s, req.has(name), common),
        );
        return { ...base, type: "object", fields };
      }
      const extra = node.additionalProperties as SchemaNode | undefined;
      if (extra?.type === "string") return { ...base, type: "map" };
      break;
    }
  }
  throw new Error(`${errUnmappedField}: ${path}`);
}

/** Reads the field facts of every kind from `schemas/`. */
export function readTerraformFacts(dir: string = schemasDir): Record<string, FieldFact[]> {
  const common = readSchemaFile(commonFile, dir);
  const metaDef = (common.$defs as Record<string, SchemaNode>).metadata as SchemaNode;
  const metaProps = metaDef.properties as Record<string, SchemaNode>;
  const out: Record<string, FieldFact[]> = {};
  for (const { kind, schema } of readKindSchemas(dir)) {
    const props = schema.properties as Record<string, SchemaNode>;
    // The kind narrows the common metadata: `required` adds, `properties: {x: false}` removes.
    const narrowing = ((props.metadata?.allOf as SchemaNode[] | undefined) ?? []).filter((s) => !s.$ref);
    const metaRequired = new Set((metaDef.required as string[] | undefined) ?? []);
    const removed = new Set<string>();
    for (const n of narrowing) {
      for (const r of (n.required as string[] | undefined) ?? []) metaRequired.add(r);
      for (const [name, s] of Object.entries((n.properties as Record<string, unknown>) ?? {})) {
        if (s === false) removed.add(name);
      }
    }
    const fields: FieldFact[] = [];
    for (const [name, s] of Object.entries(metaProps)) {
      if (removed.has(name)) continue;
      fields.push(fieldFact(`metadata.${name}`, s, metaRequired.has(name), common));
    }
    const spec = props.spec as SchemaNode;
    const specRequired = new Set((spec.required as string[] | undefined) ?? []);
    for (const [name, s] of Object.entries(spec.properties as Record<string, SchemaNode>)) {
      fields.push(fieldFact(`spec.${name}`, s, specRequired.has(name), common));
    }
    out[kind] = fields;
  }
  return out;
}

/** The text of `terraform.gen.ts`. */
export function renderTerraformFacts(dir: string = schemasDir): string {
  const facts = readTerraformFacts(dir);
  return [
    "// Generated by controller/model/generate-terraform.ts from schemas/ (npm run gen). Do not edit.",
    'import type { FieldFact } from "./terraform-facts.js";',
    'import type { KindName } from "./resources.gen.js";',
    "",
    "/** Each kind's document fields, metadata then spec, in schema order. */",
    `export const fieldFacts: { readonly [K in KindName]: readonly FieldFact[] } = ${JSON.stringify(facts, null, 2)};`,
    "",
  ].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(terraformGenFile, renderTerraformFacts());
}
