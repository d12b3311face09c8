/** The four verbs each kind's adapter offers apply (style.md §3), and what apply gives them. */
import type { DesiredResource, KindName } from "../../model/desired-state.js";
import type { AnyLiveResource } from "../../model/live-state.js";
import type { FieldDiff } from "../../model/plan.js";

/** What apply gives an adapter: the client and the ids known so far. */
export interface ApplyContext {
  /** Resolves natural keys to platform ids, including ids created earlier in this run. */
  idOf(key: string): string | undefined;
  /** Platform request id of the last call, for the step record. */
  lastRequestId?: string;
}

/** The four verbs for one kind (style.md §3). Each is idempotent. */
export interface KindAdapter<K extends KindName, D, L extends AnyLiveResource> {
  kind: K;
  /** Creates the object; on "already exists" finds it by natural key and returns it. */
  create(ctx: ApplyContext, desired: DesiredResource<K, D>): Promise<{ id: string; adopted: boolean }>;
  /** Makes the live object equal to desired for the given diffs. */
  update(ctx: ApplyContext, desired: DesiredResource<K, D>, live: L, diffs: FieldDiff[]): Promise<void>;
  /** Deletes the object; a missing one counts as deleted. */
  delete(ctx: ApplyContext, live: L): Promise<void>;
  /** Finds the live object by natural key (adoption after a crash). */
  find(ctx: ApplyContext, desired: DesiredResource<K, D>): Promise<L | undefined>;
}

/** One adapter per kind, as apply calls them. */
export type AdapterSet = { [K in KindName]: KindAdapter<K, unknown, AnyLiveResource> };
