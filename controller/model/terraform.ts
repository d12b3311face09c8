/**
 * The one mapping between a kind's manifest document and its Terraform attributes, used by
 * the Terraform provider (schemas, plan, state), the CDKTF constructs (props) and the
 * `cdk.tf.json` source (desired state from a synthesized stack). Derived from the kind
 * registry and `schemas/` (`terraform.gen.ts`), never written again per kind:
 *
 * - type name `kalliope_` + snake_case(kind): `kalliope_sip_trunk`;
 * - every metadata and spec field at the top level, snake_case: `metadata.driftMode` is
 *   `drift_mode`, `spec.businessName` is `business_name`; an object field (an extension's
 *   `user`) is a nested attribute with snake_case fields;
 * - a secret reference `spec.pin` is three attributes: `pin` (sensitive, write-only: sent,
 *   never kept in state), `pin_wo_version` (change it to send a new value: Terraform's
 *   convention for write-only arguments) and `pin_from_env` (the manifest's `fromEnv`);
 * - computed: `id` (the import id: the natural key after its kind, always led by the tenant,
 *   `ACME001/hq/201`, `ACME001/+390212345670`), `platform_id`, `platform_status` and the
 *   kind's platform facts (`meeting_id`);
 * - `requires_replace`: the key's fields, and the spec fields the platform's contract cannot
 *   update (registry `replaceOnly`);
 * - a field with a schema default is optional and computed: the plan shows the default.
 *
 * Pure data and functions; no I/O.
 */
import { createHash } from "node:crypto";
import { registry as kindDescriptors, notCompared } from "./registry.js";
import type { KindName } from "./resources.gen.js";
import { fieldFacts } from "./terraform.gen.js";
import type { FieldFact } from "./terraform-facts.js";

export type { FieldFact } from "./terraform-facts.js";

/** What an attribute stands for. */
export type AttributeRole =
  /** A document field (`path`). */
  | "field"
  /** A secret's clear value: write-only, sensitive (`path` is the secret reference's). */
  | "secret"
  /** A number to change when a write-only secret should be sent again. */
  | "secretVersion"
  /** A secret read by the controller from its environment (`fromEnv`). */
  | "secretEnv"
  /** The import id. */
  | "id"
  /** Read from the platform: `platform_id`, `platform_status`, facts. */
  | "computed";

/** One Terraform attribute of a kind. */
export interface TfAttribute {
  /** snake_case name. */
  name: string;
  role: AttributeRole;
  /** Document path (dot separated) for field and secret roles; the fact's name for computed facts. */
  path: string;
  type: FieldFact["type"];
  /** For `object`: its fields, snake_case. */
  fields?: readonly TfAttribute[];
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
  writeOnly: boolean;
  /** A change replaces the object. */
  requiresReplace: boolean;
  default?: string | number | boolean;
  enum?: readonly (string | number)[];
  /** Markdown. */
  description: string;
  /** The CDKTF prop name: the manifest's camelCase name (`pinWoVersion`, `firstName`). */
  propName: string;
}

/** Everything the provider and the constructs need of one kind. */
export interface TerraformKind {
  kind: KindName;
  /** `kalliope_extension`. */
  typeName: string;
  attributes: readonly TfAttribute[];
  /** What `terraform import` takes, e.g. `TENANT/PBX/NUMBER`. */
  idFormat: string;
}

/** The provider's type name prefix (and the provider's local name). */
export const typeNamePrefix = "kalliope_";

/** Platform facts shown as computed attributes, per kind: attribute name → fact name. */
const factAttributes: Partial<Record<KindName, Record<string, string>>> = {
  Extension: { meeting_id: "meetingId" },
};

/** `businessName` → `business_name`. */
export const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** `business_name` → `businessName`. */
export const camelCase = (name: string): string =>
  name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

const leaf = (path: string) => path.slice(path.lastIndexOf(".") + 1);

