/**
 * The pure part of a resource's life cycle: the planned state of a change, which attributes
 * force a replacement, the state after apply from the planned one and the controller's
 * answer, and the upgrade of a stored state. No I/O; resource.ts does the calls.
 *
 * Rules (Terraform's, for a provider whose object lives elsewhere):
 * - a write-only attribute is null in every plan and state;
 * - an attribute with a schema default that the configuration leaves out plans the default;
 *   the derived `name` plans `defaultDocumentName(key)`; `id` plans the import id; both are
 *   unknown while a key field is;
 * - on create, `platform_id`, `platform_status` and the facts (`meeting_id`) are unknown;
 *   on an update they keep the prior value when nothing else changes, else the status and
 *   facts become unknown (the platform may change them) while `platform_id` stays;
 * - a change of an attribute marked `requiresReplace` replaces the object; a change of only
 *   `*_wo_version` is an update (it re-sends the write-only value).
 */
import { isDeepStrictEqual } from "node:util";
import type { KindName } from "../../controller/model/resources.gen.js";
import {
  defaultDocumentName,
  identityOfDocument,
  type TfAttribute,
  terraformKinds,
} from "../../controller/model/terraform.js";
import { type AttributePath, type TfObject, type TfValue, unknown } from "../plugin/contract.js";
import { hasUnknown } from "./attributes.js";

/** A copy of a value; `structuredClone` cannot copy the `unknown` symbol. */
export function copyValue(v: TfValue): TfValue {
  if (Array.isArray(v)) return v.map(copyValue);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyValue(x)]));
  return v;
}

/** The document fields of a state or configuration, unknowns as null (for identity and documents). */
export function knownAttributes(state: TfObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(state)) out[k] = hasUnknown(v) ? null : v;
  return out;
}

const isField = (a: TfAttribute) => a.role === "field";
const absent = (v: TfValue | undefined) => v === null || v === undefined;

/** The document the key attributes give, for identity only (`metadata`, `spec` by path). */
function keyDocument(kind: KindName, state: TfObject) {
  const metadata: Record<string, unknown> = {};
  const spec: Record<string, unknown> = {};
  for (const a of terraformKinds[kind].attributes.filter(isField)) {
    const [part, field] = a.path.split(".") as ["metadata" | "spec", string];
    const v = state[a.name];
    if (typeof v === "string") (part === "metadata" ? metadata : spec)[field] = v;
  }
  return { metadata, spec };
}

/** Whether a key attribute is unknown, so the identity cannot be told yet. */
function identityPending(kind: KindName, state: TfObject): boolean {
  return terraformKinds[kind].attributes.some(
    (a) => a.requiresReplace && isField(a) && hasUnknown(state[a.name]),
  );
}

/** The planned state and the attributes that force a replacement. */
export interface PlannedChange {
  planned: TfObject;
  requiresReplace: AttributePath[];
}

/**
 * Plans a create (`prior` null) or an update from Terraform's proposed new state and the
 * configuration (which alone tells whether an optional+computed attribute was left out).
 */
export function planChange(
  kind: KindName,
  prior: TfObject | null,
  proposed: TfObject,
  config: TfObject,
): PlannedChange {
  const attrs = terraformKinds[kind].attributes;
  const planned = copyValue(proposed) as TfObject;
  for (const a of attrs) {
    if (a.writeOnly) planned[a.name] = null;
    else if (isField(a) && a.default !== undefined && absent(config[a.name])) planned[a.name] = a.default;
  }
  const pending = identityPending(kind, planned);
  const identity = pending ? undefined : identityOfDocument(kind, keyDocument(kind, planned));
  const name = attrs.find((a) => a.name === "name");
  if (name?.computed && absent(config.name))
    planned.name = identity ? defaultDocumentName(identity.keyAfterKind) : unknown;
  planned.id = identity?.id ?? unknown;

  const requiresReplace: AttributePath[] = [];
  const computed = attrs.filter((a) => a.role === "computed");
  if (prior === null) {
    for (const a of computed) planned[a.name] = unknown;
    return { planned, requiresReplace };
  }
  for (const a of attrs) {
    if (a.requiresReplace && !isDeepStrictEqual(prior[a.name] ?? null, planned[a.name] ?? null))
      requiresReplace.push([{ attribute: a.name }]);
  }
  const changed = attrs.some(
    (a) => a.role !== "computed" && !isDeepStrictEqual(prior[a.name] ?? null, planned[a.name] ?? null),
  );
  for (const a of computed) {
    if (requiresReplace.length > 0 || (changed && a.name !== "platform_id")) planned[a.name] = unknown;
    else planned[a.name] = prior[a.name] ?? null;
  }
  return { planned, requiresReplace };
}

/**
 * The state after apply: every value the plan knew, and for each unknown one the value the
 * controller's answer gives (`fromAnswer`, `stateFromDocument`'s), so Terraform sees no
 * known planned value change. Nothing unknown remains (null where the answer has nothing).
 */
export function stateAfterApply(planned: TfObject, fromAnswer: Record<string, unknown>): TfObject {
  const fill = (p: TfValue, a: unknown): TfValue => {
    if (p === unknown) return (a ?? null) as TfValue;
    if (Array.isArray(p)) return p.map((x, i) => fill(x, Array.isArray(a) ? a[i] : undefined));
    if (p !== null && typeof p === "object") {
      const inner = (a ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, fill(v, inner[k])]));
    }
    return p;
  };
  return Object.fromEntries(Object.entries(planned).map(([k, v]) => [k, fill(v, fromAnswer[k])]));
}

/**
 * A stored state moved to the current schema (version 0 → 0 is the identity): every
 * attribute of the schema present (a missing one null, an object's missing fields null),
 * attributes the schema no longer has dropped, write-only ones null.
 */
export function upgradeState(kind: KindName, state: Record<string, unknown>): TfObject {
  const fill = (a: TfAttribute, v: unknown): TfValue => {
    if (a.writeOnly || v === undefined || v === null) return null;
    if (a.type !== "object" || typeof v !== "object") return v as TfValue;
    const o = v as Record<string, unknown>;
    return Object.fromEntries((a.fields ?? []).map((f) => [f.name, fill(f, o[f.name])]));
  };
  return Object.fromEntries(terraformKinds[kind].attributes.map((a) => [a.name, fill(a, state[a.name])]));
}
