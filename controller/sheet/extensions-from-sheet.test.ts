import { describe, expect, it } from "vitest";
import {
  errBadEmail,
  errBadLicense,
  errBadNumber,
  errDuplicateNumber,
  errHalfName,
  errMissingColumn,
  errNameWithoutEmail,
  extensionDocName,
  extensionsFromSheet,
  normalizeHeader,
  pinEnvName,
} from "./extensions-from-sheet.js";
import type { SheetTable } from "./read-sheet.js";

const options = { tenant: "ACME001", pbx: "headquarters" };
const table = (header: string[], ...rows: string[][]): SheetTable => ({
  file: "ext.csv",
  headerRow: 1,
  header,
  rows: rows.map((cells, i) => ({ row: i + 2, cells })),
});
const italian = ["Interno", "Nome", "Cognome", "Email", "Licenza"];

describe("extensionsFromSheet", () => {
  it("builds one Extension per row with a fromEnv PIN and an inline user", () => {
    const got = extensionsFromSheet(
      table(italian, ["201", "Giulia", "Rossi", "giulia@acme.example", "Plus"], ["202", "", "", "", "start"]),
      options,
    );
    expect(got.problems).toEqual([]);
    expect(got.docs).toEqual([
      {
        apiVersion: "omnia.kalliope.io/v1",
        kind: "Extension",
        metadata: { name: "headquarters-201", tenant: "ACME001", pbx: "headquarters" },
        spec: {
          number: "201",
          pin: { fromEnv: "OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_201" },
          license: "plus",
          user: { email: "giulia@acme.example", firstName: "Giulia", lastName: "Rossi" },
        },
      },
      {
        apiVersion: "omnia.kalliope.io/v1",
        kind: "Extension",
        metadata: { name: "headquarters-202", tenant: "ACME001", pbx: "headquarters" },
        spec: {
          number: "202",
          pin: { fromEnv: "OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_202" },
          license: "start",
        },
      },
    ]);
  });

  it.each([
    ["English headers", ["Number", "First Name", "Last Name", "E-mail", "License"]],
    ["Italian headers, other case", ["NUMERO", "nome", "COGNOME", "e-mail", "licenza"]],
    ["columns in another order", ["Licenza", "Email", "Interno", "Cognome", "Nome"]],
  ])("accepts %s", (_case, header) => {
    const values: Record<string, string> = {
      number: "301",
      license: "start",
      email: "a@b.example",
      firstname: "Anna",
      lastname: "Bianchi",
    };
    const keyOf = (h: string): string => {
      const n = normalizeHeader(h);
      if (["number", "numero", "interno"].includes(n)) return "number";
      if (["license", "licenza"].includes(n)) return "license";
      if (["e mail", "email"].includes(n)) return "email";
      if (["first name", "nome"].includes(n)) return "firstname";
      return "lastname";
    };
    const got = extensionsFromSheet(
      table(
        header,
        header.map((h) => values[keyOf(h)] ?? ""),
      ),
      options,
    );
    expect(got.problems, "problems").toEqual([]);
    expect(got.docs[0]?.spec).toEqual({
      number: "301",
      pin: { fromEnv: "OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_301" },
      license: "start",
      user: { email: "a@b.example", firstName: "Anna", lastName: "Bianchi" },
    });
  });

  it.each([
    [
      "a number that is not digits",
      ["20a", "", "", "", "start"],
      `ext.csv:2:1 (Interno): "20a" ${errBadNumber}`,
    ],
    ["a one-digit number", ["7", "", "", "", "start"], `ext.csv:2:1 (Interno): "7" ${errBadNumber}`],
    ["an unknown license", ["201", "", "", "", "gold"], `ext.csv:2:5 (Licenza): "gold" ${errBadLicense}`],
    ["an empty license", ["201", "", "", "", ""], `ext.csv:2:5 (Licenza): "" ${errBadLicense}`],
    [
      "a bad email",
      ["201", "A", "B", "not-an-email", "start"],
      `ext.csv:2:4 (Email): "not-an-email" ${errBadEmail}`,
    ],
    ["names without email", ["201", "A", "B", "", "start"], `ext.csv:2:4 (Email): ${errNameWithoutEmail}`],
    ["a first name alone", ["201", "A", "", "a@b.example", "start"], `ext.csv:2:3 (Cognome): ${errHalfName}`],
  ])("reports %s with FILE:ROW:COLUMN", (_case, row, want) => {
    const got = extensionsFromSheet(table(italian, row), options);
    expect(got.problems).toEqual([want]);
  });

  it("reports a repeated number with the row of its first use", () => {
    const got = extensionsFromSheet(
      table(italian, ["201", "", "", "", "start"], ["201", "", "", "", "plus"]),
      options,
    );
    expect(got.problems).toEqual([`ext.csv:3:1 (Interno): ${errDuplicateNumber} 201 of row 2`]);
  });

  it("reports every bad row, not only the first", () => {
    const got = extensionsFromSheet(
      table(italian, ["x", "", "", "", "start"], ["202", "", "", "", "start"], ["203", "", "", "", "gold"]),
      options,
    );
    expect(got.problems.map((p) => p.split(" ")[0])).toEqual(["ext.csv:2:1", "ext.csv:4:5"]);
  });

  it("reports a missing required column with the names it accepts", () => {
    const got = extensionsFromSheet(table(["Nome", "Licenza"], ["A", "start"]), options);
    expect(got.problems).toHaveLength(1);
    expect(got.problems[0]).toContain(
      `ext.csv:1: header ${errMissingColumn} number; allowed names: numero, interno`,
    );
  });

  it("ignores unknown columns such as a PIN and never copies them", () => {
    const got = extensionsFromSheet(table(["Interno", "PIN", "Licenza"], ["201", "1234", "start"]), options);
    expect(got.ignoredColumns).toEqual(["PIN"]);
    expect(JSON.stringify(got.docs)).not.toContain("1234");
  });
});

