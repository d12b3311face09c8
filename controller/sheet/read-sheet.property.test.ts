/**
 * Property: any table a CSV library writes, in every encoding and separator the reader
 * supports, reads back equal; so does any XLSX written by exceljs with zero-padded number
 * formats. Cells hold accents, quotes, separators, line breaks and leading zeros.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import ExcelJS from "exceljs";
import fc from "fast-check";
import iconv from "iconv-lite";
import { beforeAll, describe, expect, it } from "vitest";
import { csvSeparators } from "./read-csv.js";
import { readSheet } from "./read-sheet.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "omnia-sheet-prop-"));
});

const runs = Number(process.env.SHEET_PROPERTY_RUNS ?? 60);
const ascii = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 '@-._";
// Accented letters of Windows-1252 at 0xC0-0xFF: never a UTF-8 continuation byte, so a
// Windows-1252 file of them is never also valid UTF-8 (the one case no reader can tell apart).
const accents = "àèéìòùÀÈÉÌÒÙçÇñÑüÜößäÄëïâêîôûÿ";
const syntax = `";,\t\n\r`;
// Beyond Windows-1252 (or in its 0x80-0x9F range, which can form UTF-8 sequences).
const beyond1252 = "€—“”…ŁżŐőřĚ日本😀";

const cellOf = (alphabet: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 14 }),
    fc.stringMatching(/^0[0-9]{1,5}$/), // extension numbers with leading zeros
  );
const labelOf = (alphabet: string): fc.Arbitrary<string> =>
  fc
    .string({
      unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz ", ...alphabet),
      minLength: 1,
      maxLength: 12,
    })
    .filter((s) => s.trim() !== "");

/** A header of 2-6 labels and rows of the same width. */
const tableOf = (alphabet: string, labels: string) =>
  fc.integer({ min: 2, max: 6 }).chain((width) =>
    fc.record({
      header: fc.array(labelOf(labels), { minLength: width, maxLength: width }),
      rows: fc.array(fc.array(cellOf(alphabet), { minLength: width, maxLength: width }), { maxLength: 8 }),
    }),
  );

/** What the reader should give: cells trimmed, rows of empty cells dropped. */
function expected(header: string[], rows: string[][]): { header: string[]; rows: string[][] } {
  return {
    header: header.map((c) => c.trim()),
    rows: rows.map((r) => r.map((c) => c.trim())).filter((r) => r.some((c) => c !== "")),
  };
}

/** The line each non-empty record starts on, counting the breaks the CSV library wrote before it. */
function startLines(records: string[][], delimiter: string, eol: string): number[] {
  const lines: number[] = [];
  let line = 1;
  for (const record of records) {
    if (record.some((c) => c.trim() !== "")) lines.push(line);
    const written = stringify([record], { delimiter, record_delimiter: eol });
    line += written.match(/\r\n|\r|\n/g)?.length ?? 0;
  }
  return lines;
}

const encodings: Array<{ name: string; alphabet: string; encode: (text: string) => Buffer }> = [
  { name: "UTF-8", alphabet: ascii + accents + syntax + beyond1252, encode: (t) => Buffer.from(t, "utf8") },
  {
    name: "UTF-8 with BOM",
    alphabet: ascii + accents + syntax + beyond1252,
    encode: (t) => Buffer.from(`\uFEFF${t}`, "utf8"),
  },
  {
    name: "UTF-16LE with BOM",
    alphabet: ascii + accents + syntax + beyond1252,
    encode: (t) => iconv.encode(t, "utf-16le", { addBOM: true }),
  },
  {
    name: "UTF-16BE with BOM",
    alphabet: ascii + accents + syntax + beyond1252,
    encode: (t) => iconv.encode(t, "utf-16be", { addBOM: true }),
  },
  {
    name: "Windows-1252",
    alphabet: ascii + accents + syntax,
    encode: (t) => iconv.encode(t, "windows-1252"),
  },
];

describe("readSheet reads back what a CSV library wrote", () => {
  let n = 0;
  for (const enc of encodings) {
    for (const separator of csvSeparators) {
      it(`in ${enc.name} with separator ${JSON.stringify(separator)}`, async () => {
        await fc.assert(
          fc.asyncProperty(
            tableOf(enc.alphabet, enc.name === "Windows-1252" ? accents : accents + beyond1252),
            fc.constantFrom("\r\n", "\n"),
            async ({ header, rows }, eol) => {
              const file = join(dir, `t${n++}.csv`);
              const text = stringify([header, ...rows], { delimiter: separator, record_delimiter: eol });
              await writeFile(file, enc.encode(text));
              const got = await readSheet(file);
              expect({ header: got.header, rows: got.rows.map((r) => r.cells) }).toEqual(
                expected(header, rows),
              );
              expect(got.csv?.separator).toBe(separator);
              expect([got.headerRow, ...got.rows.map((r) => r.row)]).toEqual(
                startLines([header, ...rows], separator, eol),
              );
              expect(JSON.stringify(got)).not.toContain("\uFFFD");
            },
          ),
          { numRuns: runs },
        );
      });
    }
  }
});

describe("readSheet reads XLSX cells as Excel shows them", () => {
  const formats = ["000", "0000", "General", undefined] as const;
  type Cell = string | { n: number; fmt: (typeof formats)[number] };
  // XML 1.0 has no CR of its own in text: exceljs writes it raw and it reads back as LF.
  const xlsxAlphabet = `${ascii}${accents}${beyond1252}";,\t\n`;
  const cell: fc.Arbitrary<Cell> = fc.oneof(
    cellOf(xlsxAlphabet),
    fc.record({ n: fc.integer({ min: 0, max: 99_999 }), fmt: fc.constantFrom(...formats) }),
  );
  const shown = (c: Cell): string => {
    if (typeof c === "string") return c.trim();
    const pad = c.fmt === "000" ? 3 : c.fmt === "0000" ? 4 : 0;
    return String(c.n).padStart(pad, "0");
  };

  it("keeps the zeros of 000 and 0000 formats and the text of every other cell", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 5 }).chain((width) =>
          fc.record({
            header: fc.array(labelOf(accents), { minLength: width, maxLength: width }),
            rows: fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 6 }),
          }),
        ),
        async ({ header, rows }) => {
          const file = join(dir, `x${n++}.xlsx`);
          const workbook = new ExcelJS.Workbook();
          const sheet = workbook.addWorksheet("Interni");
          sheet.addRow(header);
          for (const r of rows) {
            const row = sheet.addRow(r.map((c) => (typeof c === "string" ? c : c.n)));
            r.forEach((c, i) => {
              if (typeof c !== "string" && c.fmt !== undefined) row.getCell(i + 1).numFmt = c.fmt;
            });
          }
          await workbook.xlsx.writeFile(file);
          const got = await readSheet(file);
          const want = expected(
            header,
            rows.map((r) => r.map(shown)),
          );
          expect({ header: got.header, rows: got.rows.map((r) => r.cells) }).toEqual(want);
          expect(got.warnings).toBeUndefined();
        },
      ),
      { numRuns: Math.max(10, Math.floor(runs / 2)) },
    );
  });
});
