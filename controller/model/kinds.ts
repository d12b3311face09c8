/** The document kinds and the schema file of each, from the kind registry (registry.ts). */
import type { KindName } from "./desired-state.js";
import { kindNames, registry } from "./registry.js";

/** Schema file (in `schemas/`) of each document kind, in the order kinds are listed to people. */
export const kindFiles: Readonly<Record<KindName, string>> = Object.fromEntries(
  kindNames.map((k) => [k, registry[k].schemaFile]),
) as Record<KindName, string>;
