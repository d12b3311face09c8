/**
 * The first worksheet of an XLSX workbook into rows of text, each cell as Excel shows it: a
 * number in a cell formatted `000` is "017", not "17" (issue 8: extension 017 became 17).
 * Formats are rendered with numfmt (ECMA-376 number formats, as Excel applies them). Where
 * the text read differs from the number the cell holds in a way a person may not expect
 * (rounding, a format we cannot render), a warning names the cell.
 */
import ExcelJS from "exceljs";
import { format as formatNumber } from "numfmt";

/** A worksheet row: its 1-based row number and its cells as shown, trimmed. */
export interface XlsxRow {
  row: number;
  cells: string[];
}

/** A cell read differently from the number it holds; `message` may quote the cell's value. */
export interface CellWarning {
  row: number;
  col: number;
  message: string;
}

/** Rows (header first, empty rows skipped) and warnings per cell. */
export interface XlsxText {
  rows: XlsxRow[];
  warnings: CellWarning[];
  /** `ROW:COL: ...` problems: cells with a value right of the header's last column. */
  problems: string[];
}

/** A file exceljs cannot open as a workbook; the message starts with `errXlsxRead`. */
export class XlsxReadError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "XlsxReadError";
  }
}

export const errXlsxRead = "is not a readable XLSX workbook";
export const errBeyondHeader = "holds a value right of the header's last column";
export const warnRounded = "Excel shows the number rounded; read as shown";
export const warnFormat = "the cell's number format could not be applied; read the plain number";

/** Serial day of 1970-01-01 in each date system: the inverse of exceljs's date conversion. */
const unixEpochSerial = { date1900: 25569, date1904: 24107 } as const;
const msPerDay = 86_400_000;

/** Reads the first worksheet of `file`; throws `XlsxReadError` when the file is no workbook. */
export async function readXlsxFile(file: string): Promise<XlsxText> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(file);
  } catch (err) {
    throw new XlsxReadError(`${errXlsxRead}: ${(err as Error).message}`, { cause: err });
  }
  const sheet = workbook.worksheets[0];
  const out: XlsxText = { rows: [], warnings: [], problems: [] };
  if (!sheet) return out;
  const epoch = workbook.properties.date1904 ? unixEpochSerial.date1904 : unixEpochSerial.date1900;
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let col = 1; col <= row.cellCount; col++) {
      const shown = shownText(row.getCell(col), epoch);
      if (shown.warning) out.warnings.push({ row: rowNumber, col, message: shown.warning });
      cells.push(shown.text.trim());
    }
    while (cells.length > 0 && cells.at(-1) === "") cells.pop();
    if (cells.length > 0) out.rows.push({ row: rowNumber, cells });
  });
  const width = out.rows[0]?.cells.length ?? 0;
  for (const r of out.rows.slice(1)) {
    if (r.cells.length > width)
      out.problems.push(`${r.row}:${r.cells.length}: ${errBeyondHeader} (${width})`);
    while (r.cells.length < width) r.cells.push("");
  }
  return out;
}

/** A cell's text as Excel shows it, and a warning when that may surprise. */
export function shownText(cell: ExcelJS.Cell, epochSerial: number): { text: string; warning?: string } {
  const value = cell.value;
  const raw =
    value !== null && typeof value === "object" && "formula" in value
      ? value.result
      : value !== null && typeof value === "object" && "sharedFormula" in value
        ? value.result
        : value;
  const numFmt = cell.numFmt;
  if (typeof raw === "number") {
    // Excel keeps 15 significant digits: 0.1+0.2 is 0.3 to it, not 0.30000000000000004.
    const held = Number(raw.toPrecision(15));
    return formatted(held, numFmt, String(held));
  }
  if (raw instanceof Date) {
    const serial = raw.getTime() / msPerDay + epochSerial;
    return formatted(serial, numFmt ?? "yyyy-mm-dd", raw.toISOString());
  }
  return { text: cell.text };
}

function formatted(
  value: number,
  numFmt: string | undefined,
  plain: string,
): { text: string; warning?: string } {
  // "General" (or none) shows the number itself; Excel only shortens it to fit a column.
  if (numFmt === undefined || numFmt === "" || /^general$/i.test(numFmt)) return { text: plain };
  let text: string;
  try {
    text = formatNumber(numFmt, value);
  } catch {
    return { text: plain, warning: `${warnFormat}: ${plain} (format ${JSON.stringify(numFmt)})` };
  }
  // Padding ("017" for 17) keeps the value; a shown number that is another value was rounded.
  const asNumber = Number(text.trim());
  if (text.trim() !== "" && Number.isFinite(asNumber) && asNumber !== value) {
    return {
      text,
      warning: `${warnRounded}: "${text}" (the cell holds ${plain}, format ${JSON.stringify(numFmt)})`,
    };
  }
  return { text };
}
