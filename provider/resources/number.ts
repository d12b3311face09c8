/**
 * `kalliope_number`: a Number declared through the controller. Its schema, plan, apply,
 * read, import and upgrade come from the kind's Terraform mapping
 * (controller/model/terraform.ts `terraformKinds.Number`) through the shared factory
 * (resource.ts); this file adds only what a reader of the provider's documentation needs:
 * what the object is, and an example configuration, which the tests validate against the
 * kind's schema.
 *
 * The platform cannot move a number to another PBX or trunk in place: such a change
 * replaces it.
 */
import type { ResourceType, TfObject } from "../plugin/contract.js";
import type { ProviderState } from "./provider-state.js";
import { defineResource } from "./resource.js";

/** A valid `kalliope_number` configuration, shown in the schema's description. */
export const numberExample: TfObject = {
  tenant: "ACME001",
  number: "+390212345670",
  block_digits: 1,
  pbx: "hq",
  trunk: "main",
};

/** The `kalliope_number` resource type, calling the controller `provider` is configured with. */
export function numberResource(provider: ProviderState): ResourceType {
  return defineResource("Number", provider, {
    about:
      "A geographic number (or a block of 10, 100 or 1000) routed to a PBX through a SIP trunk. Named by the number in E.164; the import id adds the tenant because the controller's API is per tenant.",
    example: numberExample,
  });
}
