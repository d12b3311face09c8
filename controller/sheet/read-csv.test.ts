import { describe, expect, it } from "vitest";
import { CsvReadError, errCsvSyntax, errRowWidth, headerSeparator, readCsvText } from "./read-csv.js";

describe("headerSeparator takes the separator from the header line", () => {
  it.each([
    ["';' (Excel, Italian locale)", "Interno;Nome;Cognome\n301;Anna;Rossi, in Bianchi\n", ";"],
    ["','", "Interno,Nome\n201,Giulia\n", ","],
    ["tab (Excel 'Unicode text')", "Interno\tNome\n201\tGiulia\n", "\t"],
    ["',' with a quoted ';' in the header", '"Nome;Cognome",Interno,Licenza\n', ","],
    ["';' with commas in header text", "Cognome, Nome;Interno;Licenza\n", ";"],
    ["',' from the later lines when the header ties", "Nome;Cognome,Interno\nAnna;Maria;Rossi,201\n", ","],
    ["the first of tab, ';', ',' when the later lines do not tell", "Nome;Cognome,Interno\nA;B,201\n", ";"],
    ["';' from the later lines when the header ties", "Nome;Cognome,Interno\nAnna,Maria,Rossi;201\n", ";"],
    ["',' for a one-column header", "Interno\n201\n", ","],
  ])("%s", (_case, text, want) => {
    expect(headerSeparator(text)).toBe(want);
  });
});

describe("readCsvText", () => {
  it("keeps one separator for the whole file: a comma in a ';' file is text", () => {
    const got = readCsvText(
      "Interno;Nome;Cognome\r\n301;Anna Maria;Rossi, in Bianchi\r\n302;Paolo;Verdi\r\n",
    );
    expect(got.separator).toBe(";");
    expect(got.rows).toEqual([
      { row: 1, cells: ["Interno", "Nome", "Cognome"] },
      { row: 2, cells: ["301", "Anna Maria", "Rossi, in Bianchi"] },
      { row: 3, cells: ["302", "Paolo", "Verdi"] },
    ]);
  });

  it("numbers rows by the line they start on, past cells with line breaks (LF and CRLF)", () => {
    const got = readCsvText(
      'Interno;Note\r\n201;"prima\r\nseconda"\r\n202;"à\nb\nc"\r\n\r\n203;ok\r\n204;"x\ry"\r\n205;z',
    );
    expect(got.rows.map((r) => [r.row, r.cells[0]])).toEqual([
      [1, "Interno"],
      [2, "201"],
      [4, "202"],
      [8, "203"],
      [9, "204"],
      [11, "205"],
    ]);
  });

  it("skips empty rows anywhere, of any width (Excel's trailing ';;;;', blank lines)", () => {
    const got = readCsvText("Interno;Licenza;Nome\r\n201;start;A\r\n\r\n202;plus;B\r\n;;\r\n;;;;\r\n");
    expect(got.rows.map((r) => r.row)).toEqual([1, 2, 4]);
  });

  it.each([
    [
      "a row with a cell too many",
      "Interno,Cognome,Licenza\n201,Rossi, in Bianchi,start\n202,Verdi,plus\n",
      [
        `2: row has 4 ${errRowWidth} 3 (separator ',', from the header); a cell that holds ',' must be in double quotes`,
      ],
    ],
    [
      "short and long rows, each one",
      "Interno;Licenza\n201\n202;start\n203;plus;x\n",
      [
        `2: row has 1 ${errRowWidth} 2 (separator ';', from the header)`,
        `4: row has 3 ${errRowWidth} 2 (separator ';', from the header); a cell that holds ';' must be in double quotes`,
      ],
    ],
  ])("refuses %s with its line", (_case, text, want) => {
    expect(() => readCsvText(text)).toThrow(CsvReadError);
    try {
      readCsvText(text);
    } catch (err) {
      expect((err as CsvReadError).problems).toEqual(want);
    }
  });

  it("reports a CSV syntax error with its line", () => {
    expect(() => readCsvText('Interno;Nome\n201;"Anna\n')).toThrow(new RegExp(`^2: ${errCsvSyntax}: `));
  });
});
