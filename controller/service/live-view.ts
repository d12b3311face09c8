/**
 * A live object as the API answers it (`GET /v1/tenants/{tenant}/live/{kind}/{key}`, and
 * `apply.live` of `PUT ...?wait=true`): kind, key, platform id, the spec as observe reads
 * it, the platform's status and facts, and which source owns the key. The platform never
 * returns a secret; a secret field the platform says is set (`hasPin` for `spec.pin`,
 * `hasPassword` for `spec.password`) shows as `{sensitive: true}`, so a Terraform refresh
 * sees that a value exists without ever seeing it.
 */
import type { AnyLiveResource } from "../model/live-state.js";
import { registry } from "../model/registry.js";
import type { LiveObjectView } from "./ports.js";

/** What a set secret field shows instead of its value. */
export const sensitiveMarker = { sensitive: true } as const;

/** The platform fact that says the secret at `path` is set: `spec.pin` -> `hasPin`. */
export function secretFactOf(path: string): string {
  const last = path.split(".").at(-1) ?? path;
  return `has${last.charAt(0).toUpperCase()}${last.slice(1)}`;
}

/** `live` as the API shows it, owned by `owner` (a source id) or by nobody (null). */
export function liveView(live: AnyLiveResource, owner: string | null): LiveObjectView {
  const spec = structuredClone(live.spec) as Record<string, unknown>;
  for (const path of registry[live.kind].secretPaths as readonly string[]) {
    if (live.facts[secretFactOf(path)] !== true) continue;
    const parts = path.split(".").slice(1); // below `spec`
    let node: Record<string, unknown> = spec;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (typeof next !== "object" || next === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts.at(-1) as string] = { ...sensitiveMarker };
  }
  return {
    kind: live.kind,
    key: live.key,
    id: live.id,
    spec,
    status: { phase: live.status, facts: { ...live.facts } },
    owner: owner === null ? null : { source: owner },
  };
}
