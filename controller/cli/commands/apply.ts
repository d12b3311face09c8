/**
 * `omnia apply DIR`: plan, show the plan, ask (on a terminal, unless `--auto-approve`),
 * apply with a progress bar, print a summary. `omnia apply FILE` applies a plan saved by
 * `omnia plan --out FILE` exactly, without asking (the plan was reviewed), or refuses it
 * when what it was computed from has changed. Exits non-zero when a step failed or was
 * skipped, or when the plan is refused or stale.
 */
import confirm from "@inquirer/confirm";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import pc from "picocolors";
import type { ApplyProgress, ApplyResult } from "../../engine/apply/apply.js";
import { isEmptyPlan } from "../../engine/plan/plan.js";
import { renderPlan } from "../../engine/plan/render.js";
import { otherStateOf } from "../../engine/plan/saved-plan.js";
import { applyPlan, type PlanToApply, planToApply } from "../../engine/reconcile/apply-plan.js";
import type { ExecutedPlan } from "../../engine/reconcile/execute.js";
import type { Outcome } from "../../engine/reconcile/outcome.js";
import { planTenants } from "../../engine/reconcile/plan-tenants.js";
import {
  type ConnectionFlags,
  type SecretAccess,
  type StateFlags,
  secretAccessFrom,
} from "../../runtime/settings.js";
import { FolderSource } from "../../sources/folder.js";
import { CliError } from "../errors.js";
import { addConnectionOptions, addStateOptions } from "../options.js";
import { readSavedPlan, stateOf } from "../saved-plans.js";
import { resultOf, type Session, toCliError, withSession } from "../session.js";

/** Refusal to apply unattended without `--auto-approve`. */
export const errNeedsApproval =
  "stdin is not a terminal: nobody can confirm; pass --auto-approve to apply anyway";

/** Largest `--parallelism`: more calls in flight than this only queue in the client's limiter. */
export const maxParallelism = 64;

/** Flags of `omnia apply`. */
export interface ApplyFlags extends ConnectionFlags, StateFlags {
  tenant?: string[];
  autoApprove?: boolean;
  prune?: boolean;
  allowMassDelete?: boolean;
  parallelism?: string;
}

/** Adds `apply` to the program. */
export function register(program: Command): void {
  const cmd = program
    .command("apply")
    .description("make the platform match the manifests in DIR, or apply a plan saved by `omnia plan --out`")
    .argument("<dir-or-plan>", "folder of manifests, or a saved plan file")
    .option("--tenant <code...>", "only these tenants (customer codes)")
    .option("--auto-approve", "apply without asking")
    .option("--prune", "delete managed objects removed from the manifests")
    .option("--allow-mass-delete", "lift the guard against deleting more than 20% of a tenant")
    .option("--parallelism <n>", "platform calls in flight at most", "8");
  addConnectionOptions(cmd);
  addStateOptions(cmd);
  cmd.action(async (dir: string, flags: ApplyFlags) => {
    process.exitCode = await applyCommand(dir, flags);
  });
}

/** Runs `omnia apply`; returns the exit code. */
export async function applyCommand(dir: string, flags: ApplyFlags): Promise<number> {
  const text = flags.parallelism ?? "8";
  const parallelism = /^[0-9]{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(parallelism >= 1 && parallelism <= maxParallelism)) {
    throw new CliError(`--parallelism ${text}: allowed: a whole number from 1 to ${maxParallelism}`, 2);
  }
  let load: SecretAccess;
  try {
    load = secretAccessFrom(flags, process.env);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  const saved = await readSavedPlan(dir, load).catch((err: unknown) => {
    throw toCliError(err);
  });
  const color = Boolean(process.stdout.isTTY);
  return withSession(flags, async (session) => {
    const deps = { ...session.deps, options: { parallelism } };
    if (saved) {
      const other = otherStateOf(saved.state, stateOf(session));
      if (other) throw new CliError(other);
      return execute(saved.toApply, session, deps, color);
    }
    const source = new FolderSource(dir, { name: session.sourceName, load: session.load });
    const planned = resultOf(
      await planTenants(
        { source, tenants: flags.tenant, prune: flags.prune, allowMassDelete: flags.allowMassDelete },
        deps,
      ),
    );
    process.stdout.write(renderPlan(planned.plan, { color }));
    if (planned.plan.refusals.length > 0) return 1;
    if (isEmptyPlan(planned.plan)) return 0;
    if (!flags.autoApprove) {
      if (!process.stdin.isTTY) throw new CliError(errNeedsApproval);
      const ok = await confirm(
        { message: "Apply these changes?", default: false },
        { output: process.stderr },
      );
      if (!ok) {
        process.stdout.write("Apply cancelled; nothing changed.\n");
        return 1;
      }
    }
    return execute(planToApply(planned), session, deps, color);
  });
}

/** Applies with a progress bar on a terminal, prints the summary; returns the exit code. */
async function execute(
  p: PlanToApply,
  session: Session,
  deps: Session["deps"],
  color: boolean,
): Promise<number> {
  let bar: cliProgress.SingleBar | undefined;
  if (process.stderr.isTTY) {
    bar = new cliProgress.SingleBar(
      { format: "applying [{bar}] {value}/{total} {key}", stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(p.plan.changes.filter((c) => c.action !== "noop").length, 0, { key: "" });
  }
  let outcome: Outcome<ExecutedPlan>;
  try {
    outcome = await applyPlan(p, {
      ...deps,
      onProgress: (progress: ApplyProgress) => bar?.update(progress.done, { key: progress.step.key }),
    });
  } finally {
    bar?.stop();
  }
  // Steps that failed are in the result: show them; anything else failed the whole apply.
  if (!outcome.result) resultOf(outcome);
  const applied = (outcome.result as ExecutedPlan).applied;
  session.logger.info({ status: outcome.status }, "apply finished");
  process.stdout.write(applySummary(applied, color));
  return applied.failed + applied.skipped > 0 ? 1 : 0;
}

/** The lines printed after an apply: counts, then each failed or skipped step and why. */
export function applySummary(r: ApplyResult, color: boolean): string {
  const c = pc.createColors(color);
  const lines = [""];
  for (const s of r.steps) {
    if (s.outcome === "ok") continue;
    const mark = s.outcome === "skipped" ? c.yellow("↷") : c.red("✗");
    lines.push(
      `${mark} ${s.action} ${s.key}: ${s.outcome}${s.error ? ` — ${s.error}` : ""}${s.requestId ? ` (request ${s.requestId})` : ""}`,
    );
  }
  const head = r.failed + r.skipped > 0 ? c.red("Apply finished with errors:") : c.green("Apply complete:");
  lines.push(`${head} ${r.ok} done, ${r.failed} failed, ${r.skipped} skipped (run ${r.runId}).`, "");
  return lines.join("\n");
}
