/**
 * What a construct's props mean, without any CDKTF class: the Terraform attributes they
 * synthesize to and the problems the kind's JSON Schema finds in the document they stand for
 * (the loader's own validator and messages, controller/load/schema.ts). Names, roles and the
 * document come from `terraformKinds` and `documentFromAttributes` (controller/model/
 * terraform.ts), the mapping the provider and the `cdk.tf.json` reader use too: props are
 * attributes' `propName`s, synthesized as their snake_case `name`s.
 */
import type { ValidateFunction } from "ajv/dist/2020.js";
import { compileValidators, type Validators, validateDocument } from "../../controller/load/schema.js";
import { currentApiVersion } from "../../controller/model/registry.js";
import type { KindName } from "../../controller/model/resources.gen.js";
import {
  documentFromAttributes,
  type TfAttribute,
  terraformKinds,
} from "../../controller/model/terraform.js";

/** Props of any kind, as plain data (the generated `<Kind>Props` are all of this shape). */
export type AnyProps = Readonly<Record<string, unknown>>;

/** Tells whether a value is an unresolved CDKTF token (`${var.x}`, a reference); injected by the library. */
export type IsToken = (value: unknown) => boolean;

/** A secret given as a literal string: cdk.tf.json would hold it in clear. */
export const errSecretLiteral =
  "is a literal: cdk.tf.json would hold the secret in clear; pass a sensitive TerraformVariable's value (a token), or name the controller's environment variable";

/**
 * Stands in for a secret given as a token (its value or its variable's name), so the document
 * still has the shape the schema wants; never sent.
 */
const tokenPlaceholder = "OMNIA_SECRET_TOKEN";

const isSet = (v: unknown): boolean => v !== undefined && v !== null;

/** Whether an attribute is a prop: what the author may set (not `id` nor what the platform reports). */
export const isProp = (a: TfAttribute): boolean => a.role !== "id" && a.role !== "computed";

/** The attribute of `kind` a prop sets, or a computed one a getter reads (`platformId`); throws when there is none. */
export function attributeOf(kind: KindName, propName: string): TfAttribute {
  const attr = terraformKinds[kind].attributes.find((a) => a.propName === propName);
  if (!attr) throw new Error(`${kind} has no attribute for ${propName}`);
  return attr;
}

/**
 * The Terraform attributes of a resource of `kind` (snake_case keys, nested object members
 * too), leaving out props that are not set. Secrets give `<f>`, `<f>_wo_version` and
 * `<f>_from_env`.
 */
export function attributesOf(kind: KindName, props: AnyProps): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of terraformKinds[kind].attributes.filter(isProp)) {
    const value = props[a.propName];
    if (!isSet(value)) continue;
    if (a.type === "object" && typeof value === "object") {
      const inner: Record<string, unknown> = {};
      for (const f of a.fields ?? []) {
        const v = (value as Record<string, unknown>)[f.propName];
        if (isSet(v)) inner[f.name] = v;
      }
      out[a.name] = inner;
    } else out[a.name] = value;
  }
  return out;
}

let validators: Validators | undefined;

/** The kinds' compiled validators, compiled once per process (~100 ms). */
function validatorOf(kind: KindName): ValidateFunction {
  validators ??= compileValidators();
  return validators[kind];
}

/**
 * What is wrong with `props` for a resource of `kind`: the problems `documentFromAttributes`
 * finds (both forms of a secret, a required secret missing), a secret given as a literal, and
 * the loader's schema messages on the document with the field named as the prop (`field
 * 'license' must be one of: ...`). Fields holding tokens are not checked (Terraform knows
 * their values later); a secret given as a token stands as a placeholder.
 */
export function problemsOf(kind: KindName, props: AnyProps, isToken: IsToken): string[] {
  const problems: string[] = [];
  const known: Record<string, unknown> = {};
  const tokenFields = new Set<string>();
  const secretFields = new Set<string>();
  for (const a of terraformKinds[kind].attributes.filter(isProp)) {
    const value = props[a.propName];
    const field = a.path.slice(a.path.lastIndexOf(".") + 1);
    if (a.role === "secret") {
      secretFields.add(field);
      if (typeof value === "string" && !isToken(value)) problems.push(`${a.propName} ${errSecretLiteral}`);
    }
    if (!isSet(value)) continue;
    if (!isToken(value)) known[a.propName] = value;
    else if (a.role === "secret" || a.role === "secretEnv") known[a.propName] = tokenPlaceholder;
    else tokenFields.add(field);
  }
  const { document, problems: mapped } = documentFromAttributes(kind, known, {
    byProp: true,
    // A literal is refused above; a token's value reaches the controller only through Terraform.
    clearSecret: () => ({ fromEnv: tokenPlaceholder }),
    apiVersion: currentApiVersion,
  });
  for (const p of mapped) problems.push(p.message);
  // A name derived from a key that holds a token is as unknown as the token.
  if ((document.metadata as Record<string, unknown>).name === undefined && attributeOf(kind, "name").computed)
    tokenFields.add("name");
  const { problems: found } = validateDocument(
    validatorOf(kind),
    // The validator fills in defaults: a copy keeps the props' own objects as given.
    { file: "", value: structuredClone(document), position: () => ({ line: 0, col: 0 }) },
    { kind },
  );
  for (const p of found) {
    const missing = /^missing required field '(\w+)'/.exec(p.message)?.[1];
    // A token's field is Terraform's to know; a missing secret is the mapping's problem above.
    if (missing && (tokenFields.has(missing) || secretFields.has(missing))) continue;
    // Props are flat: `spec.license` and `metadata.tenant` are the props `license` and `tenant`.
    problems.push(p.message.replace(/'(?:spec|metadata)\.([^']*)'/g, "'$1'"));
  }
  return problems;
}
