/**
 * `omnia import-sheet FILE --tenant CODE --pbx NAME [--out DIR]`: extensions from a CSV or
 * XLSX spreadsheet (the platform's bulk-import layout) into Extension manifests.
 */
import type { Command } from "commander";
import { importSheet, SheetImportError, SheetOutputExistsError } from "../../sheet/import-sheet.js";
import { SheetReadError } from "../../sheet/read-sheet.js";
import { CliError } from "../errors.js";

/** Adds `import-sheet` to the program. */
export function register(program: Command): void {
  program
    .command("import-sheet")
    .description(
      "write Extension manifests from a spreadsheet of extensions (.csv or .xlsx; columns number, first name, last name, email, license, Italian or English headers)",
    )
    .argument(
      "<file>",
      "spreadsheet: .csv, .tsv or .txt (UTF-8, UTF-16 or Windows-1252; ',', ';' or tab separated, as the header line) or .xlsx (first worksheet, cells as Excel shows them)",
    )
    .requiredOption("--tenant <code>", "customer code of the tenant")
    .requiredOption("--pbx <name>", "name of the PBX the extensions belong to")
    .option("--out <dir>", "folder to write <pbx>-extensions.yaml into", ".")
    .option("--force", "overwrite <pbx>-extensions.yaml if it exists (default: refuse)")
    .addHelpText(
      "after",
      "\nPINs are never read from the sheet: each extension's PIN comes from the environment\nvariable OMNIA_SECRET_PIN_<TENANT>_<PBX>_<NUMBER> (upper-case, '-' as '_'), e.g. OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_201.",
    )
    .action(async (file: string, opts: { tenant: string; pbx: string; out: string; force?: boolean }) => {
      try {
        const result = await importSheet(file, opts);
        process.stdout.write(`wrote ${result.extensions} extensions to ${result.file}\n`);
        for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
        if (result.ignoredColumns.length > 0) {
          process.stdout.write(`ignored columns: ${result.ignoredColumns.join(", ")}\n`);
        }
        process.stdout.write(
          `set one PIN per extension before apply: ${result.pinVariables[0]}${result.pinVariables.length > 1 ? ` … ${result.pinVariables.at(-1)}` : ""}\n`,
        );
      } catch (err) {
        if (err instanceof SheetOutputExistsError) throw new CliError(err.message);
        if (err instanceof SheetImportError) {
          throw new CliError(`${err.problems.length} problem(s), nothing written:\n${err.message}`);
        }
        if (err instanceof SheetReadError) {
          throw new CliError(
            err.problems.length > 1
              ? `${err.problems.length} problem(s), nothing written:\n${err.message}`
              : err.message,
          );
        }
        if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new CliError(`${file}: no such file`);
        throw err;
      }
    });
}
