/**
 * `kalliope_user`: a User declared through the controller. Its schema, plan, apply, read,
 * import and upgrade come from the kind's Terraform mapping (controller/model/terraform.ts
 * `terraformKinds.User`) through the shared factory (resource.ts); this file adds only
 * what a reader of the provider's documentation needs: what the object is, and an example
 * configuration, which the tests validate against the kind's schema.
 *
 * The email is the key: changing it replaces the user (a new one is created, the old one
 * deleted).
 */
import type { ResourceType, TfObject } from "../plugin/contract.js";
import type { ProviderState } from "./provider-state.js";
import { defineResource } from "./resource.js";

/** A valid `kalliope_user` configuration, shown in the schema's description. */
export const userExample: TfObject = {
  tenant: "ACME001",
  email: "giulia.rossi@acme.example",
  first_name: "Giulia",
  last_name: "Rossi",
  admin_console_role: "viewer",
};

/** The `kalliope_user` resource type, calling the controller `provider` is configured with. */
export function userResource(provider: ProviderState): ResourceType {
  return defineResource("User", provider, {
    about:
      "A person of the tenant who can sign in to the Omnia apps and, by role, to the admin console. Named by email within the tenant.",
    example: userExample,
  });
}
