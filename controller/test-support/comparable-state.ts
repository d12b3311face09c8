/**
 * A desired state as plain data to compare two loads of the same resources written in
 * different forms (YAML, a synthesized cdk.tf.json): places left out, secrets as their values.
 */
import { allResources } from "../load/index.js";
import type { AnyDesiredResource, DesiredState } from "../model/desired-state.js";

/** Every resource of `state` by key: `source` dropped, each `Secret` as its revealed value. */
export function comparable(state: DesiredState): Record<string, unknown> {
  const plain = (r: AnyDesiredResource) =>
    JSON.parse(
      JSON.stringify({ ...r, source: undefined }, (_k, v: unknown) =>
        v && typeof v === "object" && "reveal" in v ? (v as { reveal(): string }).reveal() : v,
      ),
    ) as unknown;
  return Object.fromEntries(allResources(state).map((r) => [r.key, plain(r)]));
}
