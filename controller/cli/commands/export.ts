/**
 * `omnia export --tenant CODE [--out DIR]`: write a live customer as manifests (one folder
 * per tenant, one file per kind) and adopt its objects, so that `omnia plan` of the
 * folder shows no change. Secrets are `fromEnv` references listed in
 * `<CODE>/secrets.env.example`: extension PINs OMNIA_SECRET_PIN_<TENANT>_<PBX>_<NUMBER>, trunk
 * passwords OMNIA_SECRET_TRUNK_PASSWORD_<TENANT>_<TRUNK>.
 */
import type { Command } from "commander";
import { exportTenant } from "../../engine/reconcile/export-tenant.js";
import type { ConnectionFlags, StateFlags } from "../../runtime/settings.js";
import { addConnectionOptions, addStateOptions } from "../options.js";
import { withSession } from "../session.js";

/** Flags of `omnia export`. */
export interface ExportFlags extends ConnectionFlags, StateFlags {
  tenant: string;
  out: string;
  adopt: boolean;
  force?: boolean;
}

/** Adds `export` to the program. */
export function register(program: Command): void {
  const cmd = program
    .command("export")
    .description("write a live tenant as manifests and adopt its objects (a customer made before omnia)")
    .requiredOption(
      "--tenant <code-or-name>",
      "customer code of the tenant, or its name (as in its manifest or on the platform)",
    )
    .option("--out <dir>", "folder to write <CODE>/ into", ".")
    .option("--no-adopt", "only write the manifests; record nothing in the inventory")
    .option("--force", "overwrite the files of an existing tenant folder")
    .addHelpText(
      "after",
      "\nThe platform never returns secrets: extension PINs are written as fromEnv OMNIA_SECRET_PIN_<TENANT>_<PBX>_<NUMBER>,\ntrunk passwords as fromEnv OMNIA_SECRET_TRUNK_PASSWORD_<TENANT>_<TRUNK> (listed in <CODE>/secrets.env.example).\nThe first apply takes the values you set as the ones on the platform; change them later to set new ones.",
    );
  addConnectionOptions(cmd);
  addStateOptions(cmd);
  cmd.action(async (flags: ExportFlags) => {
    process.exitCode = await exportCommand(flags);
  });
}

/** Runs `omnia export`; returns the exit code. */
export async function exportCommand(flags: ExportFlags): Promise<number> {
  return withSession(flags, async (session) => {
    const r = await exportTenant(session.client, flags.adopt ? session.store : undefined, {
      tenant: flags.tenant,
      out: flags.out,
      source: session.sourceName,
      adopt: flags.adopt,
      force: flags.force,
    });
    const lines = [`Wrote ${r.files.length} files of ${r.tenant}:`, ...r.files.map((f) => `  ${f}`)];
    if (flags.adopt) lines.push(`Adopted ${r.adopted} objects into the inventory.`);
    for (const w of r.warnings) lines.push(`! ${w}`);
    if (r.secretVariables.length > 0) {
      lines.push(
        `The manifests read ${r.secretVariables.length} secrets from environment variables (the platform never returns them);`,
        "set them before omnia apply: see secrets.env.example in the tenant folder.",
      );
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  });
}
