/**
 * `omnia drift [DIR]`: what differs between the manifests and the live platform, without
 * changing anything. Exit 0: no drift; 2: drift; 1: error.
 */
import type { Command } from "commander";
import { driftOf, renderDrift } from "../../engine/plan/drift-report.js";
import { planTenants } from "../../engine/reconcile/plan-tenants.js";
import type { ConnectionFlags, StateFlags } from "../../runtime/settings.js";
import { FolderSource } from "../../sources/folder.js";
import { addConnectionOptions, addStateOptions } from "../options.js";
import { resultOf, withSession } from "../session.js";

/** Flags of `omnia drift`. */
export interface DriftFlags extends ConnectionFlags, StateFlags {
  tenant?: string[];
  json?: boolean;
}

/** Adds `drift` to the program. */
export function register(program: Command): void {
  const cmd = program
    .command("drift")
    .description("show what differs between the manifests and the live platform; changes nothing")
    .argument("[dir]", "folder of manifests", ".")
    .option("--tenant <code...>", "only these tenants (customer codes)")
    .option("--json", "print the differences as JSON");
  addConnectionOptions(cmd);
  addStateOptions(cmd);
  cmd.action(async (dir: string, flags: DriftFlags) => {
    process.exitCode = await driftCommand(dir, flags);
  });
}

/** Runs `omnia drift`; returns the exit code. */
export async function driftCommand(dir: string, flags: DriftFlags): Promise<number> {
  return withSession(flags, async (session) => {
    const source = new FolderSource(dir, { name: session.sourceName, load: session.load });
    const { plan } = resultOf(
      await planTenants({ source, tenants: flags.tenant, mode: "drift" }, session.deps),
    );
    const items = driftOf(plan);
    process.stdout.write(
      flags.json
        ? `${JSON.stringify({ drift: items, warnings: plan.warnings }, null, 2)}\n`
        : renderDrift(items, Boolean(process.stdout.isTTY)),
    );
    return items.length > 0 ? 2 : 0;
  });
}
