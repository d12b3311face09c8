/**
 * `kalliope_tenant`: a Tenant declared through the controller. Its schema, plan, apply,
 * read, import and upgrade come from the kind's Terraform mapping
 * (controller/model/terraform.ts `terraformKinds.Tenant`) through the shared factory
 * (resource.ts); this file adds only what a reader of the provider's documentation needs:
 * what the object is, and an example configuration, which the tests validate against the
 * kind's schema.
 *
 * Deleting it deletes the customer on the platform (with `deletion_policy = "delete"`, the
 * default), so the controller's mass-delete guard applies to it like to any other object.
 */
import type { ResourceType, TfObject } from "../plugin/contract.js";
import type { ProviderState } from "./provider-state.js";
import { defineResource } from "./resource.js";

/** A valid `kalliope_tenant` configuration, shown in the schema's description. */
export const tenantExample: TfObject = {
  business_name: "Acme S.r.l.",
  customer_code: "ACME001",
  vat_number: "08712340150",
  fiscal_code: "08712340150",
};

/** The `kalliope_tenant` resource type, calling the controller `provider` is configured with. */
export function tenantResource(provider: ProviderState): ResourceType {
  return defineResource("Tenant", provider, {
    about:
      "A customer of the partner: the Omnia tenant, named by its customer code. Every other resource of the customer names it in `tenant`.",
    example: tenantExample,
  });
}
