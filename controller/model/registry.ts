/**
 * The kind registry: one descriptor per kind, joining what `schemas/` says (registry.gen.ts,
 * from `npm run gen`) with what only people can say (kind-descriptors.ts). Loader, observe,
 * export, adapters, planner and store read a kind's key, parents, secrets, status,
 * updatable fields and files from here, so that adding a field is a schema change plus
 * `npm run gen`, and adding a kind is a schema, a descriptor and an adapter file.
 *
 * Generated rather than read from `schemas/` at run time: the registry is plain data with no
 * I/O (`store/` and the coming provider import `model/` only), the CLI does not parse the
 * 1,200-line contract at every start, and the generated literals type the field lists.
 */
import {
  type KindDescriptorInput,
  type KindRefs,
  kindDescriptorInputs,
  type ParentRef,
} from "./kind-descriptors.js";
import { apiVersions, schemaFacts } from "./registry.gen.js";
import type { KindName } from "./resources.gen.js";

export type { KindRefs, ParentRef } from "./kind-descriptors.js";
/** The manifest apiVersions this version reads (from common.schema.json). */
export { apiVersions };
/** The apiVersion documents are written with (`omnia export`, users defined inline): the newest. */
export const currentApiVersion = apiVersions[apiVersions.length - 1] as (typeof apiVersions)[number];

type Facts<K extends KindName> = (typeof schemaFacts)[K];

export type { LiveSpec, ResolvedSpec, SecretFieldOf } from "./specs.js";
/** Everything the project knows of one kind. */
export interface KindDescriptor<K extends KindName = KindName> extends KindDescriptorInput<K> {
  kind: K;
  /** Schema file in `schemas/`, e.g. "sip-trunk.schema.json" (from the schema). */
  schemaFile: Facts<K>["schemaFile"];
  /** The schema's `$id` (from the schema). */
  schemaId: Facts<K>["schemaId"];
  /** Top-level fields of `spec`, in schema order (from the schema). */
  specFields: Facts<K>["specFields"];
  /** Document paths of secrets: write-only, compared by hash, never shown (from the schema's secret references). */
  secretPaths: Facts<K>["secretPaths"];
  /** Per secret path, the contract's boolean that says whether the platform holds it (from omnia-api.yaml). */
  secretFacts: Facts<K>["secretFacts"];
  /** Document paths set by suspend/resume rather than by an update (from the schema's status references). */
  statusPaths: Facts<K>["statusPaths"];
  /** The contract's update schema, or null: the platform cannot update the kind (from omnia-api.yaml). */
  contractUpdate: Facts<K>["contractUpdate"];
  /** Top-level spec fields an update changes, secrets included (from the contract's update schema). */
  updatable: Facts<K>["updatable"];
  /** Top-level spec fields only a replacement changes: Terraform's `requires_replace` (from the contract). */
  replaceOnly: Facts<K>["replaceOnly"];
  /** Kinds that must exist first: the root kind for every other kind, then `parents`. */
  parentKinds: readonly KindName[];
}

/** Every kind, in the order they are listed to people. */
export const kindNames: readonly KindName[] = Object.keys(kindDescriptorInputs) as KindName[];

const rootKinds = kindNames.filter((k) => kindDescriptorInputs[k].root);
if (rootKinds.length !== 1)
  throw new Error(`exactly one kind must be the root, found: ${rootKinds.join(", ")}`);
/** The kind whose resources are tenants (Tenant): every other kind hangs from one. */
export const rootKind: KindName = rootKinds[0] as KindName;

function describe<K extends KindName>(kind: K): KindDescriptor<K> {
  const input = kindDescriptorInputs[kind] as KindDescriptorInput<K>;
  const parentKinds = input.root ? [] : [...new Set([rootKind, ...input.parents.map((p) => p.kind)])];
  return { kind, ...input, ...schemaFacts[kind], parentKinds };
}

/** The descriptor of each kind. */
export const registry: { readonly [K in KindName]: KindDescriptor<K> } = Object.fromEntries(
  kindNames.map((k) => [k, describe(k)]),
) as { [K in KindName]: KindDescriptor<K> };

/** The descriptor of `kind`. */
export function descriptorOf<K extends KindName>(kind: K): KindDescriptor<K> {
  return registry[kind];
}

/** Whether `value` names a kind. */
export function isKindName(value: unknown): value is KindName {
  return typeof value === "string" && Object.hasOwn(registry, value);
}

/**
 * Natural key (keys.ts) of a resource of `kind`: a document's, a desired or a live
 * resource's. `r.spec` must hold the kind's key fields (any valid resource does).
 */
export function keyOf(kind: KindName, r: KindRefs): string {
  return registry[kind].key(r as never);
}

/** The envelope of a manifest document, as far as keys are concerned. */
export interface DocumentLike {
  metadata?: { name?: unknown; tenant?: unknown; pbx?: unknown } | null;
  spec?: unknown;
}