function keyPaths(kind: KindName): Set<string> {
  const d = kindDescriptors[kind];
  const paths = new Set<string>([d.keyField.join(".")]);
  if (!d.root) paths.add("metadata.tenant");
  for (const p of d.parents) if (!p.association && p.field[0] === "metadata") paths.add(p.field.join("."));
  return paths;
}

function attributesOf(kind: KindName): TfAttribute[] {
  const d = kindDescriptors[kind];
  const replace = new Set<string>([...keyPaths(kind), ...d.replaceOnly.map((f) => `spec.${f}`)]);
  const nameIsKey = d.keyField[0] === "metadata" && d.keyField[1] === "name";
  const base = {
    sensitive: false,
    writeOnly: false,
    requiresReplace: false,
  };
  const fromFact = (f: FieldFact, top: boolean): TfAttribute => {
    const name = snakeCase(leaf(f.path));
    // metadata.name is a document name, not platform data, except where it is the key.
    const derivedName = f.path === "metadata.name" && !nameIsKey;
    const required = f.required && f.default === undefined && !derivedName;
    const attr: TfAttribute = {
      ...base,
      name,
      role: "field",
      path: f.path,
      type: f.type,
      required,
      optional: !required,
      computed: f.default !== undefined || derivedName,
      requiresReplace: top && replace.has(f.path),
      description: f.description,
      propName: leaf(f.path),
    };
    if (f.default !== undefined) attr.default = f.default;
    if (f.enum) attr.enum = f.enum;
    if (f.fields) attr.fields = f.fields.map((x) => fromFact(x, false));
    return attr;
  };
  const out: TfAttribute[] = [
    {
      ...base,
      name: "id",
      role: "id",
      path: "",
      type: "string",
      required: false,
      optional: false,
      computed: true,
      description: `The import id: \`${idFormatOf(kind)}\`.`,
      propName: "id",
    },
  ];
  for (const f of fieldFacts[kind]) {
    if (!f.secret) {
      out.push(fromFact(f, true));
      continue;
    }
    const field = leaf(f.path);
    const name = snakeCase(field);
    const common = { ...base, path: f.path, required: false, optional: true, computed: false };
    out.push(
      {
        ...common,
        name,
        role: "secret",
        type: "string",
        sensitive: true,
        writeOnly: true,
        description: `${f.description} Write-only: sent to the controller, never kept in state. Give it or \`${name}_from_env\`${f.required ? " (one is required)" : ""}.`,
        propName: field,
      },
      {
        ...common,
        name: `${name}_wo_version`,
        role: "secretVersion",
        type: "number",
        description: `Change this number to send \`${name}\` again (write-only values are not compared).`,
        propName: `${field}WoVersion`,
      },
      {
        ...common,
        name: `${name}_from_env`,
        role: "secretEnv",
        type: "string",
        description: `Name of the controller's environment variable that holds the ${field} (the manifest's \`fromEnv\`).`,
        propName: `${field}FromEnv`,
      },
    );
  }
  const computed = (name: string, path: string, description: string): TfAttribute => ({
    ...base,
    name,
    role: "computed",
    path,
    type: "string",
    required: false,
    optional: false,
    computed: true,
    description,
    propName: camelCase(name),
  });
  out.push(computed("platform_id", "id", "The object's id on the platform."));
  out.push(computed("platform_status", "status", "The platform's status: active, pending or suspended."));
  for (const [name, fact] of Object.entries(factAttributes[kind] ?? {})) {
    out.push(computed(name, fact, `The platform's \`${fact}\`.`));
  }
  return out;
}

function idFormatOf(kind: KindName): string {
  const d = kindDescriptors[kind];
  if (d.root) return "CUSTOMER_CODE";
  const parts = ["TENANT"];
  if (d.parents.some((p) => !p.association && p.field.join(".") === "metadata.pbx")) parts.push("PBX");
  parts.push(snakeCase(d.keyField[1]).toUpperCase());
  return parts.join("/");
}

