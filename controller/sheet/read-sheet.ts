/**
 * Reads a spreadsheet (CSV or XLSX) into a header and rows of trimmed text cells, keeping
 * each row's line in the file so errors can say FILE:ROW:COLUMN.
 */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { CsvError, parse } from "csv-parse/sync";
import ExcelJS from "exceljs";

/** One data row: its 1-based row (CSV line or worksheet row) and its cells, trimmed. */
export interface SheetRow {
  row: number;
  cells: string[];
}

/** A spreadsheet as text: header cells (row `headerRow`) and the non-empty data rows. */
export interface SheetTable {
  file: string;
  headerRow: number;
  header: string[];
  rows: SheetRow[];
}

/** A file that cannot be read as a spreadsheet; the message says where and why. */
export class SheetReadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SheetReadError";
  }
}

export const errSheetType = "is neither .csv nor .xlsx";
export const errSheetEmpty = "has no header row";
export const errCsvSyntax = "is not valid CSV";
export const errXlsxRead = "is not a readable XLSX workbook";

/** Reads `file` by its extension (.csv, or .xlsx). */
export async function readSheet(file: string): Promise<SheetTable> {
  const ext = extname(file).toLowerCase();
  let lines: SheetRow[];
  if (ext === ".csv") lines = await readCsv(file);
  else if (ext === ".xlsx") lines = await readXlsx(file);
  else throw new SheetReadError(`${file} ${errSheetType}`);
  const nonEmpty = lines.filter((l) => l.cells.some((c) => c !== ""));
  const [head, ...rows] = nonEmpty;
  if (!head) throw new SheetReadError(`${file} ${errSheetEmpty}`);
  return { file, headerRow: head.row, header: head.cells, rows };
}

async function readCsv(file: string): Promise<SheetRow[]> {
  const text = await readFile(file, "utf8");
  try {
    const records = parse(text, {
      bom: true,
      // Italian spreadsheets export with ';', others with ','.
      delimiter: [",", ";"],
      info: true,
      relax_column_count: true,
      skip_empty_lines: false,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
    return records.map(({ record, info }) => ({ row: info.lines, cells: record.map((c) => c.trim()) }));
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      throw new SheetReadError(`${file}:${line ?? 1}: ${errCsvSyntax}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

async function readXlsx(file: string): Promise<SheetRow[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(file);
  } catch (err) {
    throw new SheetReadError(`${file} ${errXlsxRead}: ${(err as Error).message}`, { cause: err });
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let col = 1; col <= row.cellCount; col++) cells.push(row.getCell(col).text.trim());
    rows.push({ row: rowNumber, cells });
  });
  return rows;
}
