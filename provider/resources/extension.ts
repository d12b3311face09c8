/**
 * `kalliope_extension`: an Extension declared through the controller. Its schema, plan,
 * apply, read, import and upgrade come from the kind's Terraform mapping
 * (controller/model/terraform.ts `terraformKinds.Extension`) through the shared factory
 * (resource.ts); this file adds only what a reader of the provider's documentation needs:
 * what the object is, and an example configuration, which the tests validate against the
 * kind's schema.
 *
 * A write-only `pin` is stored by the controller as a secret of the tenant (encrypted at
 * rest) under a name fixed per extension, and the document refers to it; the plan shows
 * neither.
 */
import type { ResourceType, TfObject } from "../plugin/contract.js";
import type { ProviderState } from "./provider-state.js";
import { defineResource } from "./resource.js";

/** A valid `kalliope_extension` configuration, shown in the schema's description. */
export const extensionExample: TfObject = {
  tenant: "ACME001",
  pbx: "hq",
  number: "201",
  license: "plus",
  pin_from_env: "OMNIA_SECRET_ACME_PIN_201",
  user: { email: "giulia.rossi@acme.example", first_name: null, last_name: null },
};

/** The `kalliope_extension` resource type, calling the controller `provider` is configured with. */
export function extensionResource(provider: ProviderState): ResourceType {
  return defineResource("Extension", provider, {
    about:
      "An extension of a PBX, named by its number within the PBX. Its services PIN is write-only: give `pin` (Terraform 1.11 or later; it never enters the state or the plan, bump `pin_wo_version` to send a new value) or `pin_from_env`, the name of a variable of the controller that holds it.",
    example: extensionExample,
  });
}
