/**
 * A kind's Terraform schema and its static checks, both from the one mapping in
 * controller/model/terraform.ts (never written again per kind):
 *
 * - `resourceSchema(kind)`: the tfplugin6 schema of `terraformKinds[kind].attributes`
 *   (an object field is a nested attribute of nesting single; secrets write-only and
 *   sensitive; descriptions with the allowed values and the default);
 * - `validateAttributes(kind, config, ctx)`: the document the attributes declare, checked
 * by
 *   the loader's own envelope and schema checks (controller/load), each problem turned into
 *   a diagnostic at its attribute path. Unknown values are allowed anywhere: a problem
 * about
 *   a field whose value is not known yet is not reported.
 */
import type { ParsedDocument } from "../../controller/load/parse.js";
import { msg, type Problem } from "../../controller/load/problems.js";
import type { Validators } from "../../controller/load/schema.js";
import type { KindName } from "../../controller/model/resources.gen.js";
import {
  type AttributeProblem,
  documentFromAttributes,
  type TfAttribute,
  terraformKinds,
} from "../../controller/model/terraform.js";
import {
  type AttributePath,
  type CallContext,
  type CtyType,
  type Diagnostic,
  type PathStep,
  type Schema,
  type SchemaAttribute,
  type TfObject,
  type TfValue,
  unknown,
} from "../plugin/contract.js";

/** Version of every resource's schema; `upgrade` moves states of older versions to it. */
export const schemaVersion = 0;

/** A configuration value fails the kind's schema. */
export const errInvalidAttribute = "invalid value";
/** A write-only attribute set where Terraform cannot take one (before 1.11). */
export const errWriteOnlyNotAllowed =
  "this Terraform cannot send write-only attributes (it needs 1.11 or later); use the _from_env form";

const ctyOf = (a: TfAttribute): CtyType => {
  switch (a.type) {
    case "map":
      return ["map", "string"];
    case "list":
      return ["list", "string"];
    case "object":
      return ["object", Object.fromEntries((a.fields ?? []).map((f) => [f.name, ctyOf(f)]))];
    default:
      return a.type;
  }
};

/** Markdown description: the schema's, then the allowed values and the default. */
function describe(a: TfAttribute): string {
  const parts = [a.description];
  if (a.enum) parts.push(`One of: ${a.enum.map((v) => `\`${v}\``).join(", ")}.`);
  if (a.default !== undefined) parts.push(`Default: \`${a.default}\`.`);
  if (a.requiresReplace) parts.push("Changing it replaces the object.");
  return parts.join(" ");
}

/** One attribute of the tfplugin6 schema; objects become nested attributes (nesting single). */
export function schemaAttribute(a: TfAttribute): SchemaAttribute {
  const out: SchemaAttribute = { name: a.name, description: describe(a) };
  if (a.type === "object")
    out.nestedType = { nesting: "single", attributes: (a.fields ?? []).map(schemaAttribute) };
  else out.type = ctyOf(a);
  if (a.required) out.required = true;
  if (a.optional) out.optional = true;
  if (a.computed) out.computed = true;
  if (a.sensitive) out.sensitive = true;
  if (a.writeOnly) out.writeOnly = true;
  return out;
}

/** The tfplugin6 schema of a kind's resource type. */
export function resourceSchema(kind: KindName): Schema {
  const tk = terraformKinds[kind];
  return {
    version: schemaVersion,
    block: {
      description: `An object of kind ${kind} of the Kalliope Omnia platform, declared through the omnia controller. Import id: \`${tk.idFormat}\`.`,
      attributes: tk.attributes.map(schemaAttribute),
    },
  };
}

/** Whether `v` is, or holds, an unknown value. */
export const hasUnknown = (v: TfValue | undefined): boolean =>
  v === unknown ||
  (Array.isArray(v)
    ? v.some(hasUnknown)
    : v !== null && typeof v === "object" && Object.values(v).some(hasUnknown));

/** The attributes with every unknown value (top level or inside) replaced by null. */
function knownOnly(value: TfValue): TfValue {
  if (value === unknown) return null;
  if (Array.isArray(value)) return value.map(knownOnly);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, knownOnly(v)]));
  return value;
}

let validators: Promise<Validators> | undefined;
/** The loader's compiled schemas, compiled once per process on first use (~100 ms). */
const loadValidators = (): Promise<Validators> => {
  validators ??= import("../../controller/load/schema.js").then((m) => m.compileValidators());
  return validators;
};

/** A stand-in reference for a clear secret while validating: the value never reaches the document. */
const checkOnlyRef = () => ({ fromEnv: "OMNIA_SECRET_VALIDATE" });

/**
 * The attribute path of a place in the document (`["spec", "user", "email"]` →
 * `user.email`); undefined for the document as a whole or a place no attribute holds.
 */
