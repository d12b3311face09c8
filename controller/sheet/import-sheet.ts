/**
 * `omnia import-sheet` without the command line: read a spreadsheet of extensions, check
 * every row, and write one manifest file of Extension documents, or nothing at all.
 */
import { link, mkdir, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderManifestFile, schemaRefFrom } from "../export/yaml.js";
import { extensionsFromSheet, pinEnvName } from "./extensions-from-sheet.js";
import { readSheet } from "./read-sheet.js";

/** A sheet with bad rows (or bad options): every problem, one per line, FILE:ROW:COLUMN first. */
export class SheetImportError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "SheetImportError";
  }
}

export const errBadTenant =
  "is not a customer code; allowed: letters, digits, '_' and '-', at most 32, starting with a letter or digit";
export const errBadPbx =
  "is not a PBX name; allowed: lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit";
export const errNoRows = "has no data rows under its header";
/** The output file exists and `force` was not given. */
export const errOutputExists = "already exists; nothing written: pass --force to overwrite it";

/** The manifest file `importSheet` would write exists already (a re-run, or a hand-edited file). */
export class SheetOutputExistsError extends Error {
  constructor(readonly file: string) {
    super(`${file} ${errOutputExists}`);
    this.name = "SheetOutputExistsError";
  }
}

const customerCodePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const namePattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** What `importSheet` needs. */
export interface ImportSheetOptions {
  tenant: string;
  pbx: string;
  /** Folder to write into (created if missing). */
  out: string;
  /** Overwrite an existing `<pbx>-extensions.yaml` (default false: refuse it). */
  force?: boolean;
}

/** What was written. */
export interface ImportSheetResult {
  file: string;
  extensions: number;
  /** Environment variables the user must set (one PIN each). */
  pinVariables: string[];
  ignoredColumns: string[];
  /** `FILE:ROW:COL (header): ...` for cells read differently from the number they hold. */
  warnings: string[];
}

/**
 * Reads `sheetFile` and writes `<out>/<pbx>-extensions.yaml`; throws `SheetImportError` on
 * any bad row, and `SheetOutputExistsError` when that file exists and `force` is not set
 * (a second import must not silently drop what the first wrote or someone edited).
 */
export async function importSheet(
  sheetFile: string,
  options: ImportSheetOptions,
): Promise<ImportSheetResult> {
  const optionProblems: string[] = [];
  if (!customerCodePattern.test(options.tenant))
    optionProblems.push(`--tenant "${options.tenant}" ${errBadTenant}`);
  if (!namePattern.test(options.pbx)) optionProblems.push(`--pbx "${options.pbx}" ${errBadPbx}`);
  if (optionProblems.length > 0) throw new SheetImportError(optionProblems);

  const table = await readSheet(sheetFile);
  const { docs, problems, ignoredColumns, warnings } = extensionsFromSheet(table, options);
  if (problems.length > 0) throw new SheetImportError(problems);
  if (docs.length === 0) throw new SheetImportError([`${sheetFile} ${errNoRows}`]);

  const header = [
    `Extensions of PBX ${options.pbx} (tenant ${options.tenant}), imported from ${sheetFile}.`,
    "Each PIN is read from the environment variable OMNIA_SECRET_PIN_<TENANT>_<PBX>_<NUMBER>; set them before omnia apply.",
  ];
  const content = renderManifestFile(docs, schemaRefFrom(options.out), header);
  await mkdir(options.out, { recursive: true });
  const file = join(options.out, `${options.pbx}-extensions.yaml`);
  // Write then rename (or link, which never replaces): a reader never sees half a file,
  // and without `force` a file made meanwhile is not overwritten either.
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content, "utf8");
  if (options.force) await rename(tmp, file);
  else {
    try {
      await link(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") throw new SheetOutputExistsError(file);
      throw err;
    } finally {
      await unlink(tmp);
    }
  }
  return {
    file,
    extensions: docs.length,
    pinVariables: docs.map((d) => pinEnvName(options.tenant, options.pbx, d.spec.number)),
    ignoredColumns,
    warnings,
  };
}
