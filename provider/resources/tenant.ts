/**
 * `kalliope_tenant`: a Tenant declared through the controller. Its schema, plan,
 * apply, read, import and upgrade come from the kind's Terraform mapping
 * (controller/model/terraform.ts `terraformKinds.Tenant`) through the shared factory
 * (resource.ts); nothing here is written per attribute.
 */
import type { ResourceType } from "../plugin/contract.js";
import type { ProviderState } from "./provider-state.js";
import { defineResource } from "./resource.js";

/** The `kalliope_tenant` resource type, calling the controller `provider` is configured with. */
export function tenantResource(provider: ProviderState): ResourceType {
  return defineResource("Tenant", provider);
}