export function attributePathOf(
  kind: KindName,
  place: readonly (string | number)[],
  config: TfObject,
): AttributePath | undefined {
  const [part, field, ...rest] = place.map(String);
  if (field === undefined) return undefined;
  const group = terraformKinds[kind].attributes.filter((a) => a.path === `${part}.${field}`);
  const env = group.find((a) => a.role === "secretEnv");
  const a = env
    ? config[env.name] !== null && config[env.name] !== undefined
      ? env
      : group.find((x) => x.role === "secret")
    : group.find((x) => x.role === "field");
  if (!a) return undefined;
  const path: PathStep[] = [{ attribute: a.name }];
  const [next] = rest;
  if (next === undefined || a.role !== "field") return path;
  if (a.type === "object") {
    const inner = a.fields?.find((f) => f.path === `${a.path}.${next}`);
    if (inner) path.push({ attribute: inner.name });
  } else if (a.type === "map") path.push({ key: next });
  else if (a.type === "list" && /^\d+$/.test(next)) path.push({ index: Number(next) });
  return path;
}

/**
 * The place of a problem: the loader reports a missing field at its parent (`["spec"]`);
 * the field's own place is the one whose `missingField` message this is.
 */
function missingFieldPlace(kind: KindName, place: (string | number)[], p: Problem): (string | number)[] {
  if (p.code !== "missing-field") return place;
  const prefix = place.join(".");
  const field = terraformKinds[kind].attributes
    .flatMap((a) => [a, ...(a.fields ?? [])])
    .map((a) => a.path)
    .find((path) => {
      const leaf = path.slice(path.lastIndexOf(".") + 1);
      return path === `${prefix}.${leaf}` && p.message.startsWith(msg.missingField(leaf));
    });
  return field ? field.split(".") : place;
}

/** The top-level attribute names whose value is (or holds) an unknown. */
function unknownNames(config: TfObject): Set<string> {
  return new Set(Object.keys(config).filter((k) => hasUnknown(config[k])));
}

/**
 * The diagnostics of a resource configuration: the mapping's problems (a secret given twice
 * or missing) and the loader's schema problems, each at its attribute path. A problem about
 * an attribute whose value is unknown, or about the derived `name` while a key field is
 * unknown, waits for the plan that knows it.
 */
export async function validateAttributes(
  kind: KindName,
  config: TfObject,
  ctx: Pick<CallContext, "writeOnlyAllowed">,
): Promise<Diagnostic[]> {
  const tk = terraformKinds[kind];
  const pending = unknownNames(config);
  const skip = (name: string | undefined) => {
    if (name === undefined) return false;
    const a = tk.attributes.find((x) => x.name === name);
    // A secret's three attributes stand or fall together.
    const group = a && a.role !== "field" ? tk.attributes.filter((x) => x.path === a.path) : a ? [a] : [];
    if (group.some((x) => pending.has(x.name))) return true;
    return name === "name" && config.name === null && pending.size > 0;
  };
  const out: Diagnostic[] = [];
  if (!ctx.writeOnlyAllowed) {
    for (const a of tk.attributes.filter(
      (x) => x.writeOnly && config[x.name] !== null && config[x.name] !== undefined,
    ))
      out.push({ severity: "error", summary: errWriteOnlyNotAllowed, attribute: [{ attribute: a.name }] });
  }
  const known = knownOnly(config) as TfObject;
  const { document, problems } = documentFromAttributes(kind, known, { clearSecret: checkOnlyRef });
  // A field the mapping already reported (a secret twice or missing) is left out of the
  // document, so the loader would report it again as missing.
  const reported = new Set<string>();
  for (const p of problems as AttributeProblem[]) {
    const a = tk.attributes.find((x) => x.name === p.attribute[0]);
    if (a) reported.add(a.path);
    if (skip(p.attribute[0])) continue;
    out.push({
      severity: "error",
      summary: `${errInvalidAttribute}: ${p.attribute.join(".")}`,
      detail: p.message,
      attribute: p.attribute.map((attribute) => ({ attribute })),
    });
  }
  const { checkDocument } = await import("../../controller/load/documents.js");
  const places: (string | number)[][] = [];
  const parsed: ParsedDocument = {
    file: tk.typeName,
    value: structuredClone(document),
    // The loader reports places as line:col; each place asked for gets a "line" numbering it.
    position(path) {
      places.push([...path]);
      return { line: places.length, col: 1 };
    },
  };
  for (const p of checkDocument(await loadValidators(), parsed).problems) {
    const place = missingFieldPlace(kind, places[p.line - 1] ?? [], p);
    const attribute = attributePathOf(kind, place, config);
    const top = attribute?.[0] && "attribute" in attribute[0] ? attribute[0].attribute : undefined;
    const path = tk.attributes.find((x) => x.name === top)?.path;
    if (skip(top) || (top === undefined && pending.size > 0) || (path && reported.has(path))) continue;
    const d: Diagnostic = {
      severity: "error",
      summary: `${errInvalidAttribute}${attribute ? `: ${dotted(attribute)}` : ""}`,
      detail: p.message,
    };
    if (attribute) d.attribute = attribute;
    out.push(d);
  }
  return out;
}

/** `user.email`, `labels["team"]`, `ignore[0]`. */
export const dotted = (path: AttributePath): string =>
  path
    .map((s, i) =>
      "attribute" in s ? `${i === 0 ? "" : "."}${s.attribute}` : "key" in s ? `["${s.key}"]` : `[${s.index}]`,
    )
    .join("");
