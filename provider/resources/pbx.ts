/**
 * `kalliope_pbx`: a Pbx declared through the controller. Its schema, plan, apply, read,
 * import and upgrade come from the kind's Terraform mapping (controller/model/terraform.ts
 * `terraformKinds.Pbx`) through the shared factory (resource.ts); this file adds only what
 * a reader of the provider's documentation needs: what the object is, and an example
 * configuration, which the tests validate against the kind's schema.
 *
 * `name` is the key: a new name replaces the PBX.
 */
import type { ResourceType, TfObject } from "../plugin/contract.js";
import type { ProviderState } from "./provider-state.js";
import { defineResource } from "./resource.js";

/** A valid `kalliope_pbx` configuration, shown in the schema's description. */
export const pbxExample: TfObject = { tenant: "ACME001", name: "hq", kind: "single", call_center: true };

/** The `kalliope_pbx` resource type, calling the controller `provider` is configured with. */
export function pbxResource(provider: ProviderState): ResourceType {
  return defineResource("Pbx", provider, {
    about:
      "A PBX of the tenant (`single`, or one of a `shared`/`group` set), named by `name` within the tenant. Extensions and numbers name it in `pbx`.",
    example: pbxExample,
  });
}
