/**
 * Spec types derived from the kind registry's secret paths, so that a new secret field in a
 * schema needs no hand-written type. Kept apart from registry.ts so that desired-state.ts can
 * use them without importing the registry (which imports desired-state's types).
 */
import type { schemaFacts } from "./registry.gen.js";
import type { KindName, KindSpecs } from "./resources.gen.js";

type SpecField<P> = P extends `spec.${infer F}` ? F : never;
/** The top-level spec fields of `K` that are secrets (from its schema's secret references). */
export type SecretFieldOf<K extends KindName> = SpecField<(typeof schemaFacts)[K]["secretPaths"][number]>;
/** A spec of `K` as the platform shows it: the secrets (write-only) left out. */
export type LiveSpec<K extends KindName> = Omit<KindSpecs[K], SecretFieldOf<K>>;
/** A spec of `K` with each secret reference resolved to `S` (a `Secret`), optionality kept. */
export type ResolvedSpec<K extends KindName, S> = {
  [P in keyof KindSpecs[K]]: P extends SecretFieldOf<K> ? S : KindSpecs[K][P];
};
