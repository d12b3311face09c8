/**
 * `omnia validate DIR [--json]`: loads a manifest repository and reports every problem
 * as `file:line:col: Kind/name: message` (exit 1), or a one-line summary (exit 0).
 */
import { relative, resolve } from "node:path";
import type { Command } from "commander";
import { formatProblem, type LoadResult, loadDirectory, type Problem } from "../../load/index.js";
import { type SecretAccess, secretAccessFrom } from "../../runtime/settings.js";
import { CliError } from "../errors.js";

/** Paths as the user sees them: relative to the working directory. */
const fromCwd = (file: string): string => relative(process.cwd(), resolve(file)) || ".";

/** "3 tenants, 14 users, ..." for the summary line. */
export function summarize(result: LoadResult): string {
  const s = result.state;
  const counts: Array<[number, string]> = [
    [s.tenants.length, "tenant"],
    [s.users.length, "user"],
    [s.trunks.length, "SIP trunk"],
    [s.pbxs.length, "PBX"],
    [s.numbers.length, "number block"],
    [s.extensions.length, "extension"],
  ];
  const parts = counts.map(([n, what]) => `${n} ${what}${n === 1 ? "" : what.endsWith("x") ? "es" : "s"}`);
  return `${parts.join(", ")} (${result.documents} documents in ${result.files} files)`;
}

/** A problem as one JSON object of `--json` output. */
function toJson(p: Problem): Problem {
  return { ...p, file: fromCwd(p.file) };
}

/** Adds `validate` to the program. */
export function register(program: Command): void {
  program
    .command("validate")
    .description("check a repository of manifests: schemas, references, duplicates, number blocks, secrets")
    .argument(
      "<dir>",
      "folder of *.yaml / *.yml manifests and synthesized cdk.tf.json stacks (searched recursively), or one file",
    )
    .option("--json", "print the problems as a JSON array")
    .option(
      "--secrets-root <dir>",
      "folder beside the repository where fromFile secrets may also be (default: $OMNIA_SECRETS_ROOT)",
    )
    .action(async (dir: string, opts: { json?: boolean; secretsRoot?: string }) => {
      let access: SecretAccess;
      try {
        access = secretAccessFrom(opts, process.env);
      } catch (err) {
        throw new CliError((err as Error).message, 2);
      }
      // Relative from the start, so that places named inside messages read like the prefixes.
      const result = await loadDirectory(fromCwd(dir), access);
      const { problems } = result;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(problems.map(toJson), null, 2)}\n`);
      } else if (problems.length === 0) {
        process.stdout.write(`valid: ${summarize(result)}\n`);
      } else {
        for (const p of problems) process.stdout.write(`${formatProblem(p, fromCwd)}\n`);
      }
      if (problems.length > 0) {
        throw new CliError(
          `${problems.length} problem${problems.length === 1 ? "" : "s"} in ${fromCwd(dir)}`,
        );
      }
    });
}
