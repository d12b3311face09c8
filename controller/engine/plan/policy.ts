/**
 * Plan policy defaults and the per-kind comparison rules of the planner: which fields are
 * secrets (compared by keyed hash), which are not compared at all and why, which kinds
 * carry a suspend/resume status (the last three from the kind registry), and how
 * `ignore` paths match.
 */
/** Options of `plan()`; every field has a default. */
export interface PlanPolicy {
  /** Delete inventory objects that left the source. Default false. */
  prune: boolean;
  /** Largest share of a tenant's managed objects one plan may delete. Default 0.2. */
  maxDeleteShare: number;
  /** Lift the mass-delete guard. Default false. */
  allowMassDelete: boolean;
  /** Source this run speaks for (inventory ownership). */
  source: string;
  /** Salt and hash function for secret change detection. */
  hashSecret: (field: string, value: string) => string;
}

/** Options of `plan()` as callers pass them: everything but the hash function has a default. */
export type PlanPolicyInput = Partial<PlanPolicy> & Pick<PlanPolicy, "hashSecret">;

/** Default share of a tenant's managed objects that one plan may delete. */
export const defaultMaxDeleteShare = 0.2;
/** Source name used when the caller gives none. */
export const defaultSource = "default";

/** Fills in the defaults of a plan policy: prune off, 20% guard, guard on. */
export function resolvePlanPolicy(input: PlanPolicyInput): PlanPolicy {
  const maxDeleteShare = input.maxDeleteShare ?? defaultMaxDeleteShare;
  if (!(maxDeleteShare >= 0 && maxDeleteShare <= 1)) {
    throw new RangeError(`maxDeleteShare must be between 0 and 1, got ${maxDeleteShare}`);
  }
  return {
    prune: input.prune ?? false,
    maxDeleteShare,
    allowMassDelete: input.allowMassDelete ?? false,
    source: input.source ?? defaultSource,
    hashSecret: input.hashSecret,
  };
}

/**
 * The per-kind comparison rules, derived from schemas/ by the kind registry: write-only
 * fields (secrets, compared by salted hash), fields never compared, kinds with a
 * suspend/resume status, and kinds the platform cannot update (replace only).
 */
export { notCompared, replaceOnlyKinds, secretFields, statusKinds } from "../../model/registry.js";

/**
 * True when `path` is covered by one of the `ignore` paths: equal to it, or below it
 * (`spec.user` covers `spec.user.email`). Paths are relative to the document, with or
 * without the leading `spec.` (`department` and `spec.department` are the same rule).
 */
export function isIgnored(path: string, ignore: readonly string[]): boolean {
  for (const rule of ignore) {
    const full = rule.startsWith("spec.") || rule === "spec" ? rule : `spec.${rule}`;
    if (path === full || path.startsWith(`${full}.`)) return true;
  }
  return false;
}

/** Whether two leaf values are equal for the planner: null and absent are the same; emails ignore case. */
export function sameValue(path: string, a: unknown, b: unknown): boolean {
  return sameLeaf(path.endsWith("email"), a, b);
}

/**
 * `sameValue` with the path's one rule taken out: `email` says the path ends in "email"
 * (compared case-insensitively). Lets the planner compare before it builds a path string.
 */
export function sameLeaf(email: boolean, a: unknown, b: unknown): boolean {
  const x = a ?? undefined;
  const y = b ?? undefined;
  if (x === y) return true;
  if (email && typeof x === "string" && typeof y === "string") {
    return x.toLowerCase() === y.toLowerCase();
  }
  if (typeof x === "object" && typeof y === "object") return JSON.stringify(x) === JSON.stringify(y);
  return false;
}
