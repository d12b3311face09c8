/**
 * The part of a CDKTF library the constructs use, written structurally so one source serves
 * apps on `cdktf` 0.21 and on its continuation `cdktn` 0.24 (same classes, same `constructs`
 * peer): `defineKalliope(lib)` (constructs.ts) takes either module. Only what the constructs
 * call or expose is listed; the full classes are the library's own.
 */
import type { Construct } from "constructs";

/** The generator metadata CDKTF writes into `required_providers` (name, version constraint). */
export interface GeneratorMetadata {
  readonly providerName: string;
  readonly providerVersionConstraint?: string;
  readonly providerVersion?: string;
}

/** Something a resource can depend on (a resource or a module): its fully qualified name. */
export interface Dependable {
  readonly fqn: string;
}

/** The members of `TerraformResource` the constructs use and expose. */
export interface ResourceLike extends Construct, Dependable {
  /** The resource type, e.g. `kalliope_extension`. */
  readonly terraformResourceType: string;
  /** The logical id in the synthesized JSON. */
  readonly friendlyUniqueId: string;
  /** `depends_on` as rendered references. */
  dependsOn?: string[];
  /** A reference to a string attribute (`${kalliope_x.y.attr}`), resolved by Terraform. */
  getStringAttribute(attribute: string): string;
  /** Overrides a path of the synthesized block (an escape hatch of CDKTF). */
  addOverride(path: string, value: unknown): void;
  /** The attributes of the resource block (CDKTF calls it at synth; snake_case keys). */
  synthesizeAttributes(): Record<string, unknown>;
  /** The same for an app that synthesizes HCL (`hclOutput`), each value with its type. */
  synthesizeHclAttributes(): Record<string, unknown>;
}

/** The members of `TerraformProvider` the constructs use and expose. */
export interface ProviderLike extends Construct, Dependable {
  /** The provider's alias, for a second configuration. */
  alias?: string;
  /** The attributes of the provider block. */
  synthesizeAttributes(): Record<string, unknown>;
  /** The same for an app that synthesizes HCL (`hclOutput`). */
  synthesizeHclAttributes(): Record<string, unknown>;
}

/** Config of `TerraformResource`'s constructor. */
export interface ResourceConfig {
  readonly terraformResourceType: string;
  readonly terraformGeneratorMetadata?: GeneratorMetadata;
  readonly dependsOn?: Dependable[];
  readonly provider?: ProviderLike;
}

/** Config of `TerraformProvider`'s constructor. */
export interface ProviderConfig {
  readonly terraformResourceType: string;
  readonly terraformGeneratorMetadata?: GeneratorMetadata;
  readonly terraformProviderSource?: string;
}

/** A CDKTF library module: `import * as cdktf from "cdktf"` or `import * as cdktn from "cdktn"`. */
export interface CdktfLibrary {
  readonly TerraformResource: new (scope: Construct, id: string, config: ResourceConfig) => ResourceLike;
  readonly TerraformProvider: new (scope: Construct, id: string, config: ProviderConfig) => ProviderLike;
  readonly Token: { isUnresolved(value: unknown): boolean };
}

/**
 * The module as the constructs see it. Both libraries' `synthesizeAttributes` is `protected`
 * in their typings, which a structural type cannot name; the constructs override it, which is
 * what the libraries' own generated bindings do.
 */
export function asLibrary(module: unknown): CdktfLibrary {
  return module as CdktfLibrary;
}