/** Every kind's Terraform view, by kind. */
export const terraformKinds: { readonly [K in KindName]: TerraformKind } = Object.fromEntries(
  (Object.keys(fieldFacts) as KindName[]).map((kind) => [
    kind,
    {
      kind,
      typeName: `${typeNamePrefix}${snakeCase(kind).replace(/^_/, "")}`,
      attributes: attributesOf(kind),
      idFormat: idFormatOf(kind),
    },
  ]),
) as unknown as { [K in KindName]: TerraformKind };

/** The kind of a type name (`kalliope_sip_trunk` → `SipTrunk`), or undefined. */
export function kindOfTypeName(typeName: string): KindName | undefined {
  return (Object.values(terraformKinds) as TerraformKind[]).find((k) => k.typeName === typeName)?.kind;
}

/** An import id that does not have the kind's shape. */
export const errImportId = "the import id does not have the expected shape";

/** A resource's identity, as its import id and the controller API's address carry it. */
export interface TerraformIdentity {
  /** Customer code. */
  tenant: string;
  /** The natural key, `Extension/ACME001/hq/201`. */
  key: string;
  /** The key after `Kind/`: the controller API's `{key}` (before URL encoding). */
  keyAfterKind: string;
  /** The import id, `ACME001/hq/201`. */
  id: string;
  /** The document fields the id fixes, by path (`metadata.pbx`, `spec.number`). */
  fields: Record<string, string>;
}

/**
 * Parses an import id (`terraform import kalliope_extension.x ACME001/hq/201`). Throws
 * `errImportId`, naming the expected format, when the id has too few or too many parts or an
 * empty one.
 */
export function parseImportId(kind: KindName, id: string): TerraformIdentity {
  const d = kindDescriptors[kind];
  const format = terraformKinds[kind].idFormat;
  const parts = id.split("/");
  const want = format.split("/").length;
  // A user's email or a number has no `/`; the key field is always the last part.
  if (parts.length !== want || parts.some((p) => p === "")) {
    throw new Error(`${errImportId}: "${id}" is not ${format}`);
  }
  const fields: Record<string, string> = {};
  if (d.root) fields[d.keyField.join(".")] = parts[0] as string;
  else {
    fields["metadata.tenant"] = parts[0] as string;
    if (want === 3) fields["metadata.pbx"] = parts[1] as string;
    fields[d.keyField.join(".")] = parts[want - 1] as string;
  }
  return identityOf(kind, fields);
}

/** The identity of a document (`metadata`, `spec`); undefined while a key field is unknown. */
export function identityOfDocument(
  kind: KindName,
  doc: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> },
): TerraformIdentity | undefined {
  const fields: Record<string, string> = {};
  for (const path of keyPaths(kind)) {
    const [part, field] = path.split(".") as ["metadata" | "spec", string];
    const value = doc[part]?.[field];
    if (typeof value !== "string" || value === "") return undefined;
    fields[path] = value;
  }
  return identityOf(kind, fields);
}

function identityOf(kind: KindName, fields: Record<string, string>): TerraformIdentity {
  const d = kindDescriptors[kind];
  const keyValue = fields[d.keyField.join(".")] as string;
  const tenant = d.root ? keyValue : (fields["metadata.tenant"] as string);
  const spec = { [d.keyField[1]]: keyValue } as Record<string, unknown>;
  if (kind === "User") spec.email = keyValue;
  const key = d.key({
    tenant,
    name: keyValue,
    pbx: fields["metadata.pbx"],
    spec: spec as never,
  });
  const keyAfterKind = key.slice(kind.length + 1);
  const id = d.root ? tenant : [tenant, fields["metadata.pbx"], keyValue].filter(Boolean).join("/");
  return { tenant, key, keyAfterKind, id, fields };
}

/**
 * A valid document name (`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`) derived from a natural key,
 * for kinds whose `metadata.name` is not their key: lower case, other characters as `-`; a
 * key longer than 63 characters keeps 54 and adds 8 hex of its SHA-256, so two long keys do
 * not share a name.
 */
export function defaultDocumentName(key: string): string {
  const slug = key
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (slug.length <= 63) return slug || "x";
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 8);
  return `${slug.slice(0, 54).replace(/-+$/, "")}-${hash}`;
}

