/**
 * Refuses a clear secret in a resource document stored through the API: wherever the
 * kind's schema has a secret reference (the kind registry's `secretPaths`, e.g.
 * `spec.pin`), the document may hold only `{fromEnv}`, `{fromFile}` or `{fromSecret}`, or
 * nothing. The document never holds a secret value; the value is read from the reference
 * at apply time by the same loader every source uses (with its rules on which variables
 * and files it reads; `fromSecret` names a secret stored encrypted through the API).
 */
import { registry } from "../model/registry.js";
import type { KindName } from "../model/resources.gen.js";

/** Whether `v` is a secret reference: exactly one of `fromEnv` / `fromFile` / `fromSecret`, a non-empty string. */
export function isSecretReference(v: unknown): boolean {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  if (keys.length !== 1) return false;
  const [k] = keys;
  const value = (v as Record<string, unknown>)[k as string];
  return (
    (k === "fromEnv" || k === "fromFile" || k === "fromSecret") && typeof value === "string" && value !== ""
  );
}

/**
 * The JSON pointers (`/spec/pin`) of `doc`'s secret fields that hold something other than
 * a reference; empty when every secret is a reference or absent. Never returns the values.
 */
export function clearSecretPaths(kind: KindName, doc: Record<string, unknown>): string[] {
  const bad: string[] = [];
  for (const path of registry[kind].secretPaths as readonly string[]) {
    let v: unknown = doc;
    for (const part of path.split(".")) {
      v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[part] : undefined;
    }
    if (v !== undefined && !isSecretReference(v)) bad.push(`/${path.replaceAll(".", "/")}`);
  }
  return bad;
}
