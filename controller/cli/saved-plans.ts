/**
 * Saved plan files for `omnia plan --out` and `omnia apply FILE`: a planned run written
 * as JSON (controller/engine/plan/saved-plan.ts), and read back with the folder source it
 * names.
 */
import { readFile, stat } from "node:fs/promises";
import {
  basisOf,
  isSavedPlanText,
  parseSavedPlan,
  type SavedPlanState,
  serializeSavedPlan,
} from "../engine/plan/saved-plan.js";
import { type PlanToApply, savedToApply } from "../engine/reconcile/apply-plan.js";
import type { PlannedRun } from "../engine/reconcile/plan-tenants.js";
import type { LoadOptions } from "../load/index.js";
import { FolderSource } from "../sources/folder.js";

/** Largest saved plan read (bytes): a 100k-extension plan is about 100 MB. */
export const maxSavedPlanBytes = 512 * 1024 * 1024;

/** The state store and secret key of a session, as a saved plan records them. */
export function stateOf(session: {
  store: { describe(): { driver: string; location: string } };
  secretKeyId: string;
}): SavedPlanState {
  const { driver, location } = session.store.describe();
  return { store: `${driver} ${location}`, secretKeyId: session.secretKeyId };
}

/** The text of the saved plan of `planned`, made with the state store and key `state`. */
export function savedPlanOf(planned: PlannedRun, state: SavedPlanState): string {
  return serializeSavedPlan({
    format: "omnia-plan/v1",
    createdAt: new Date().toISOString(),
    runId: planned.runId,
    source: { name: planned.source.name, location: planned.source.location },
    state,
    tenants: planned.tenants,
    settings: planned.settings,
    basis: basisOf(planned.plan, planned.revision, planned.live, planned.inventory, planned.source.name),
    plan: planned.plan,
  });
}

/**
 * Reads `path` as a saved plan (its source loaded with `load`, the operator's secret access), or resolves undefined when it is a folder or a manifest
 * file (so `omnia apply` takes both). Throws `EngineError(errBadPlanFile)` for a file
 * that claims to be a plan but is not one this version reads.
 */
export async function readSavedPlan(
  path: string,
  load: LoadOptions = {},
): Promise<{ toApply: PlanToApply; state?: SavedPlanState } | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile() || info.size > maxSavedPlanBytes || /\.ya?ml$/i.test(path)) return undefined;
  const text = await readFile(path, "utf8");
  if (!isSavedPlanText(text)) return undefined;
  const saved = parseSavedPlan(text, path);
  const source = new FolderSource(saved.source.location, { name: saved.source.name, load });
  return { toApply: savedToApply(saved, source), state: saved.state };
}