/** A problem turning attributes into a document, at an attribute path. */
export interface AttributeProblem {
  /** Attribute names from the top, e.g. `["user", "email"]`. */
  attribute: string[];
  message: string;
}

/** How `documentFromAttributes` writes a secret given in clear (`pin`). */
export type ClearSecretRef = (attribute: TfAttribute, value: string) => Record<string, string> | undefined;

/** `pin` and `pin_from_env` are both set. */
export const errSecretTwice = "give only one of the two";
/** A required secret has neither form. */
export const errSecretMissing =
  "is required: give it, or the name of the controller's variable that holds it";
/** A clear secret where the caller cannot keep one (a synthesized cdk.tf.json). */
export const errClearSecretHere = "a secret in clear cannot be read from here";

/**
 * The manifest document (apiVersion, kind, metadata, spec) that Terraform attributes declare.
 * Attributes may be camelCase prop names or snake_case names (`byProp`). Null and absent
 * attributes leave the field out, so the loader applies the schema's defaults. A clear secret
 * becomes the reference `clearSecret` returns; without one, it is a problem. Computed
 * attributes are ignored. Does not validate values: the loader does, with the schema.
 */
export function documentFromAttributes(
  kind: KindName,
  attributes: Record<string, unknown>,
  options: { byProp?: boolean; clearSecret?: ClearSecretRef; apiVersion?: string } = {},
): { document: Record<string, unknown>; problems: AttributeProblem[] } {
  const problems: AttributeProblem[] = [];
  const nameOf = (a: TfAttribute) => (options.byProp ? a.propName : a.name);
  const metadata: Record<string, unknown> = {};
  const spec: Record<string, unknown> = {};
  const put = (path: string, value: unknown) => {
    const [part, field] = path.split(".") as ["metadata" | "spec", string];
    (part === "metadata" ? metadata : spec)[field] = value;
  };
  const attrs = terraformKinds[kind].attributes;
  const objectValue = (a: TfAttribute, value: unknown): unknown => {
    if (a.type !== "object" || value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const f of a.fields ?? []) {
      const v = (value as Record<string, unknown>)[nameOf(f)];
      if (v !== null && v !== undefined) out[leaf(f.path)] = v;
    }
    return out;
  };
  for (const a of attrs) {
    if (a.role !== "field") continue;
    const value = attributes[nameOf(a)];
    if (value === null || value === undefined) continue;
    put(a.path, objectValue(a, value));
  }
  for (const a of attrs) {
    if (a.role !== "secret") continue;
    const clear = attributes[nameOf(a)];
    const envAttr = attrs.find((x) => x.role === "secretEnv" && x.path === a.path) as TfAttribute;
    const env = attributes[nameOf(envAttr)];
    const hasClear = typeof clear === "string" && clear !== "";
    const hasEnv = typeof env === "string" && env !== "";
    if (hasClear && hasEnv) {
      problems.push({
        attribute: [nameOf(envAttr)],
        message: `${nameOf(a)} and ${nameOf(envAttr)}: ${errSecretTwice}`,
      });
    } else if (hasEnv) put(a.path, { fromEnv: env });
    else if (hasClear) {
      const ref = options.clearSecret?.(a, clear);
      if (ref) put(a.path, ref);
      else
        problems.push({ attribute: [nameOf(a)], message: `${errClearSecretHere}: use ${nameOf(envAttr)}` });
    } else if (fieldFacts[kind].find((f) => f.path === a.path)?.required) {
      problems.push({
        attribute: [nameOf(a)],
        message: `${nameOf(a)} ${errSecretMissing} (${nameOf(envAttr)})`,
      });
    }
  }
  const d = kindDescriptors[kind];
  if (metadata.name === undefined && !(d.keyField[0] === "metadata" && d.keyField[1] === "name")) {
    const identity = identityOfDocument(kind, { metadata, spec });
    if (identity) metadata.name = defaultDocumentName(identity.keyAfterKind);
  }
  return {
    document: { apiVersion: options.apiVersion ?? "omnia.kalliope.io/v1", kind, metadata, spec },
    problems,
  };
}

