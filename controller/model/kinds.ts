/** The document kinds and the schema file of each, in dependency order (tenant first). */
import type { KindName } from "./desired-state.js";

/** Schema file (in `schemas/`) of each document kind. */
export const kindFiles: Readonly<Record<KindName, string>> = {
  Tenant: "tenant.schema.json",
  User: "user.schema.json",
  Pbx: "pbx.schema.json",
  Extension: "extension.schema.json",
  Number: "number.schema.json",
  SipTrunk: "sip-trunk.schema.json",
};
