/**
 * What a construct's props mean, without any CDKTF class: the Terraform attributes they
 * synthesize to (snake_case, TF.md), the manifest document they stand for, and the problems
 * the kind's JSON Schema finds in that document (the loader's own validator and messages,
 * controller/load/schema.ts). Every field list comes from the generated `kindFields`
 * (props.gen.ts), read from `schemas/`.
 */
import type { ValidateFunction } from "ajv/dist/2020.js";
import { compileValidators, type Validators, validateDocument } from "../../controller/load/schema.js";
import { currentApiVersion } from "../../controller/model/registry.js";
import type { KindName } from "../../controller/model/resources.gen.js";
import { extensionDocName } from "../../controller/sheet/extensions-from-sheet.js";
import { kindFields } from "./props.gen.js";

/** Props of any kind, as plain data (the generated `<Kind>Props` are all of this shape). */
export type AnyProps = Readonly<Record<string, unknown>>;

/** Tells whether a value is an unresolved CDKTF token (`${var.x}`, a reference); injected by the library. */
export type IsToken = (value: unknown) => boolean;

/** Both the write-only value and the environment variable of a secret were given. */
export const errSecretTwice = "give either the write-only value or the environment variable, not both";
/** A secret given as a literal string: cdk.tf.json would hold it in clear. */
export const errSecretLiteral =
  "is a literal: cdk.tf.json would hold the secret in clear; pass a sensitive TerraformVariable's value (a token), or name the controller's environment variable";

/** Completes "missing required field 'pin'": what to give instead. */
export const errSecretMissing = "is required";

/** Stands in for a write-only secret given as a token, so the document still validates (never sent). */
const writeOnlyPlaceholder = "WRITE_ONLY_VALUE";

type Row = (typeof kindFields)[KindName]["fields"][number];

const isSet = (v: unknown): boolean => v !== undefined && v !== null;

/**
 * The Terraform attributes of a resource of `kind` (snake_case keys, nested object members
 * too), leaving out props that are not set. Secrets give `<f>`, `<f>_wo_version` and
 * `<f>_from_env`.
 */
export function attributesOf(kind: KindName, props: AnyProps): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const row of kindFields[kind].fields as readonly Row[]) {
    if ("secret" in row) {
      const put = (prop: string, attr: string) => {
        if (isSet(props[prop])) out[attr] = props[prop];
      };
      put(row.prop, row.attr);
      put(`${row.prop}WoVersion`, `${row.attr}_wo_version`);
      put(`${row.prop}FromEnv`, `${row.attr}_from_env`);
      continue;
    }
    const value = props[row.prop];
    if (!isSet(value)) continue;
    if ("inner" in row && typeof value === "object") {
      const inner: Record<string, unknown> = {};
      for (const [prop, attr] of row.inner) {
        const v = (value as Record<string, unknown>)[prop];
        if (isSet(v)) inner[attr] = v;
      }
      out[row.attr] = inner;
    } else out[row.attr] = value;
  }
  return out;
}

/** The kind whose resource type is `type` (`kalliope_sip_trunk` -> SipTrunk), or undefined. */
export function kindOfResourceType(type: string): KindName | undefined {
  return (Object.keys(kindFields) as KindName[]).find((k) => kindFields[k].tfType === type);
}

/**
 * The manifest document a resource block of `kind` stands for (the inverse of
 * `attributesOf`): top-level attributes back into metadata and spec, nested attributes back to
 * camelCase; a secret becomes `{fromEnv}` from `<f>_from_env`, or `{writeOnly: true}` when only
 * the write-only `<f>` is set (its value is not the document's to hold). Attributes of no
 * field (`depends_on`, `lifecycle`, ...) are left out.
 */
export function documentFromAttributes(
  kind: KindName,
  attrs: Readonly<Record<string, unknown>>,
): {
  apiVersion: string;
  kind: KindName;
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
} {
  const metadata: Record<string, unknown> = {};
  const spec: Record<string, unknown> = {};
  for (const row of kindFields[kind].fields as readonly Row[]) {
    const target = row.at === "metadata" ? metadata : spec;
    if ("secret" in row) {
      const fromEnv = attrs[`${row.attr}_from_env`];
      if (isSet(fromEnv)) target[row.prop] = { fromEnv };
      else if (isSet(attrs[row.attr])) target[row.prop] = { writeOnly: true };
      continue;
    }
    const value = attrs[row.attr];
    if (!isSet(value)) continue;
    if ("inner" in row && typeof value === "object") {
      const inner: Record<string, unknown> = {};
      for (const [prop, attr] of row.inner) {
        const v = (value as Record<string, unknown>)[attr];
        if (isSet(v)) inner[prop] = v;
      }
      target[row.prop] = inner;
    } else target[row.prop] = value;
  }
  return { apiVersion: currentApiVersion, kind, metadata, spec };
}

