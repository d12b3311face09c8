import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { errBeyondHeader, readXlsxFile, warnFormat, warnRounded } from "./read-xlsx.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "omnia-xlsx-"));
});

/** Writes one worksheet: a header, then one row per `[value, numFmt?]` list. */
async function workbook(name: string, header: string[], ...rows: Array<Array<[ExcelJS.CellValue, string?]>>) {
  const file = join(dir, name);
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet("Interni");
  sheet.addRow(header);
  for (const cells of rows) {
    const row = sheet.addRow(cells.map(([v]) => v));
    cells.forEach(([, fmt], i) => {
      if (fmt !== undefined) row.getCell(i + 1).numFmt = fmt;
    });
  }
  await wb.xlsx.writeFile(file);
  return file;
}

describe("readXlsxFile shows cells as Excel does", () => {
  it.each([
    ["a 000 number", [17, "000"], "017"],
    ["a 0000 number", [17, "0000"], "0017"],
    ["a General number", [17, "General"], "17"],
    ["a number without a format", [201], "201"],
    ["a long number in General (no 1.23457E+11)", [391234567890], "391234567890"],
    ["a General fraction, to Excel's 15 digits", [0.1 + 0.2], "0.3"],
    ["a 0.0 fraction, to Excel's 15 digits, no warning", [0.1 + 0.2, "0.0"], "0.3"],
    ["a text cell with leading zeros", ["017", "@"], "017"],
    ["a formula's result, formatted", [{ formula: "10+7", result: 17 }, "000"], "017"],
    ["a date in an Italian format", [new Date(Date.UTC(2026, 10, 29)), "dd/mm/yyyy"], "29/11/2026"],
    [
      "an email cell that Excel turned into a link",
      [{ text: "anna@acme.example", hyperlink: "mailto:anna@acme.example" }],
      "anna@acme.example",
    ],
    ["rich text", [{ richText: [{ text: "Pel" }, { font: { bold: true }, text: "à" }] }], "Pelà"],
  ] as Array<[string, [ExcelJS.CellValue, string?], string]>)("%s", async (_case, cell, want) => {
    const file = await workbook(`${_case.replace(/\W+/g, "-")}.xlsx`, ["Interno", "Nome"], [cell, ["x"]]);
    const got = await readXlsxFile(file);
    expect(got.rows[1]?.cells).toEqual([want, "x"]);
    expect(got.warnings).toEqual([]);
  });

  it("warns when the number shown is not the number held, and reads it as shown", async () => {
    const file = await workbook("rounded.xlsx", ["Interno", "Licenza"], [[201.6, "0"], ["start"]]);
    const got = await readXlsxFile(file);
    expect(got.rows[1]?.cells).toEqual(["202", "start"]);
    expect(got.warnings).toEqual([
      { row: 2, col: 1, message: `${warnRounded}: "202" (the cell holds 201.6, format "0")` },
    ]);
  });

  it("warns when a format cannot be applied, and reads the plain number", async () => {
    const file = await workbook("badfmt.xlsx", ["Interno", "Licenza"], [[17, '0"'], ["start"]]);
    const got = await readXlsxFile(file);
    expect(got.rows[1]?.cells).toEqual(["17", "start"]);
    expect(got.warnings).toEqual([{ row: 2, col: 1, message: `${warnFormat}: 17 (format "0\\"")` }]);
  });

  it("skips empty rows, pads short rows and refuses a value right of the header", async () => {
    const file = await workbook(
      "wide.xlsx",
      ["Interno", "Licenza"],
      [["201"]],
      [[null], [null]],
      [["202"], ["start"], ["oops"]],
    );
    const got = await readXlsxFile(file);
    expect(got.rows.map((r) => [r.row, r.cells])).toEqual([
      [1, ["Interno", "Licenza"]],
      [2, ["201", ""]],
      [4, ["202", "start", "oops"]],
    ]);
    expect(got.problems).toEqual([`4:3: ${errBeyondHeader} (2)`]);
  });
});
