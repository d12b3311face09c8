/**
 * `kalliope_user`: a User declared through the controller. Its schema, plan,
 * apply, read, import and upgrade come from the kind's Terraform mapping
 * (controller/model/terraform.ts `terraformKinds.User`) through the shared factory
 * (resource.ts); nothing here is written per attribute.
 */
import type { ResourceType } from "../plugin/contract.js";
import type { ProviderState } from "./provider-state.js";
import { defineResource } from "./resource.js";

/** The `kalliope_user` resource type, calling the controller `provider` is configured with. */
export function userResource(provider: ProviderState): ResourceType {
  return defineResource("User", provider);
}
