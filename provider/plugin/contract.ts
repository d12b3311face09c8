/**
 * The contract between the tfplugin6 gRPC server (`provider/plugin/`, which speaks
 * Terraform's wire format: msgpack/JSON `DynamicValue`s, protobuf schemas and diagnostics)
 * and the provider's resources (`provider/resources/`, which speak to the controller API).
 * Values cross it already decoded: an object value holds every attribute of its schema
 * (absent ones as `null`), and a value Terraform does not know yet ("known after apply") is
 * the `unknown` sentinel.
 *
 * Sources of the facts: Terraform's plugin protocol 6.8 (tfplugin6.proto, as embedded in
 * Terraform 1.11.4) and ../shared/terraform-plugin-notes.md.
 */

/** A value Terraform does not know yet: cty's unknown (msgpack extension type 0 or 12). */
export const unknown: unique symbol = Symbol("unknown");
/** The type of the `unknown` sentinel. */
export type Unknown = typeof unknown;

/** A decoded Terraform value. Numbers beyond 2^53 arrive as `bigint`; decimals as numbers. */
export type TfValue = null | Unknown | string | number | bigint | boolean | TfValue[] | TfObject;
/** A decoded object (or map) value, by attribute name (snake_case). */
export interface TfObject {
  [attribute: string]: TfValue;
}

/**
 * A cty type in Terraform's JSON form: `"string"`, `"number"`, `"bool"`, `"dynamic"`,
 * `["list", T]`, `["set", T]`, `["map", T]`, `["object", {name: T}]`, `["tuple", [T...]]`.
 */
export type CtyType =
  | "string"
  | "number"
  | "bool"
  | "dynamic"
  | readonly ["list" | "set" | "map", CtyType]
  | readonly ["object", { readonly [name: string]: CtyType }]
  | readonly ["tuple", readonly CtyType[]];

/** One step of an attribute path: an attribute name, a map key or a list index. */
export type PathStep = { attribute: string } | { key: string } | { index: number };
/** Where in a configuration a diagnostic points, e.g. `[{attribute: "user"}, {attribute: "email"}]`. */
export type AttributePath = readonly PathStep[];

/** A problem or warning shown to the Terraform user. */
export interface Diagnostic {
  severity: "error" | "warning";
  /** One line. */
  summary: string;
  /** The rest: what was expected, allowed values. */
  detail?: string;
  /** The attribute it is about; Terraform then shows the configuration line. */
  attribute?: AttributePath;
}

/** A nested attribute's object type (tfplugin6 `Schema.Object`), nesting SINGLE, LIST, SET or MAP. */
export interface NestedType {
  nesting: "single" | "list" | "set" | "map";
  attributes: readonly SchemaAttribute[];
}

/** One attribute of a schema block (tfplugin6 `Schema.Attribute`). */
export interface SchemaAttribute {
  name: string;
  /** Exactly one of `type` and `nestedType`. */
  type?: CtyType;
  nestedType?: NestedType;
  /** Markdown. */
  description: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  /** Never stored in state or plan (Terraform 1.11+, `client_capabilities.write_only_attributes_allowed`). */
  writeOnly?: boolean;
  deprecated?: boolean;
}

/** A schema (tfplugin6 `Schema`): a version (for `UpgradeResourceState`) and its block. */
export interface Schema {
  /** Bumped when the stored state's shape changes; `upgrade` moves older states to it. */
  version: number;
  block: {
    attributes: readonly SchemaAttribute[];
    /** Markdown. */
    description: string;
  };
}

/** What every call gets beside its request. */
export interface CallContext {
  /** Aborted when Terraform calls StopProvider or the process is shutting down. */
  signal: AbortSignal;
  /** Terraform allows write-only attributes in this call (client capability). */
  writeOnlyAllowed: boolean;
}

/** `PlanResourceChange`: `priorState` null on create, `proposedNewState` null on destroy. */
export interface PlanRequest {
  priorState: TfObject | null;
  proposedNewState: TfObject | null;
  config: TfObject | null;
  priorPrivate: Uint8Array;
}
/** The planned state (unknowns where only apply can tell) and what forces a replacement. */
export interface PlanResponse {
  plannedState: TfObject | null;
  requiresReplace: AttributePath[];
  plannedPrivate?: Uint8Array;
  diagnostics: Diagnostic[];
}

/** `ApplyResourceChange`: `plannedState` null means destroy. */
export interface ApplyRequest {
  priorState: TfObject | null;
  plannedState: TfObject | null;
  config: TfObject | null;
  plannedPrivate: Uint8Array;
}
/** The new state (null after destroy); no unknowns may remain in it. */
export interface ApplyResponse {
  newState: TfObject | null;
  private?: Uint8Array;
  diagnostics: Diagnostic[];
}

/** `ReadResource` (refresh): `newState` null when the object is gone. */
export interface ReadResponse {
  newState: TfObject | null;
  private?: Uint8Array;
  diagnostics: Diagnostic[];
}

/** A managed resource type, e.g. `kalliope_extension`. */
export interface ResourceType {
  /** Full type name, `kalliope_<kind>`. */
  name: string;
  schema: Schema;
  /** Static checks of a configuration (unknowns allowed anywhere). */
  validate(config: TfObject, ctx: CallContext): Promise<Diagnostic[]>;
  plan(request: PlanRequest, ctx: CallContext): Promise<PlanResponse>;
  apply(request: ApplyRequest, ctx: CallContext): Promise<ApplyResponse>;
  read(currentState: TfObject, priorPrivate: Uint8Array, ctx: CallContext): Promise<ReadResponse>;
  /** `terraform import TYPE.NAME ID`: the id is the natural key, e.g. `ACME001/hq/201`. */
  import(id: string, ctx: CallContext): Promise<{ state: TfObject | null; diagnostics: Diagnostic[] }>;
  /** `UpgradeResourceState`: a stored state (JSON-decoded) written by schema `version`. */
  upgrade(
    version: number,
    state: Record<string, unknown>,
    ctx: CallContext,
  ): Promise<{ state: TfObject | null; diagnostics: Diagnostic[] }>;
}

/** A data source, e.g. `data.kalliope_tenant`. */
export interface DataSourceType {
  name: string;
  schema: Schema;
  validate(config: TfObject, ctx: CallContext): Promise<Diagnostic[]>;
  read(config: TfObject, ctx: CallContext): Promise<{ state: TfObject | null; diagnostics: Diagnostic[] }>;
}

/** Everything the gRPC server serves. */
export interface ProviderDefinition {
  /** The provider block's schema (controller URL, token). */
  schema: Schema;
  validateConfig(config: TfObject, ctx: CallContext): Promise<Diagnostic[]>;
  /** Called once per process before any resource call that needs the controller. */
  configure(config: TfObject, ctx: CallContext): Promise<Diagnostic[]>;
  resources: readonly ResourceType[];
  dataSources: readonly DataSourceType[];
}