describe("extensionsFromSheet and the columns it does not know", () => {
  it.each([
    ["3CX / Yeastar", ["Number", "FirstName", "LastName", "EmailAddress", "License"]],
    ["Outlook-style", ["Extension", "Given Name", "Family Name", "E-mail Address", "Licence Type"]],
    ["Italian, long", ["Numero interno", "Nome", "Cognome", "Indirizzo e-mail", "Tipo di licenza"]],
  ])("accepts the %s headers", (_case, header) => {
    const got = extensionsFromSheet(
      table(header, ["017", "Anna", "Pelà", "anna@acme.example", "plus"]),
      options,
    );
    expect(got.problems).toEqual([]);
    expect(got.docs[0]?.spec.user).toEqual({
      email: "anna@acme.example",
      firstName: "Anna",
      lastName: "Pelà",
    });
    expect(got.docs[0]?.spec.number).toBe("017");
  });

  it("names an unrecognised column as the likely email when names have no email", () => {
    const got = extensionsFromSheet(
      table(
        ["Interno", "Nome", "Cognome", "Mail aziendale", "Licenza"],
        ["201", "Anna", "Rossi", "a@b.example", "start"],
      ),
      options,
    );
    expect(got.problems).toEqual([
      `ext.csv:1: header ${errMissingColumn} email; column "Mail aziendale" was not recognised; is it the email?`,
      `ext.csv:2:2 (Nome): ${errNameWithoutEmail}`,
    ]);
  });

  it("names the unrecognised columns when a required column is missing", () => {
    const got = extensionsFromSheet(
      table(["Interno", "Profilo utente", "Note"], ["201", "start", ""]),
      options,
    );
    expect(got.problems).toHaveLength(1);
    expect(got.problems[0]).toMatch(
      /^ext\.csv:1: header has no column for license; column "Profilo utente" was not recognised; is it the license\? allowed names: licenza,/,
    );
  });

  it("passes on the reader's warnings for mapped columns only, never a PIN's", () => {
    const got = extensionsFromSheet(
      {
        ...table(["Interno", "PIN", "Licenza"], ["202", "1235", "start"]),
        warnings: [
          { row: 2, col: 1, message: "shown rounded: 202 (holds 201.6)" },
          { row: 2, col: 2, message: "shown rounded: 1235 (holds 1234.5)" },
        ],
      },
      options,
    );
    expect(got.warnings).toEqual(["ext.csv:2:1 (Interno): shown rounded: 202 (holds 201.6)"]);
  });
});

describe("naming", () => {
  it.each([
    ["ACME001", "headquarters", "201", "OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_201"],
    ["acme-01", "sede-milano", "3001", "OMNIA_SECRET_PIN_ACME_01_SEDE_MILANO_3001"],
  ])("pinEnvName(%s, %s, %s) is %s", (tenant, pbx, number, want) => {
    expect(pinEnvName(tenant, pbx, number)).toBe(want);
  });

  it("keeps document names within 63 characters", () => {
    const name = extensionDocName(`${"a".repeat(60)}-b`, "123456");
    expect(name.length, name).toBeLessThanOrEqual(63);
    expect(name.endsWith("-123456"), name).toBe(true);
  });
});
