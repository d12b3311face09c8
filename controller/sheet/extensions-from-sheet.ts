/**
 * Turns the rows of an extensions spreadsheet (the platform's bulk-import layout) into
 * Extension documents. Every bad cell is reported with FILE:ROW:COLUMN and what is allowed;
 * the caller writes nothing unless the list of problems is empty.
 *
 * PINs never come from the sheet: each extension's PIN is a `fromEnv` reference named
 * `OMNIA_SECRET_PIN_<TENANT>_<PBX>_<NUMBER>` (see `pinEnvName`), which the user sets before `omnia apply`.
 */
import { currentApiVersion } from "../model/registry.js";
import type { ExtensionDocument } from "../model/resources.gen.js";
import type { SheetTable } from "./read-sheet.js";
import { fieldOfHeader, headerAliases, missingFieldHint, type SheetField } from "./sheet-headers.js";

export type { SheetField } from "./sheet-headers.js";
export { headerAliases, normalizeHeader } from "./sheet-headers.js";

const requiredFields: SheetField[] = ["number", "license"];
const licenses = ["start", "plus"] as const;
const numberPattern = /^[0-9]{2,6}$/;
// The loader checks emails with ajv-formats; this is the same shape, enough to catch typos early.
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const maxNameLength = 100;
const maxEmailLength = 254;

export const errMissingColumn = "has no column for";
export const errDuplicateColumn = "is a second column for";
export const errBadNumber = "is not an extension number; allowed: 2 to 6 digits";
export const errDuplicateNumber = "repeats extension number";
export const errBadLicense = "is not a license; allowed: start, plus (any case)";
export const errBadEmail = "is not an email address";
export const errNameWithoutEmail = "a user needs an email: names are given but the email is empty";
export const errHalfName = "first name and last name go together: give both or neither";
export const errTooLong = "is too long; allowed: at most";

/** Options of `extensionsFromSheet`. */
export interface SheetImportOptions {
  /** Customer code of the tenant the extensions belong to. */
  tenant: string;
  /** Name of the PBX (metadata.pbx). */
  pbx: string;
}

/** Result: the documents when `problems` is empty. */
export interface SheetImport {
  docs: ExtensionDocument[];
  problems: string[];
  /** Header cells left out: a PIN column (never copied) and cells that matched no field. */
  ignoredColumns: string[];
  /** `FILE:ROW:COL (header): ...` for cells read differently from what they hold (XLSX). */
  warnings: string[];
}

/** The environment variable that holds an extension's PIN: `OMNIA_SECRET_PIN_<TENANT>_<PBX>_<NUMBER>`, upper-case, `-` as `_`. */
export function pinEnvName(tenant: string, pbx: string, number: string): string {
  return `OMNIA_SECRET_PIN_${tenant}_${pbx}_${number}`.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
}

/** metadata.name of an imported extension: `<pbx>-<number>`, within the 63-character limit. */
export function extensionDocName(pbx: string, number: string): string {
  const room = 63 - number.length - 1;
  return `${pbx.slice(0, room).replace(/-+$/, "")}-${number}`;
}

