/**
 * `omnia drift [DIR]`: what differs between the manifests and the live platform, without
 * changing anything. Exit 0: no drift; 2: drift; 1: error.
 */
import type { Command } from "commander";
import { describeAttribution } from "../../engine/observe/attribution.js";
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
  /** Look up who made each drift in the platform's audit logs. */
  who?: boolean;
}

/** Adds `drift` to the program. */
export function register(program: Command): void {
  const cmd = program
    .command("drift")
    .description("show what differs between the manifests and the live platform; changes nothing")
    .argument("[dir]", "folder of manifests", ".")
    .option("--tenant <code...>", "only these tenants (customer codes)")
    .option("--json", "print the differences as JSON")
    .option("--who", "look up who changed each drifted object in the platform's audit logs");
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
    // This user's own changes are applies, not hand edits (same settings order as the session's).
    const self = `${flags.username ?? process.env.OMNIA_USERNAME}@${flags.domain ?? process.env.OMNIA_DOMAIN}`;
    const deps = flags.who
      ? { ...session.deps, attribution: { logs: session.client.logs, ignoreActors: [self] } }
      : session.deps;
    const { plan, changedBy } = resultOf(
      await planTenants({ source, tenants: flags.tenant, mode: "drift" }, deps),
    );
    const items = driftOf(plan);
    const who = (key: string) => changedBy?.get(key) ?? null;
    process.stdout.write(
      flags.json
        ? `${JSON.stringify({ drift: flags.who ? items.map((i) => ({ ...i, changedBy: who(i.key) })) : items, warnings: plan.warnings }, null, 2)}\n`
        : renderDrift(items, Boolean(process.stdout.isTTY)) +
            items
              .flatMap((i) => {
                const a = who(i.key);
                return a ? [`${i.key}: ${describeAttribution(a)}\n`] : [];
              })
              .join(""),
    );
    return items.length > 0 ? 2 : 0;
  });
}
