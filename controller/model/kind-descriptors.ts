/**
 * What the schemas cannot say about each kind, written once: how its natural key is built
 * and which document field holds it, its parents and depth, the collection of
 * `DesiredState`/`LiveState` that holds it, its name in the platform's contract
 * (schemas/omnia-api.yaml), its export file, and the fields the planner never compares.
 * Everything else (schema file and `$id`, secret paths, status fields, updatable and
 * replace-only fields) is read from `schemas/` by `generate-registry.ts` into
 * `registry.gen.ts`; `registry.ts` joins the two into one descriptor per kind.
 *
 * Adding a kind: add its entry here (the compiler asks for it once the kind's schema is in
 * `schemas/` and `npm run gen` has run).
 */
import type { DesiredState } from "./desired-state.js";
import { extensionKey, numberKey, pbxKey, sipTrunkKey, tenantKey, userKey } from "./keys.js";
import type { KindName, KindSpecs } from "./resources.gen.js";

/** The fields of a resource (desired, live or a document) that its key and parents are made of. */
export interface KindRefs<S = unknown> {
  /** Customer code of the owning tenant (a Tenant's own code). */
  tenant: string;
  /** `metadata.name` of the document. */
  name: string;
  /** `metadata.pbx` of the document (extensions). */
  pbx?: string;
  spec: S;
}

/** A parent of a kind: a resource that must exist before it. */
export interface ParentRef {
  kind: KindName;
  /** Document path of the field that names the parent (where an unknown reference is reported). */
  field: readonly [string, string];
  /** The parent's natural key, or undefined when this resource names no such parent. */
  key(r: Pick<KindRefs, "tenant" | "pbx" | "spec">): string | undefined;
  /**
   * An association, not a container (an extension's user): when a resource names none of its
   * containing parents, it hangs from its tenant, whatever associations it has.
   */
  association?: boolean;
}

/** The hand-written part of a kind's descriptor. */
export interface KindDescriptorInput<K extends KindName> {
  /** What people call a resource of this kind in messages, e.g. "SIP trunk". */
  label: string;
  /** Collection of `DesiredState` and `LiveState` that holds resources of this kind. */
  collection: keyof DesiredState;
  /** Natural key (keys.ts) of a resource of this kind. */
  key(r: KindRefs<KindSpecs[K]>): string;
  /** Path, in the document, of the field that holds the natural key (where a duplicate is reported). */
  keyField: readonly [string, string];
  /**
   * True for the kind whose resources are tenants: its key field is the tenant's code, it
   * has no parents, and every other kind hangs from it.
   */
  root?: true;
  /** Parents besides the tenant (which every non-root kind has). */
  parents: readonly ParentRef[];
  /**
   * Depth in the parent → child order of a plan (0: the root); deletes go deepest first.
   * Greater than every parent's rank (a test checks it).
   */
  rank: number;
  /** Name of the kind's object schema in the platform's contract (`components.schemas`). */
  contract: string;
  /**
   * Spec fields that the contract's update names otherwise, e.g. an extension's `user` is
   * sent as `userId` or `newUser`. Fields not listed have the same name on both sides.
   */
  contractFields?: Readonly<Record<string, readonly string[]>>;
  /** Fields (document paths) the planner never compares, and why. */
  notCompared?: readonly string[];
  /** File (in the tenant's folder) that `omnia export` writes the kind's documents to. */
  exportFile: string;
}

const specOf = (r: { spec: unknown }) =>
  (r.spec ?? {}) as { pbx?: unknown; trunk?: unknown; user?: { email?: unknown } | null };

/** One hand-written descriptor per kind, in the order kinds are listed to people (messages, help). */
export const kindDescriptorInputs: { readonly [K in KindName]: KindDescriptorInput<K> } = {
  Tenant: {
    label: "tenant",
    collection: "tenants",
    key: (r) => tenantKey(r.tenant),
    keyField: ["spec", "customerCode"],
    root: true,
    parents: [],
    rank: 0,
    contract: "Customer",
    exportFile: "tenant.yaml",
  },
  User: {
    label: "user",
    collection: "users",
    key: (r) => userKey(r.tenant, r.spec.email),
    keyField: ["spec", "email"],
    parents: [],
    rank: 1,
    contract: "User",
    exportFile: "users.yaml",
  },
  Pbx: {
    label: "PBX",
    collection: "pbxs",
    key: (r) => pbxKey(r.tenant, r.name),
    keyField: ["metadata", "name"],
    parents: [],
    // After trunks, not beside them: a plan reads tenant → users and trunks → PBXs → the rest.
    rank: 2,
    contract: "Pbx",
    exportFile: "pbxs.yaml",
  },
  Extension: {
    label: "extension",
    collection: "extensions",
    key: (r) => extensionKey(r.tenant, r.pbx ?? "", r.spec.number),
    keyField: ["spec", "number"],
    parents: [
      { kind: "Pbx", field: ["metadata", "pbx"], key: (r) => (r.pbx ? pbxKey(r.tenant, r.pbx) : undefined) },
      {
        kind: "User",
        field: ["spec", "user"],
        key: (r) => {
          const email = specOf(r).user?.email;
          return typeof email === "string" ? userKey(r.tenant, email) : undefined;
        },
        association: true,
      },
    ],
    rank: 3,
    contract: "Extension",
    contractFields: { user: ["userId", "newUser"] },
    // An extension's inline user names only say how to create the user if missing; the
    // user's names belong to its User resource, which compares them.
    notCompared: ["spec.user.firstName", "spec.user.lastName"],
    exportFile: "extensions.yaml",
  },
  Number: {
    label: "number block",
    collection: "numbers",
    key: (r) => numberKey(r.spec.number),
    keyField: ["spec", "number"],
    parents: [
      {
        kind: "Pbx",
        field: ["spec", "pbx"],
        key: (r) =>
          typeof specOf(r).pbx === "string" ? pbxKey(r.tenant, specOf(r).pbx as string) : undefined,
      },
      {
        kind: "SipTrunk",
        field: ["spec", "trunk"],
        key: (r) =>
          typeof specOf(r).trunk === "string" ? sipTrunkKey(r.tenant, specOf(r).trunk as string) : undefined,
      },
    ],
    rank: 3,
    contract: "NumberBlock",
    contractFields: { pbx: ["pbxId"], trunk: ["trunkId"] },
    exportFile: "numbers.yaml",
  },
  SipTrunk: {
    label: "SIP trunk",
    collection: "trunks",
    key: (r) => sipTrunkKey(r.tenant, r.name),
    keyField: ["metadata", "name"],
    parents: [],
    rank: 1,
    contract: "SipTrunk",
    exportFile: "trunks.yaml",
  },
};
