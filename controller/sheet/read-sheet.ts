/**
 * Reads a spreadsheet (CSV or XLSX) into a header and rows of trimmed text cells, keeping
 * each row's line in the file so errors can say FILE:ROW:COLUMN. A CSV's encoding is found by
 * `decodeText` and its separator by `readCsvText`; an XLSX's cells are read as Excel shows them
 * by `readXlsxFile`.
 */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { decodeText, TextDecodeError, type TextEncoding } from "./decode-text.js";
import { CsvReadError, type CsvSeparator, readCsvText } from "./read-csv.js";
import { type CellWarning, readXlsxFile, XlsxReadError } from "./read-xlsx.js";

export { errCsvSyntax } from "./read-csv.js";
export type { CellWarning } from "./read-xlsx.js";
export { errXlsxRead } from "./read-xlsx.js";

/** One data row: its 1-based row (CSV line or worksheet row) and its cells, trimmed. */
export interface SheetRow {
  row: number;
  cells: string[];
}

/**
 * A spreadsheet as text: header cells (row `headerRow`) and the non-empty data rows, every
 * row as wide as the header.
 */
export interface SheetTable {
  file: string;
  headerRow: number;
  header: string[];
  rows: SheetRow[];
  /** Cells read differently from what they hold (XLSX only); absent when none. */
  warnings?: CellWarning[];
  /** How a CSV was read; absent for XLSX. */
  csv?: { encoding: TextEncoding; bom: boolean; separator: CsvSeparator };
}

/**
 * A file that cannot be read as a spreadsheet; the message says where and why, one line per
 * problem (`problems`), each starting with FILE or FILE:ROW.
 */
export class SheetReadError extends Error {
  readonly problems: string[];
  constructor(problems: string | string[], options?: ErrorOptions) {
    const list = typeof problems === "string" ? [problems] : problems;
    super(list.join("\n"), options);
    this.name = "SheetReadError";
    this.problems = list;
  }
}

export const errSheetType =
  "is not a spreadsheet; allowed: .csv, .tsv or .txt (text as Excel saves it), .xlsx";

/** Text extensions: Excel saves "CSV" as .csv and "Unicode text" (UTF-16, tab separated) as .txt. */
const textExtensions = [".csv", ".tsv", ".txt"];
export const errSheetEmpty = "has no header row";

/**
 * Reads `file` by its extension (.csv, or .xlsx). Throws `SheetReadError` for a file of
 * another type, without a header, with bytes that do not decode, with bad CSV syntax, or with
 * rows wider or narrower than the header; file system errors (ENOENT...) pass through.
 */
export async function readSheet(file: string): Promise<SheetTable> {
  const ext = extname(file).toLowerCase();
  if (textExtensions.includes(ext)) return readCsv(file);
  if (ext === ".xlsx") return readXlsx(file);
  throw new SheetReadError(`${file} ${errSheetType}`);
}

async function readCsv(file: string): Promise<SheetTable> {
  const bytes = await readFile(file);
  try {
    const decoded = decodeText(bytes);
    const { separator, rows } = readCsvText(decoded.text);
    return table(file, rows, { encoding: decoded.encoding, bom: decoded.bom, separator });
  } catch (err) {
    if (err instanceof TextDecodeError) throw new SheetReadError(`${file}:${err.message}`, { cause: err });
    if (err instanceof CsvReadError) {
      throw new SheetReadError(
        err.problems.map((p) => `${file}:${p}`),
        { cause: err },
      );
    }
    throw err;
  }
}

async function readXlsx(file: string): Promise<SheetTable> {
  let read: Awaited<ReturnType<typeof readXlsxFile>>;
  try {
    read = await readXlsxFile(file);
  } catch (err) {
    if (err instanceof XlsxReadError) {
      throw new SheetReadError(`${file} ${err.message}`, { cause: err });
    }
    throw err;
  }
  if (read.problems.length > 0) throw new SheetReadError(read.problems.map((p) => `${file}:${p}`));
  const t = table(file, read.rows);
  if (read.warnings.length > 0) t.warnings = read.warnings;
  return t;
}

function table(file: string, rows: SheetRow[], csv?: SheetTable["csv"]): SheetTable {
  const [head, ...data] = rows;
  if (!head) throw new SheetReadError(`${file} ${errSheetEmpty}`);
  const t: SheetTable = { file, headerRow: head.row, header: head.cells, rows: data };
  if (csv) t.csv = csv;
  return t;
}
