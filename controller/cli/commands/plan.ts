/**
 * `omnia plan DIR`: what apply would change, as text (or `--json`), writing nothing to the
 * platform. `--detailed-exitcode`: 0 no changes, 2 changes, 1 error (and refused plans).
 */
import type { Command } from "commander";
import { isEmptyPlan } from "../../engine/plan/plan.js";
import { planToJson, renderPlan } from "../../engine/plan/render.js";
import { reconcile } from "../../engine/reconcile/reconcile.js";
import { withEngine } from "../../runtime/runtime.js";
import {
  addConnectionOptions,
  addStateOptions,
  type ConnectionFlags,
  type StateFlags,
} from "../../runtime/settings.js";

/** Flags of `omnia plan`. */
export interface PlanFlags extends ConnectionFlags, StateFlags {
  tenant?: string[];
  json?: boolean;
  detailedExitcode?: boolean;
  prune?: boolean;
  allowMassDelete?: boolean;
}

/** Adds `plan` to the program. */
export function register(program: Command): void {
  const cmd = program
    .command("plan")
    .description("show what apply would change on the platform to match the manifests in DIR")
    .argument("<dir>", "folder of manifests")
    .option("--tenant <code...>", "only these tenants (customer codes)")
    .option("--json", "print the plan as JSON")
    .option("--detailed-exitcode", "exit 0 when there are no changes, 2 when there are, 1 on error")
    .option("--prune", "plan deletes of managed objects removed from the manifests")
    .option("--allow-mass-delete", "lift the guard against deleting more than 20% of a tenant");
  addConnectionOptions(cmd);
  addStateOptions(cmd);
  cmd.action(async (dir: string, flags: PlanFlags) => {
    process.exitCode = await planCommand(dir, flags);
  });
}

/** Runs `omnia plan`; returns the exit code. */
export async function planCommand(dir: string, flags: PlanFlags): Promise<number> {
  return withEngine(flags, async (engine) => {
    const { plan } = await reconcile(
      {
        dir,
        mode: "plan",
        tenants: flags.tenant,
        source: engine.source,
        prune: flags.prune,
        allowMassDelete: flags.allowMassDelete,
      },
      { client: engine.client, store: engine.recorder, logger: engine.logger },
    );
    process.stdout.write(
      flags.json
        ? `${JSON.stringify(planToJson(plan), null, 2)}\n`
        : renderPlan(plan, { color: Boolean(process.stdout.isTTY) }),
    );
    if (plan.refusals.length > 0) return 1;
    if (flags.detailedExitcode && !isEmptyPlan(plan)) return 2;
    return 0;
  });
}