/** A live object as the controller answers it (`GET /v1/tenants/{t}/live/{Kind}/{key}`). */
export interface LiveView {
  /** Platform id. */
  id: string;
  /** The live spec, secrets absent or as `{sensitive: true}` markers. */
  spec: Record<string, unknown>;
  /** active, pending, suspended. */
  status?: string | null;
  /** The live name, for kinds named by `metadata.name`. */
  name?: string | null;
  /** Platform facts (`meetingId`). */
  facts?: Record<string, unknown> | null;
}

/**
 * The Terraform state of an object: identity and document fields from `document` (the
 * declared one, or for an import the one the live object implies), spec fields overwritten by
 * the live object when there is one (so a hand edit shows in the next plan), secrets null
 * (write-only), the secret's version and variable name kept from `prior`, computed attributes
 * from the live object. Every attribute of the schema is present, null when unknown.
 */
export function stateFromDocument(
  kind: KindName,
  document: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> },
  live: LiveView | undefined,
  prior: Record<string, unknown> | null,
): Record<string, unknown> {
  const state: Record<string, unknown> = {};
  const metadata = document.metadata ?? {};
  const spec = { ...(document.spec ?? {}) };
  if (live) {
    const declared = structuredClone(document.spec ?? {});
    for (const [field, value] of Object.entries(live.spec)) {
      if (
        value !== null &&
        typeof value === "object" &&
        (value as { sensitive?: unknown }).sensitive === true
      )
        continue;
      spec[field] = value;
    }
    // What the planner never compares (an extension's inline user names) or the document
    // tells it to ignore keeps its declared value: the platform's is not a change.
    const keep = [...(notCompared[kind] ?? []), ...((metadata.ignore as string[] | undefined) ?? [])];
    for (const path of keep) copyPath(declared, spec, path.split(".").slice(1));
  }
  const valueAt = (path: string): unknown => {
    const [part, field] = path.split(".") as ["metadata" | "spec", string];
    return (part === "metadata" ? metadata : spec)[field];
  };
  const toState = (a: TfAttribute, value: unknown): unknown => {
    if (value === undefined || value === null) return a.default ?? null;
    if (a.type !== "object" || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const f of a.fields ?? [])
      out[f.name] = toState(f, (value as Record<string, unknown>)[leaf(f.path)]);
    return out;
  };
  const identity = identityOfDocument(kind, { metadata, spec });
  for (const a of terraformKinds[kind].attributes) {
    switch (a.role) {
      case "id":
        state[a.name] = identity?.id ?? null;
        break;
      case "field":
        state[a.name] = toState(a, valueAt(a.path));
        break;
      case "secret":
        state[a.name] = null;
        break;
      case "secretVersion":
        state[a.name] = prior?.[a.name] ?? null;
        break;
      case "secretEnv": {
        const ref = valueAt(a.path) as { fromEnv?: unknown } | undefined;
        state[a.name] = typeof ref?.fromEnv === "string" ? ref.fromEnv : (prior?.[a.name] ?? null);
        break;
      }
      case "computed": {
        const value = a.path === "id" ? live?.id : a.path === "status" ? live?.status : live?.facts?.[a.path];
        state[a.name] = value === undefined || value === null ? null : String(value);
        break;
      }
    }
  }
  return state;
}

/** Copies the value at `path` (below spec) from `from` to `to`, creating objects on the way; absent stays absent. */
function copyPath(from: Record<string, unknown>, to: Record<string, unknown>, path: string[]): void {
  const [head, ...rest] = path as [string, ...string[]];
  if (!(head in from)) {
    if (rest.length === 0) delete to[head];
    return;
  }
  if (rest.length === 0) {
    to[head] = from[head];
    return;
  }
  const next = from[head];
  if (next === null || typeof next !== "object") return;
  const target = to[head];
  if (target === null || typeof target !== "object") to[head] = {};
  copyPath(next as Record<string, unknown>, to[head] as Record<string, unknown>, rest);
}
