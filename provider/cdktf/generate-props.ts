/**
 * Generates `props.gen.ts`: the CDKTF props of every kind and the table that maps each prop
 * to its manifest field and its Terraform attribute, read from `schemas/*.schema.json`, so the
 * fields of a kind are written once, in its schema (style.md §9). Run with `npm run gen`; a
 * test (props.gen.test.ts) fails when the committed file is not what this script produces.
 *
 * The naming rule is /work/helpers/TF.md's (issue 11): props are the manifest's camelCase
 * names, metadata fields at top level (`name`, `tenant`, `pbx`, `labels`, `deletionPolicy`,
 * `driftMode`, `ignore`) beside the spec's fields; a secret (`common.schema.json#/$defs/secretRef`)
 * becomes `<f>` (write-only value), `<f>WoVersion` and `<f>FromEnv`; attributes are the
 * snake_case of the props. `name` is required where it is the natural key (registry keyField).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { kindDescriptorInputs } from "../../controller/model/kind-descriptors.js";
import type { KindName } from "../../controller/model/resources.gen.js";
import { readKindSchemas, readSchemaFile, type SchemaNode } from "../../controller/model/schema-files.js";

const here = dirname(fileURLToPath(import.meta.url));
/** Where the generated props are written. */
export const propsGenFile = join(here, "props.gen.ts");

/** Two fields of a kind that would become the same prop (a metadata and a spec field of one name). */
export const errPropClash = "two fields of a kind map to the same CDKTF prop";
/** A schema construct the generator does not know how to type. */
export const errUnsupportedSchema = "a schema node the CDKTF props generator cannot type";

const commonFile = "common.schema.json";
const secretRefPointer = "#/$defs/secretRef";

/** `callCenter` -> `call_center`; `SipTrunk` -> `sip_trunk`. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** One row of the generated field table: a prop, where its value goes in a document, its attribute. */
export interface FieldRow {
  /** Prop name (camelCase), e.g. "callCenter". */
  prop: string;
  /** Terraform attribute (snake_case), e.g. "call_center". */
  attr: string;
  /** Section of the manifest document the field belongs to. */
  at: "metadata" | "spec";
  /** A secret: props `<prop>`, `<prop>WoVersion`, `<prop>FromEnv`. */
  secret?: true;
  /** A nested object (nesting SINGLE): its inner [prop, attr] names. */
  inner?: [string, string][];
}

type Node = SchemaNode & {
  $ref?: string;
  description?: string;
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Node | boolean>;
  required?: string[];
  additionalProperties?: unknown;
  items?: Node;
  allOf?: Node[];
};

/** The node a local or common.schema.json `$ref` names, and whether it is the secret reference. */
function deref(node: Node): { node: Node; secret: boolean } {
  if (!node.$ref) return { node, secret: false };
  const [file, pointer = ""] = node.$ref.split("#");
  // Every kind refers to common.schema.json; inside it, "#/$defs/x" is local to that file.
  if (file !== commonFile && file !== "") throw new Error(`${errUnsupportedSchema}: $ref ${node.$ref}`);
  let target: unknown = readSchemaFile(commonFile);
  for (const part of pointer.split("/").filter(Boolean)) target = (target as SchemaNode)[part];
  const resolved = deref(target as Node);
  return {
    node: { ...resolved.node, ...node, $ref: undefined },
    secret: `#${pointer}` === secretRefPointer,
  };
}

/** The description of `fromEnv` in common.schema.json's secret reference. */
function fromEnvDescription(): string {
  const branches = (deref({ $ref: `${commonFile}${secretRefPointer}` }).node.oneOf ?? []) as Node[];
  const fromEnv = branches.map((b) => b.properties?.fromEnv).find((n) => n && n !== true) as Node | undefined;
  return fromEnv?.description ?? "";
}

/** The TypeScript type of a (dereferenced) schema node, with `indent` for nested members. */
function tsType(node: Node, indent: string): string {
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(" | ");
  switch (node.type) {
    case "string":
      return "string";
    case "boolean":
      return "boolean";
    case "integer":
    case "number":
      return "number";
    case "array":
      return `readonly ${tsType(deref(node.items ?? {}).node, indent)}[]`;
    case "object": {
      if (!node.properties) return "{ readonly [key: string]: string }";
      const required = new Set(node.required ?? []);
      const members = Object.entries(node.properties).map(([name, s]) => {
        const inner = deref(s as Node).node;
        return `${doc(inner.description, `${indent}  `)}${indent}  readonly ${name}${required.has(name) ? "" : "?"}: ${tsType(inner, `${indent}  `)};`;
      });
      return `{\n${members.join("\n")}\n${indent}}`;
    }
    default:
      throw new Error(`${errUnsupportedSchema}: ${JSON.stringify(node).slice(0, 120)}`);
  }
}

