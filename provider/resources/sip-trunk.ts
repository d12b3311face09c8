/**
 * `kalliope_sip_trunk`: a SipTrunk declared through the controller. Its schema, plan,
 * apply, read, import and upgrade come from the kind's Terraform mapping
 * (controller/model/terraform.ts `terraformKinds.SipTrunk`) through the shared factory
 * (resource.ts); this file adds only what a reader of the provider's documentation needs:
 * what the object is, and an example configuration, which the tests validate against the
 * kind's schema.
 *
 * A password given in clear is stored by the controller as a secret of the tenant, never
 * in the document, the plan or the state.
 */
import type { ResourceType, TfObject } from "../plugin/contract.js";
import type { ProviderState } from "./provider-state.js";
import { defineResource } from "./resource.js";

/** A valid `kalliope_sip_trunk` configuration, shown in the schema's description. */
export const sipTrunkExample: TfObject = {
  tenant: "ACME001",
  name: "main",
  description: "Main trunk",
  operator: "Example Telecom",
  endpoint: "sip.operator.example:5060",
  auth_required: true,
  username: "acme001",
  password_from_env: "OMNIA_SECRET_ACME_TRUNK_MAIN",
};

/** The `kalliope_sip_trunk` resource type, calling the controller `provider` is configured with. */
export function sipTrunkResource(provider: ProviderState): ResourceType {
  return defineResource("SipTrunk", provider, {
    about:
      "A SIP trunk of the tenant towards an operator, named by `name` within the tenant. Its password is write-only like an extension's PIN: `password` (never in state) with `password_wo_version`, or `password_from_env`.",
    example: sipTrunkExample,
  });
}