/**
 * The key-making fields of a document of `kind`: its tenant (the root kind's own key field,
 * else `metadata.tenant`), name, PBX and spec. Undefined when the tenant, or the field that
 * holds the natural key, is not a string (an invalid document).
 */
export function documentRefs(kind: KindName, doc: DocumentLike): KindRefs | undefined {
  const d = registry[kind];
  const meta = doc.metadata ?? {};
  const spec = (doc.spec ?? {}) as Record<string, unknown>;
  const [section, field] = d.keyField;
  const keyValue = section === "spec" ? spec[field] : (meta as Record<string, unknown>)[field];
  const tenant = d.root ? keyValue : meta.tenant;
  if (typeof tenant !== "string" || typeof keyValue !== "string") return undefined;
  return {
    tenant,
    name: typeof meta.name === "string" ? meta.name : "",
    ...(typeof meta.pbx === "string" ? { pbx: meta.pbx } : {}),
    spec,
  };
}

/** Kinds some other kind names as a parent: the ones references resolve to. */
export function isReferenced(kind: KindName): boolean {
  return kindNames.some((k) => registry[k].parentKinds.includes(kind));
}

/** Top-level spec fields an update changes that are not secrets: the plain part of an update body. */
export function plainUpdatable(kind: KindName): readonly string[] {
  const d = registry[kind];
  const secret = new Set(d.secretPaths.map((p) => p.replace(/^spec\./, "")));
  return d.updatable.filter((f) => !secret.has(f));
}

/**
 * The secret paths a live object of `kind` holds, from the facts observe recorded (the
 * contract's `hasPin`, `hasPassword`, ...): a secret the spec requires counts as held unless
 * the platform says it is not; an optional one only when the platform says it is.
 */
export function heldSecretPaths(kind: KindName, facts: Readonly<Record<string, unknown>>): string[] {
  const held: string[] = [];
  const secretFacts = registry[kind].secretFacts as Readonly<
    Record<string, { fact: string | null; required: boolean }>
  >;
  for (const [path, { fact, required }] of Object.entries(secretFacts)) {
    const said = fact === null ? undefined : facts[fact];
    if (said === true || (said !== false && required)) held.push(path);
  }
  return held;
}

/** `<tenant>/<file>`: where `omnia export` writes the documents of `kind` for one tenant. */
export function exportPath(kind: KindName, tenant: string): string {
  return `${tenant}/${registry[kind].exportFile}`;
}

// ---- Drop-in equivalents of the planner's hand-written tables (engine/plan/policy.ts, graph.ts).

/** Per kind with secrets, their paths (policy.ts `secretFields`). */
export const secretFields: Readonly<Partial<Record<KindName, readonly string[]>>> = Object.fromEntries(
  kindNames.filter((k) => registry[k].secretPaths.length > 0).map((k) => [k, registry[k].secretPaths]),
);

/** Per kind with fields never compared, their paths (policy.ts `notCompared`). */
export const notCompared: Readonly<Partial<Record<KindName, readonly string[]>>> = Object.fromEntries(
  kindNames.flatMap((k) => (registry[k].notCompared?.length ? [[k, registry[k].notCompared]] : [])),
);

/** Kinds whose `spec.status` is set by suspend/resume (policy.ts `statusKinds`). */
export const statusKinds: ReadonlySet<KindName> = new Set(
  kindNames.filter((k) => (registry[k].statusPaths as readonly string[]).includes("spec.status")),
);

/** Kinds the platform cannot update: any change is a delete and a create (policy.ts `replaceOnlyKinds`). */
export const replaceOnlyKinds: ReadonlySet<KindName> = new Set(
  kindNames.filter((k) => registry[k].contractUpdate === null),
);

/** Depth of each kind in the parent → child order (graph.ts `kindRank`). */
export const kindRank: Readonly<Record<KindName, number>> = Object.fromEntries(
  kindNames.map((k) => [k, registry[k].rank]),
) as Record<KindName, number>;

/** The deepest rank: deletes run in `maxRank - rank` order. */
export const maxRank: number = Math.max(...Object.values(kindRank));

/** The fields of a resource (desired or live) that name its parents (graph.ts `ParentRefs`). */
export interface ParentRefs {
  kind: KindName;
  tenant: string;
  pbx?: string;
  spec: unknown;
}

/**
 * Keys of the resources a resource needs to exist first (graph.ts `parentKeys`): the
 * parents its descriptor names that it refers to, and its tenant when it refers to no
 * containing parent. The root kind has none.
 */
export function parentKeys(r: ParentRefs): string[] {
  const d = registry[r.kind];
  if (d.root) return [];
  const keys: string[] = [];
  let contained = false;
  for (const p of d.parents as readonly ParentRef[]) {
    const key = p.key(r);
    if (key === undefined) continue;
    keys.push(key);
    if (!p.association) contained = true;
  }
  if (!contained) keys.unshift(keyOf(rootKind, { tenant: r.tenant, name: "", spec: {} }));
  return keys;
}
