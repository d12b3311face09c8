/**
 * The loader's output: every declared resource, validated, with schema defaults applied,
 * secrets resolved and each document's source position. Plain data, no I/O.
 */
import { inspect } from "node:util";
import type { KindName, NumberSpec, PbxSpec, TenantSpec, UserSpec } from "./resources.gen.js";
import type { ResolvedSpec } from "./specs.js";

/** The document kinds, generated from `schemas/` (resources.gen.ts). */
export type { KindName } from "./resources.gen.js";

/** Where a document (or a field of it) stands in its file; line and col are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

/** A resource's policies, resolved (its own metadata, else its tenant's, else defaults). */
export interface ResourcePolicy {
  deletionPolicy: "delete" | "orphan";
  driftMode: "enforce" | "warn" | "observe";
  ignore: string[];
}

/**
 * A secret resolved at load time. Its value never serialises: JSON, `util.inspect` and
 * string conversion all give "(sensitive)"; only `reveal()` returns it.
 */
export class Secret {
  readonly #value: string;
  constructor(
    value: string,
    /** Where it came from, e.g. `env:ACME_PIN` or `file:secrets/pin.txt`; safe to show. */
    readonly ref: string,
  ) {
    this.#value = value;
  }
  /** The secret itself, for the one call that sends it to the platform. */
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return "(sensitive)";
  }
  toString(): string {
    return "(sensitive)";
  }
  [inspect.custom](): string {
    return "Secret((sensitive))";
  }
}

/** A spec with its secret references (the registry's `secretPaths`) replaced by resolved `Secret`s. */
export type ResolvedSipTrunkSpec = ResolvedSpec<"SipTrunk", Secret>;
export type ResolvedExtensionSpec = ResolvedSpec<"Extension", Secret>;

/** One declared resource. */
export interface DesiredResource<K extends KindName, S> {
  kind: K;
  /** Natural key (see keys.ts). */
  key: string;
  /** metadata.name of the document. */
  name: string;
  /** Customer code of the owning tenant (a Tenant's own code). */
  tenant: string;
  /** For extensions: the PBX name. */
  pbx?: string;
  labels: Record<string, string>;
  policy: ResourcePolicy;
  /** Schema defaults applied; secret refs resolved. */
  spec: S;
  source: SourceLocation;
}

export type DesiredTenant = DesiredResource<"Tenant", TenantSpec>;
export type DesiredUser = DesiredResource<"User", UserSpec>;
export type DesiredSipTrunk = DesiredResource<"SipTrunk", ResolvedSipTrunkSpec>;
export type DesiredPbx = DesiredResource<"Pbx", PbxSpec>;
export type DesiredNumber = DesiredResource<"Number", NumberSpec>;
export type DesiredExtension = DesiredResource<"Extension", ResolvedExtensionSpec>;
export type AnyDesiredResource =
  | DesiredTenant
  | DesiredUser
  | DesiredSipTrunk
  | DesiredPbx
  | DesiredNumber
  | DesiredExtension;

/** Everything a source declares. */
export interface DesiredState {
  tenants: DesiredTenant[];
  users: DesiredUser[];
  trunks: DesiredSipTrunk[];
  pbxs: DesiredPbx[];
  numbers: DesiredNumber[];
  extensions: DesiredExtension[];
}

/** An empty desired state. */
export function emptyDesiredState(): DesiredState {
  return { tenants: [], users: [], trunks: [], pbxs: [], numbers: [], extensions: [] };
}
