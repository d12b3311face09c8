/**
 * `omnia apply DIR`: plan, show the plan, ask (on a terminal, unless `--auto-approve`),
 * apply with a progress bar, print a summary. Exits non-zero when a step failed or was
 * skipped, or when the plan is refused.
 */
import confirm from "@inquirer/confirm";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import pc from "picocolors";
import type { ApplyProgress, ApplyResult } from "../../engine/apply/apply.js";
import { renderPlan } from "../../engine/plan/render.js";
import { reconcile } from "../../engine/reconcile/reconcile.js";
import { withEngine } from "../../runtime/runtime.js";
import {
  addConnectionOptions,
  addStateOptions,
  type ConnectionFlags,
  type StateFlags,
} from "../../runtime/settings.js";
import { CliError } from "../errors.js";

/** Refusal to apply unattended without `--auto-approve`. */
export const errNeedsApproval =
  "stdin is not a terminal: nobody can confirm; pass --auto-approve to apply anyway";

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
    .description("make the platform match the manifests in DIR")
    .argument("<dir>", "folder of manifests")
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
  const parallelism = Number(flags.parallelism ?? "8");
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new CliError(`--parallelism ${flags.parallelism}: allowed: a whole number of at least 1`, 2);
  }
  const interactive = Boolean(process.stdin.isTTY);
  const color = Boolean(process.stdout.isTTY);
  return withEngine(flags, async (engine) => {
    let bar: cliProgress.SingleBar | undefined;
    const result = await reconcile(
      {
        dir,
        mode: "apply",
        tenants: flags.tenant,
        source: engine.source,
        prune: flags.prune,
        allowMassDelete: flags.allowMassDelete,
        parallelism,
      },
      {
        client: engine.client,
        store: engine.recorder,
        logger: engine.logger,
        confirm: async (plan) => {
          process.stdout.write(renderPlan(plan, { color }));
          if (!flags.autoApprove) {
            if (!interactive) throw new CliError(errNeedsApproval);
            const ok = await confirm(
              { message: "Apply these changes?", default: false },
              { output: process.stderr },
            );
            if (!ok) return false;
          }
          if (process.stderr.isTTY) {
            bar = new cliProgress.SingleBar(
              { format: "applying [{bar}] {value}/{total} {key}", stream: process.stderr, hideCursor: true },
              cliProgress.Presets.shades_classic,
            );
            bar.start(plan.changes.filter((c) => c.action !== "noop").length, 0, { key: "" });
          }
          return true;
        },
        onProgress: (p: ApplyProgress) => bar?.update(p.done, { key: p.step.key }),
      },
    ).finally(() => bar?.stop());
    if (result.cancelled) {
      process.stdout.write("Apply cancelled; nothing changed.\n");
      return 1;
    }
    if (!result.applied) {
      // Nothing was applied: the plan is empty or refused; show it as plan would.
      process.stdout.write(renderPlan(result.plan, { color }));
      return result.plan.refusals.length > 0 ? 1 : 0;
    }
    process.stdout.write(applySummary(result.applied, color));
    return result.applied.failed + result.applied.skipped > 0 ? 1 : 0;
  });
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