/** Lower-case letters, digits and '-', at most 63: a valid document name made of `text`. */
function asName(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .slice(0, 63)
      .replace(/^-+|-+$/g, "") || "x"
  );
}

/**
 * The document name used when `name` is not given, from the natural key: a tenant's customer
 * code, a user's email, `<pbx>-<number>` for an extension (as `omnia import-sheet` names them),
 * `did-<digits>` for a number block. Pbx and SipTrunk require `name`.
 */
export function defaultName(kind: KindName, props: AnyProps): string {
  const s = (k: string) => String(props[k] ?? "");
  switch (kind) {
    case "Tenant":
      return asName(s("customerCode"));
    case "User":
      return asName(s("email"));
    case "Extension":
      return extensionDocName(s("pbx"), s("number"));
    case "Number":
      return asName(`did-${s("number")}`);
    default:
      return asName(s("name"));
  }
}

/**
 * The manifest document `props` stand for, with the fields holding tokens left out (their
 * values are known only to Terraform). A write-only secret given as a token stands as a
 * placeholder `fromEnv`, so the document has the shape the schema wants; it is never sent.
 */
export function documentOf(kind: KindName, props: AnyProps, isToken: IsToken): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  const spec: Record<string, unknown> = {};
  for (const row of kindFields[kind].fields as readonly Row[]) {
    const target = row.at === "metadata" ? metadata : spec;
    if ("secret" in row) {
      const fromEnv = props[`${row.prop}FromEnv`];
      if (isSet(fromEnv) && !isToken(fromEnv)) target[row.prop] = { fromEnv };
      else if (isSet(props[row.prop])) target[row.prop] = { fromEnv: writeOnlyPlaceholder };
      continue;
    }
    const value = props[row.prop];
    if (isSet(value) && !isToken(value)) target[row.prop] = structuredClone(value);
  }
  if (!isSet(metadata.name)) metadata.name = defaultName(kind, props);
  return { apiVersion: currentApiVersion, kind, metadata, spec };
}

let validators: Validators | undefined;

/** The kinds' compiled validators, compiled once per process (~100 ms). */
function validatorOf(kind: KindName): ValidateFunction {
  validators ??= compileValidators();
  return validators[kind];
}

/**
 * What is wrong with `props` for a resource of `kind`: the loader's schema messages with the
 * field named as the prop (`field 'license' must be one of: ...`), and the rules of the
 * secret props. Fields holding tokens are not checked (Terraform knows their values later).
 */
export function problemsOf(kind: KindName, props: AnyProps, isToken: IsToken): string[] {
  const problems: string[] = [];
  const tokenFields = new Set<string>();
  const secretProps = new Set<string>();
  for (const row of kindFields[kind].fields as readonly Row[]) {
    if (isSet(props[row.prop]) && isToken(props[row.prop])) tokenFields.add(row.prop);
    if (!("secret" in row)) continue;
    secretProps.add(row.prop);
    const value = props[row.prop];
    const fromEnv = props[`${row.prop}FromEnv`];
    if (isSet(fromEnv) && isToken(fromEnv)) tokenFields.add(row.prop);
    if (isSet(value) && isSet(fromEnv)) problems.push(`${row.prop}, ${row.prop}FromEnv: ${errSecretTwice}`);
    if (typeof value === "string" && !isToken(value)) problems.push(`${row.prop} ${errSecretLiteral}`);
  }
  const doc = documentOf(kind, props, isToken);
  const { problems: found } = validateDocument(
    validatorOf(kind),
    { file: "", value: doc, position: () => ({ line: 0, col: 0 }) },
    { kind },
  );
  for (const p of found) {
    const missing = /^missing required field '(\w+)'/.exec(p.message)?.[1];
    if (missing && tokenFields.has(missing)) continue;
    if (missing && secretProps.has(missing)) {
      problems.push(
        `${p.message}: ${missing}FromEnv (the controller's environment variable) or ${missing} (a token) ${errSecretMissing}`,
      );
      continue;
    }
    // Props are flat: `spec.license` and `metadata.tenant` are the props `license` and `tenant`.
    problems.push(p.message.replace(/'(?:spec|metadata)\.([^']*)'/g, "'$1'"));
  }
  return problems;
}