/** A TSDoc block from a schema description. */
function doc(text: string | undefined, indent: string, extra?: string): string {
  const lines = [text ?? "", extra ?? ""].filter((l) => l !== "");
  if (lines.length === 0) return "";
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l.replace(/\*\//g, "*\\/")}`).join(`\n${indent} *\n`)}\n${indent} */\n`;
}

interface KindProps {
  kind: KindName;
  members: string[];
  fields: FieldRow[];
}

/** The metadata fields a kind allows, and which it requires (from the kind's `metadata.allOf`). */
function metadataOf(schema: Node): { props: [string, Node][]; required: Set<string> } {
  const meta = (schema.properties?.metadata ?? {}) as Node;
  const common = deref({ $ref: `${commonFile}#/$defs/metadata` }).node;
  const forbidden = new Set<string>();
  const required = new Set(common.required ?? []);
  for (const part of meta.allOf ?? []) {
    if (part.$ref) continue;
    for (const [k, v] of Object.entries(part.properties ?? {})) if (v === false) forbidden.add(k);
    for (const r of part.required ?? []) required.add(r);
  }
  const props = Object.entries(common.properties ?? {})
    .filter(([k]) => !forbidden.has(k))
    .map(([k, v]) => [k, v as Node] as [string, Node]);
  return { props, required };
}

function kindProps(kind: KindName, schema: Node): KindProps {
  const members: string[] = [];
  const fields: FieldRow[] = [];
  const seen = new Set<string>();
  const claim = (prop: string) => {
    if (seen.has(prop)) throw new Error(`${errPropClash}: ${kind}.${prop}`);
    seen.add(prop);
  };
  const [keySection, keyField] = kindDescriptorInputs[kind].keyField;
  const meta = metadataOf(schema);
  for (const [name, raw] of meta.props) {
    claim(name);
    const node = deref(raw).node;
    // `name` is required where it is the natural key; elsewhere derived from the key (TF.md).
    const required =
      name === "name" ? keySection === "metadata" && keyField === "name" : meta.required.has(name);
    const extra =
      name === "name" && !required
        ? "Optional: derived from the natural key when not given (a valid document name)."
        : undefined;
    members.push(
      `${doc(node.description, "  ", extra)}  readonly ${name}${required ? "" : "?"}: ${tsType(node, "  ")};`,
    );
    fields.push({ prop: name, attr: snakeCase(name), at: "metadata" });
  }
  const spec = (schema.properties?.spec ?? {}) as Node;
  const specRequired = new Set(spec.required ?? []);
  for (const [name, raw] of Object.entries(spec.properties ?? {})) {
    const { node, secret } = deref(raw as Node);
    if (secret) {
      for (const p of [name, `${name}WoVersion`, `${name}FromEnv`]) claim(p);
      const one = specRequired.has(name)
        ? `Exactly one of \`${name}\` and \`${name}FromEnv\` is required.`
        : "";
      members.push(
        `${doc(node.description, "  ", `Write-only value: sent to the controller, never kept in Terraform state. Give a token (a sensitive TerraformVariable), never a literal: a literal would be written in clear into cdk.tf.json. ${one}`.trim())}  readonly ${name}?: string;`,
        `${doc(`Version of \`${name}\`: change it to send a new value (Terraform's convention for write-only arguments).`, "  ")}  readonly ${name}WoVersion?: number;`,
        `${doc(`Name of the controller's environment variable that holds the ${name} (the manifest's \`fromEnv\`). ${fromEnvDescription()}`, "  ", one || undefined)}  readonly ${name}FromEnv?: string;`,
      );
      fields.push({ prop: name, attr: snakeCase(name), at: "spec", secret: true });
      continue;
    }
    claim(name);
    members.push(
      `${doc(node.description, "  ")}  readonly ${name}${specRequired.has(name) ? "" : "?"}: ${tsType(node, "  ")};`,
    );
    const row: FieldRow = { prop: name, attr: snakeCase(name), at: "spec" };
    if (node.type === "object" && node.properties) {
      row.inner = Object.keys(node.properties).map((k) => [k, snakeCase(k)]);
    }
    fields.push(row);
  }
  return { kind, members, fields };
}

/** Renders `props.gen.ts`. */
export function renderProps(): string {
  const kinds = readKindSchemas().map(({ kind, schema }) => kindProps(kind as KindName, schema as Node));
  const out = [
    "/* Generated by provider/cdktf/generate-props.ts from schemas/*.schema.json. Do not edit. */",
    "",
  ];
  for (const k of kinds) {
    const description = (readKindSchemas().find((s) => s.kind === k.kind)?.schema.description ??
      "") as string;
    out.push(
      `/**\n * Props of the kind ${k.kind} (resource \`kalliope_${snakeCase(k.kind)}\`). ${description.replace(/\*\//g, "*\\/")}\n */`,
      `export interface ${k.kind}Props {\n${k.members.join("\n")}\n}`,
      "",
    );
  }
  const table = Object.fromEntries(
    kinds.map((k) => [k.kind, { tfType: `kalliope_${snakeCase(k.kind)}`, fields: k.fields }]),
  );
  const { version } = JSON.parse(readFileSync(join(here, "..", "..", "package.json"), "utf8")) as {
    version: string;
  };
  out.push(
    "/** The provider's version: package.json's (TF.md: the provider is released with the project). */",
    `export const providerVersion = ${JSON.stringify(version)};`,
    "",
    "/** Per kind: its Terraform resource type and, per prop, the manifest section and the Terraform attribute it maps to. */",
    `export const kindFields = ${JSON.stringify(table, null, 2)} as const;`,
    "",
  );
  return out.join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(propsGenFile, renderProps());
  console.log(`wrote ${propsGenFile}`);
}
