/**
 * CSV text into rows: one separator for the whole file, taken from the header line, and every
 * row as wide as the header. Excel in an Italian locale separates with ';' and does not quote
 * a cell that only holds a comma ("Rossi, in Bianchi"), so accepting ',' and ';' in the same
 * file splits such cells and shifts the columns after them (issue 8, case 07).
 */
import { CsvError, parse } from "csv-parse/sync";

/** Separators a sheet may use, in the order that breaks a tie on the header line. */
export const csvSeparators = ["\t", ";", ","] as const;
/** One of `csvSeparators`. */
export type CsvSeparator = (typeof csvSeparators)[number];

/** A CSV record: the 1-based line it starts on and its cells, trimmed. */
export interface CsvRow {
  row: number;
  cells: string[];
}

/** CSV text that cannot be read; `problems` are `LINE: ...` texts, one per bad row. */
export class CsvReadError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "CsvReadError";
  }
}

export const errCsvSyntax = "is not valid CSV";
export const errRowWidth = "cells, the header has";

/** What `readCsvText` found: the separator and the rows, header first. */
export interface CsvText {
  separator: CsvSeparator;
  rows: CsvRow[];
}

/**
 * Parses `text` (already decoded) with the separator of its header line (see
 * `headerSeparator`). Rows whose cells are all empty (`;;;;`, blank lines) are dropped; any
 * other row whose width differs from the header's is a problem. Throws `CsvReadError` with
 * every such row, or with the syntax error csv-parse reports.
 */
export function readCsvText(text: string): CsvText {
  const separator = headerSeparator(text);
  let records: Array<{ record: string[]; info: { bytes: number } }>;
  try {
    records = parse(text, {
      delimiter: separator,
      info: true,
      relax_column_count: true,
      skip_empty_lines: false,
    }) as unknown as typeof records;
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      throw new CsvReadError([`${line ?? 1}: ${errCsvSyntax}: ${err.message}`]);
    }
    throw err;
  }
  const lines = startLines(
    text,
    records.map((r) => r.info.bytes),
  );
  const rows = records
    .map(({ record }, i) => ({ row: lines[i] ?? 1, cells: record.map((c) => c.trim()) }))
    .filter((r) => r.cells.some((c) => c !== ""));
  const width = rows[0]?.cells.length ?? 0;
  const problems: string[] = [];
  for (const { row, cells } of rows.slice(1)) {
    if (cells.length === width) continue;
    const hint =
      cells.length > width ? `; a cell that holds '${printable(separator)}' must be in double quotes` : "";
    problems.push(
      `${row}: row has ${cells.length} ${errRowWidth} ${width} (separator '${printable(separator)}', from the header)${hint}`,
    );
  }
  if (problems.length > 0) throw new CsvReadError(problems);
  return { separator, rows };
}

/**
 * The separator of the header line: the candidate that splits the first record into the most
 * cells, quotes respected (a candidate the quoting contradicts counts one cell). On a tie, the
 * candidate under which every later line has the header's width, else the first in
 * `csvSeparators`. A header of one cell gives ','.
 */
export function headerSeparator(text: string): CsvSeparator {
  const widths = csvSeparators.map((sep) => ({ sep, width: firstRecordWidth(text, sep) }));
  const most = Math.max(...widths.map((w) => w.width));
  if (most <= 1) return ",";
  const tied = widths.filter((w) => w.width === most).map((w) => w.sep);
  if (tied.length === 1) return tied[0] as CsvSeparator;
  return tied.find((sep) => allRowsWide(text, sep, most)) ?? (tied[0] as CsvSeparator);
}

/**
 * The 1-based line each record starts on, from csv-parse's end offsets (`info.bytes`, UTF-8
 * bytes including the record delimiter). csv-parse's own `info.lines` counts a CRLF inside a
 * quoted cell twice, which shifts every later row (Excel writes Alt+Enter line breaks in cells).
 */
function startLines(text: string, recordEnds: number[]): number[] {
  const buf = Buffer.from(text, "utf8");
  const starts: number[] = [];
  let line = 1;
  let pos = 0;
  let start = 0;
  for (const end of recordEnds) {
    for (; pos < start; pos++) {
      // LF, CRLF (counted at its LF) and a lone CR each end a line.
      if (buf[pos] === 0x0a || (buf[pos] === 0x0d && buf[pos + 1] !== 0x0a)) line++;
    }
    starts.push(line);
    start = end;
  }
  return starts;
}

function firstRecordWidth(text: string, delimiter: CsvSeparator): number {
  try {
    const [first] = parse(text, { delimiter, to: 1, relax_column_count: true }) as string[][];
    return first?.length ?? 0;
  } catch {
    return 1;
  }
}

function allRowsWide(text: string, delimiter: CsvSeparator, width: number): boolean {
  try {
    const records = parse(text, { delimiter, relax_column_count: true }) as string[][];
    return records.every((r) => r.length === width || r.every((c) => c.trim() === ""));
  } catch {
    return false;
  }
}

function printable(separator: CsvSeparator): string {
  return separator === "\t" ? "\\t" : separator;
}
