/**
 * `omnia drift [DIR]`: what differs between the manifests and the live platform, without
 * changing anything. Exit 0: no drift; 2: drift; 1: error.
 */
import type { Command } from "commander";
import { driftOf, renderDrift } from "../../engine/plan/drift-report.js";
import { reconcile } from "../../engine/reconcile/reconcile.js";
import { withEngine } from "../../runtime/runtime.js";
import {
  addConnectionOptions,
  addStateOptions,
  type ConnectionFlags,
  type StateFlags,
} from "../../runtime/settings.js";

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
  return withEngine(flags, async (engine) => {
    const { plan } = await reconcile(
      { dir, mode: "drift", tenants: flags.tenant, source: engine.source },
      { client: engine.client, store: engine.recorder, logger: engine.logger },
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
