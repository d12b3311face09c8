/**
 * The spreadsheet cases of issue 8 (shared/cases/case-06, case-07), their inputs kept byte
 * for byte under fixtures/: what `omnia import-sheet` must write for each.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { importSheet } from "./import-sheet.js";
import { readSheet } from "./read-sheet.js";

const fixture = (...parts: string[]): string =>
  fileURLToPath(new URL(`fixtures/${parts.join("/")}`, import.meta.url));

let out: string;
beforeEach(async () => {
  out = join(await mkdtemp(join(tmpdir(), "omnia-sheet-case-")), "out");
});

async function usersOf(file: string): Promise<Array<[string, unknown]>> {
  const text = await readFile(file, "utf8");
  expect(text, "U+FFFD in the manifests").not.toContain("\uFFFD");
  return parseAllDocuments(text).map((d) => {
    const doc = d.toJS();
    return [doc.spec.number, doc.spec.user];
  });
}

describe("case 06: extensions CSV saved by Italian Excel", () => {
  const want = [
    ["201", { email: "niccolo.damico@trattoria-esempio.example", firstName: "Niccolò", lastName: "D'Amico" }],
    ["202", { email: "lucia.pela@trattoria-esempio.example", firstName: "Lucìa", lastName: "Pelà" }],
    ["203", { email: "jose.muller@trattoria-esempio.example", firstName: "José", lastName: "Müller" }],
  ];

  it.each([
    ["Windows-1252 ('CSV (delimitato dal separatore di elenco)')", "interni.csv", "windows-1252", false],
    ["UTF-8 with BOM ('CSV UTF-8')", "interni-utf8-bom.csv", "utf-8", true],
  ])("reads the names from the %s file", async (_case, name, encoding, bom) => {
    const file = fixture("case-06", name);
    const table = await readSheet(file);
    expect(table.csv).toEqual({ encoding, bom, separator: ";" });
    // The two trailing ';;;;' rows are empty, not rows of the wrong width.
    expect(table.rows.map((r) => r.row)).toEqual([2, 3, 4]);
    const got = await importSheet(file, { tenant: "TRATTO01", pbx: "sala", out });
    expect(got.extensions).toBe(3);
    await expect(usersOf(got.file)).resolves.toEqual(want);
  });
});

describe("case 07: ';' CSV whose cell holds a comma", () => {
  it("keeps 'Rossi, in Bianchi' as one cell and writes both extensions", async () => {
    const got = await importSheet(fixture("case-07", "interni.csv"), {
      tenant: "STUDIO01",
      pbx: "ufficio",
      out,
    });
    expect(got.extensions).toBe(2);
    await expect(usersOf(got.file)).resolves.toEqual([
      [
        "301",
        {
          email: "annamaria.rossi@studio-esempio.example",
          firstName: "Anna Maria",
          lastName: "Rossi, in Bianchi",
        },
      ],
      ["302", { email: "paolo.verdi@studio-esempio.example", firstName: "Paolo", lastName: "Verdi" }],
    ]);
  });
});