/** Checks every row of `table` and builds one Extension document per row. */
export function extensionsFromSheet(table: SheetTable, options: SheetImportOptions): SheetImport {
  const problems: string[] = [];
  const ignoredColumns: string[] = [];
  const unrecognised: string[] = [];
  const columnOf = new Map<SheetField, number>();
  table.header.forEach((cell, i) => {
    const field = fieldOfHeader(cell);
    const at = `${table.file}:${table.headerRow}:${i + 1}`;
    if (!field) {
      if (cell !== "") {
        ignoredColumns.push(cell);
        unrecognised.push(cell);
      }
    } else if (field === "pin") {
      // NO-OP: a PIN column is recognised so it is not blamed for a missing field; PINs come from the environment.
      ignoredColumns.push(cell);
    } else if (columnOf.has(field)) {
      problems.push(`${at}: header "${cell}" ${errDuplicateColumn} ${field}`);
    } else {
      columnOf.set(field, i);
    }
  });
  for (const field of requiredFields) {
    if (!columnOf.has(field)) {
      const hint = missingFieldHint(field, unrecognised);
      problems.push(
        `${table.file}:${table.headerRow}: header ${errMissingColumn} ${field}; ${hint ? `${hint} ` : ""}allowed names: ${headerAliases[field].join(", ")}`,
      );
    }
  }
  const warnings = cellWarnings(table, columnOf);
  if (problems.length > 0) return { docs: [], problems, ignoredColumns, warnings };

  const docs: ExtensionDocument[] = [];
  const firstRowOf = new Map<string, number>();
  let namesWithoutEmail = false;
  for (const { row, cells } of table.rows) {
    const cell = (field: SheetField): string => {
      const col = columnOf.get(field);
      return col === undefined ? "" : (cells[col] ?? "");
    };
    const at = (field: SheetField): string =>
      `${table.file}:${row}:${(columnOf.get(field) ?? 0) + 1} (${table.header[columnOf.get(field) ?? 0]})`;
    const before = problems.length;

    const number = cell("number");
    if (!numberPattern.test(number)) problems.push(`${at("number")}: "${number}" ${errBadNumber}`);
    else if (firstRowOf.has(number)) {
      problems.push(`${at("number")}: ${errDuplicateNumber} ${number} of row ${firstRowOf.get(number)}`);
    } else firstRowOf.set(number, row);

    const license = cell("license").toLowerCase();
    if (!(licenses as readonly string[]).includes(license)) {
      problems.push(`${at("license")}: "${cell("license")}" ${errBadLicense}`);
    }

    const email = cell("email");
    const firstName = cell("firstName");
    const lastName = cell("lastName");
    if (email !== "" && (!emailPattern.test(email) || email.length > maxEmailLength)) {
      problems.push(`${at("email")}: "${email}" ${errBadEmail}`);
    }
    if (email === "" && (firstName !== "" || lastName !== "")) {
      namesWithoutEmail = true;
      problems.push(
        `${at(columnOf.has("email") ? "email" : firstName !== "" ? "firstName" : "lastName")}: ${errNameWithoutEmail}`,
      );
    } else if ((firstName === "") !== (lastName === "")) {
      problems.push(`${at(firstName === "" ? "firstName" : "lastName")}: ${errHalfName}`);
    }
    for (const field of ["firstName", "lastName"] as const) {
      if (cell(field).length > maxNameLength) {
        problems.push(`${at(field)}: ${field} ${errTooLong} ${maxNameLength} characters`);
      }
    }
    if (problems.length > before) continue;

    docs.push(
      extensionDoc(
        options,
        number,
        license as ExtensionDocument["spec"]["license"],
        email,
        firstName,
        lastName,
      ),
    );
  }
  const emailHint = columnOf.has("email") ? undefined : missingFieldHint("email", unrecognised);
  if (namesWithoutEmail && emailHint) {
    problems.unshift(`${table.file}:${table.headerRow}: header ${errMissingColumn} email; ${emailHint}`);
  }
  return { docs, problems, ignoredColumns, warnings };
}

/** The reader's cell warnings for mapped columns only: a PIN or unknown column may hold a secret. */
function cellWarnings(table: SheetTable, columnOf: Map<SheetField, number>): string[] {
  const mapped = new Set(columnOf.values());
  return (table.warnings ?? [])
    .filter((w) => mapped.has(w.col - 1))
    .map((w) => `${table.file}:${w.row}:${w.col} (${table.header[w.col - 1]}): ${w.message}`);
}

function extensionDoc(
  { tenant, pbx }: SheetImportOptions,
  number: string,
  license: ExtensionDocument["spec"]["license"],
  email: string,
  firstName: string,
  lastName: string,
): ExtensionDocument {
  const spec: ExtensionDocument["spec"] = {
    number,
    pin: { fromEnv: pinEnvName(tenant, pbx, number) },
    license,
  };
  if (email !== "") spec.user = firstName !== "" ? { email, firstName, lastName } : { email };
  return {
    apiVersion: currentApiVersion,
    kind: "Extension",
    metadata: { name: extensionDocName(pbx, number), tenant, pbx },
    spec,
  };
}
