/**
 * Resolves the templates in the attributes of a `cdk.tf.json`'s kalliope resources
 * (cdktf-template.ts): a reference to another kalliope resource's attribute in the same
 * file becomes that attribute's value, itself resolved first; `id` becomes the referenced
 * resource's import id (`ACME001/hq`). Everything else is refused at the attribute that
 * holds it, naming the expression: variables, locals, data sources, functions, other
 * providers' resources, computed attributes (known only after apply), attributes the
 * referenced resource does not set, and cycles (Terraform refuses those too).
 */

import type { Node } from "jsonc-parser";
import type { KindName } from "../model/resources.gen.js";
import { documentFromAttributes, identityOfDocument, terraformKinds } from "../model/terraform.js";
import { asResourceReference, describeExpression, parseTemplate } from "./cdktf-template.js";

/** One kalliope resource of a `cdk.tf.json`, before its strings are resolved. */
export interface RawResource {
  /** `kalliope_extension`. */
  type: string;
  /** Logical id (the JSON key). */
  name: string;
  kind: KindName;
  /** The attributes as written, meta-arguments and `//` left out. */
  attributes: Record<string, unknown>;
  /** The JSON node of the resource object. */
  node: Node;
  /** `//.metadata.path`, when CDKTF wrote it. */
  construct?: string;
  /** Its attributes have problems: no document, but other resources may still refer to it. */
  refused?: boolean;
}

/** Why an expression is refused, after what it reads. */
export const errUnresolvable =
  "the controller reads a synthesized file without running Terraform, so it resolves only references to attributes of kalliope resources in the same file that hold values written there";
/** A reference to a kalliope resource the file does not have. */
export const errNoSuchResource = "no such kalliope resource in this file";
/** A reference to an attribute the referenced resource does not set. */
export const errNotSet = "is not set on that resource";
/** A reference to an attribute only the platform knows. */
export const errKnownAfterApply = "is known only after apply";
/** References that lead back to where they started. */
export const errCycle = "references form a cycle";
/** A template joins text with a value that is not text. */
export const errNotText = "joins text with a value that is not a string, number or bool";

/** A problem of one resource, at an attribute path (names and list indexes). */
export interface ResolveProblem {
  attribute: (string | number)[];
  message: string;
}

/** One resource's attributes with every template resolved, or the problems that stopped it. */
export interface Resolved {
  attributes: Record<string, unknown>;
  problems: ResolveProblem[];
}

/** Resolves every resource's templates; a resource's problems stand at its own attributes. */
export function resolveReferences(resources: readonly RawResource[]): Map<RawResource, Resolved> {
  const byAddress = new Map(resources.map((r) => [`${r.type}.${r.name}`, r]));
  const done = new Map<RawResource, Resolved>();
  const active: RawResource[] = [];

  const resolve = (r: RawResource): Resolved => {
    const known = done.get(r);
    if (known) return known;
    active.push(r);
    const problems: ResolveProblem[] = [];
    const walk = (v: unknown, path: (string | number)[]): unknown => {
      if (typeof v === "string") return resolveString(v, path);
      if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
      if (v && typeof v === "object")
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])]));
      return v;
    };
    const resolveString = (text: string, path: (string | number)[]): unknown => {
      const parsed = parseTemplate(text);
      if ("error" in parsed) {
        // The text is not repeated: it may be a secret written in clear; the place shows it.
        problems.push({ attribute: path, message: parsed.error });
        return undefined;
      }
      const values: unknown[] = [];
      for (const part of parsed.parts) {
        if ("literal" in part) {
          values.push(part.literal);
          continue;
        }
        const value = expressionValue(part.expression, part.directive);
        if ("error" in value) {
          // An expression in a secret may be the secret itself (`${"1234"}`): not shown.
          const shown = isSecret(r.kind, path) ? "an interpolation in a secret" : `"\${${part.expression}}"`;
          problems.push({ attribute: path, message: `cannot resolve ${shown}: ${value.error}` });
          return undefined;
        }
        values.push(value.value);
      }
      if (values.length === 1) return values[0];
      if (values.some((x) => !["string", "number", "boolean"].includes(typeof x))) {
        problems.push({ attribute: path, message: `the template ${errNotText}` });
        return undefined;
      }
      return values.join("");
    };
    const attributes = walk(r.attributes, []) as Record<string, unknown>;
    active.pop();
    const result = { attributes, problems };
    done.set(r, result);
    return result;
  };

  const expressionValue = (
    expression: string,
    directive: boolean,
  ): { value: unknown } | { error: string } => {
    const ref = directive ? undefined : asResourceReference(expression);
    if (!ref?.type.startsWith("kalliope_")) {
      const what = ref ? "a resource of another provider" : describeExpression(expression, directive);
      return { error: `it reads ${what}; ${errUnresolvable}` };
    }
    const target = byAddress.get(`${ref.type}.${ref.name}`);
    if (!target) return { error: `${ref.type}.${ref.name}: ${errNoSuchResource}` };
    if (active.includes(target)) {
      const from = active.indexOf(target);
      const chain = [...active.slice(from), target].map((x) => `${x.type}.${x.name}`);
      return { error: `${errCycle}: ${chain.join(" → ")}` };
    }
    const attr = terraformKinds[target.kind].attributes.find((a) => a.name === ref.attribute);
    if (!attr) return { error: `${ref.type} has no attribute "${ref.attribute}"` };
    if (attr.role === "computed") return { error: `${ref.attribute} ${errKnownAfterApply}` };
    if (attr.role === "secret") return { error: `${ref.attribute} is write-only: it cannot be read` };
    const resolved = resolve(target);
    if (resolved.problems.length > 0)
      return { error: `${ref.type}.${ref.name} has problems of its own (see them at that resource)` };
    if (attr.role === "id") {
      const id = importId(target.kind, resolved.attributes);
      return id === undefined ? { error: `id of ${ref.type}.${ref.name}: ${errNotSet}` } : { value: id };
    }
    const value = resolved.attributes[ref.attribute];
    if (value === undefined || value === null) return { error: `${ref.attribute} ${errNotSet}` };
    return { value };
  };

  for (const r of resources) resolve(r);
  return done;
}

/** Whether `path` is a secret attribute of `kind` (`pin`): its text is never shown. */
function isSecret(kind: KindName, path: readonly (string | number)[]): boolean {
  return terraformKinds[kind].attributes.some((a) => a.name === path[0] && a.role === "secret");
}

/** The import id of a resource from its resolved attributes, when its key fields are set. */
function importId(kind: KindName, attributes: Record<string, unknown>): string | undefined {
  const { document } = documentFromAttributes(kind, attributes);
  return identityOfDocument(kind, document as Parameters<typeof identityOfDocument>[1])?.id;
}
