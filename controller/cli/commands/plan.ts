/**
 * `omnia plan DIR`: what apply would change, as text (or `--json`), writing nothing to the
 * platform. `--out FILE` saves the plan for `omnia apply FILE` (as Terraform's
 * `plan -out`). `--detailed-exitcode`: 0 no changes, 2 changes, 1 error (and refused plans).
 */
import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { isEmptyPlan } from "../../engine/plan/plan.js";
import { planToJson, renderPlan } from "../../engine/plan/render.js";
import { planTenants } from "../../engine/reconcile/plan-tenants.js";
import type { ConnectionFlags, StateFlags } from "../../runtime/settings.js";
import { FolderSource } from "../../sources/folder.js";
import { CliError } from "../errors.js";
import { addConnectionOptions, addStateOptions } from "../options.js";
import { savedPlanOf, stateOf } from "../saved-plans.js";
import { resultOf, withSession } from "../session.js";

/** Flags of `omnia plan`. */
export interface PlanFlags extends ConnectionFlags, StateFlags {
  tenant?: string[];
  json?: boolean;
  detailedExitcode?: boolean;
  prune?: boolean;
  allowMassDelete?: boolean;
  out?: string;
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
    .option("--allow-mass-delete", "lift the guard against deleting more than 20% of a tenant")
    .option("--out <file>", "save the plan to FILE, for `omnia apply FILE` (no secrets are written)");
  addConnectionOptions(cmd);
  addStateOptions(cmd);
  cmd.action(async (dir: string, flags: PlanFlags) => {
    process.exitCode = await planCommand(dir, flags);
  });
}

/** Runs `omnia plan`; returns the exit code. */
export async function planCommand(dir: string, flags: PlanFlags): Promise<number> {
  return withSession(flags, async (session) => {
    const source = new FolderSource(dir, { name: session.sourceName, load: session.load });
    const planned = resultOf(
      await planTenants(
        { source, tenants: flags.tenant, prune: flags.prune, allowMassDelete: flags.allowMassDelete },
        session.deps,
      ),
    );
    const { plan } = planned;
    process.stdout.write(
      flags.json
        ? `${JSON.stringify(planToJson(plan), null, 2)}\n`
        : renderPlan(plan, { color: Boolean(process.stdout.isTTY) }),
    );
    if (flags.out) {
      await writeFile(flags.out, savedPlanOf(planned, stateOf(session)), { mode: 0o600 }).catch(
        (err: Error) => {
          throw new CliError(`--out ${flags.out}: cannot write the plan: ${err.message}`);
        },
      );
      if (!flags.json)
        process.stdout.write(`\nSaved the plan to ${flags.out}; apply it with: omnia apply ${flags.out}\n`);
    }
    if (plan.refusals.length > 0) return 1;
    if (flags.detailedExitcode && !isEmptyPlan(plan)) return 2;
    return 0;
  });
}
