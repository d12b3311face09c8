import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { beforeEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { formatProblem, loadDirectory } from "../load/index.js";
import { errOutputExists, importSheet, SheetImportError, SheetOutputExistsError } from "./import-sheet.js";
import { errSheetType, SheetReadError } from "./read-sheet.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "omnia-sheet-"));
});

const options = () => ({ tenant: "ACME001", pbx: "headquarters", out: join(dir, "out") });

async function problemsOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SheetImportError) return err.problems;
    throw err;
  }
  throw new Error("want a SheetImportError, got success");
}

describe("importSheet", () => {
  it("refuses an existing output file, leaving it and no temporary file, and overwrites with force", async () => {
    const csv = join(dir, "interni.csv");
    await writeFile(csv, "Interno;Licenza\n201;start\n");
    const first = await importSheet(csv, options());
    await writeFile(first.file, "# edited by hand\n");
    await expect(importSheet(csv, options())).rejects.toThrow(new SheetOutputExistsError(first.file));
    await expect(importSheet(csv, options())).rejects.toThrow(`${first.file} ${errOutputExists}`);
    await expect(readFile(first.file, "utf8")).resolves.toBe("# edited by hand\n");
    await expect(readdir(join(dir, "out"))).resolves.toEqual(["headquarters-extensions.yaml"]);
    await importSheet(csv, { ...options(), force: true });
    await expect(readFile(first.file, "utf8")).resolves.toContain('number: "201"');
  });

  it("writes manifests from a ';'-separated Italian CSV", async () => {
    const csv = join(dir, "interni.csv");
    await writeFile(
      csv,
      "Interno;Nome;Cognome;Email;Licenza\n201;Giulia;Rossi;giulia@acme.example;Plus\n\n202;;;;Start\n",
    );
    const got = await importSheet(csv, options());
    expect(got.extensions).toBe(2);
    expect(got.pinVariables).toEqual([
      "OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_201",
      "OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_202",
    ]);
    const text = await readFile(got.file, "utf8");
    expect(text.split("\n")[0]).toMatch(/^# yaml-language-server: \$schema=\S+omnia-manifest\.schema\.json$/);
    const docs = parseAllDocuments(text).map((d) => d.toJS());
    expect(docs.map((d) => [d.spec.number, d.spec.license, d.spec.pin.fromEnv])).toEqual([
      ["201", "plus", "OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_201"],
      ["202", "start", "OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_202"],
    ]);
  });

  it("writes manifests from an XLSX with English headers and numeric cells", async () => {
    const xlsx = join(dir, "extensions.xlsx");
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("Extensions");
    sheet.addRow(["Number", "First name", "Last name", "Email", "License"]);
    sheet.addRow([201, "Giulia", "Rossi", "giulia@acme.example", "plus"]);
    sheet.addRow([202, "Marco", "Verdi", "marco@acme.example", "START"]);
    await workbook.xlsx.writeFile(xlsx);
    const got = await importSheet(xlsx, options());
    const docs = parseAllDocuments(await readFile(got.file, "utf8")).map((d) => d.toJS());
    expect(docs.map((d) => d.spec)).toEqual([
      {
        number: "201",
        pin: { fromEnv: "OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_201" },
        license: "plus",
        user: { email: "giulia@acme.example", firstName: "Giulia", lastName: "Rossi" },
      },
      {
        number: "202",
        pin: { fromEnv: "OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_202" },
        license: "start",
        user: { email: "marco@acme.example", firstName: "Marco", lastName: "Verdi" },
      },
    ]);
  });

  it("writes nothing when one XLSX row is bad, and names its row and column", async () => {
    const xlsx = join(dir, "bad.xlsx");
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("Interni");
    sheet.addRow(["Interno", "Licenza"]);
    sheet.addRow(["201", "start"]);
    sheet.addRow(["202", "premium"]);
    await workbook.xlsx.writeFile(xlsx);
    const problems = await problemsOf(importSheet(xlsx, options()));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^.*bad\.xlsx:3:2 \(Licenza\): "premium" is not a license/);
    await expect(readdir(dir)).resolves.toEqual(["bad.xlsx"]);
  });

  it.each([
    ["a bad tenant", { tenant: "ACME 001" }, '--tenant "ACME 001" is not a customer code'],
    ["a bad PBX name", { pbx: "Head_Quarters" }, '--pbx "Head_Quarters" is not a PBX name'],
  ])("refuses %s before reading the file", async (_case, override, want) => {
    const problems = await problemsOf(importSheet(join(dir, "missing.csv"), { ...options(), ...override }));
    expect(problems[0]).toContain(want);
  });

  it.each([
    [
      "a row wider than the header (an unquoted ',' in a ',' file)",
      "Interno,Cognome,Licenza\r\n201,Rossi, in Bianchi,start\r\n",
      ":2: row has 4 cells, the header has 3 (separator ',', from the header); a cell that holds ',' must be in double quotes",
    ],
    [
      "a byte that is neither UTF-8 nor Windows-1252",
      Buffer.from([...Buffer.from("Interno;Licenza\r\n20"), 0x81, ...Buffer.from(";start\r\n")]),
      ":2: byte 0x81 at offset 19 is neither UTF-8 nor Windows-1252",
    ],
  ])("refuses %s with FILE:ROW and writes nothing", async (_case, content, want) => {
    const csv = join(dir, "interni.csv");
    await writeFile(csv, content);
    const err = await importSheet(csv, options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SheetReadError);
    expect((err as SheetReadError).problems).toHaveLength(1);
    expect((err as SheetReadError).problems[0]).toContain(`${csv}${want}`);
    await expect(readdir(dir)).resolves.toEqual(["interni.csv"]);
  });

  it("reads an extension formatted 000 in XLSX as 017 and warns about a rounded one", async () => {
    const xlsx = join(dir, "zeros.xlsx");
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("Interni");
    sheet.addRow(["Interno", "Licenza"]);
    sheet.addRow([17, "start"]).getCell(1).numFmt = "000";
    sheet.addRow([201.6, "plus"]).getCell(1).numFmt = "0";
    await workbook.xlsx.writeFile(xlsx);
    const got = await importSheet(xlsx, options());
    const docs = parseAllDocuments(await readFile(got.file, "utf8")).map((d) => d.toJS());
    expect(docs.map((d) => d.spec.number)).toEqual(["017", "202"]);
    expect(got.warnings).toEqual([
      `${xlsx}:3:1 (Interno): Excel shows the number rounded; read as shown: "202" (the cell holds 201.6, format "0")`,
    ]);
  });

  it("reads Excel's 'Unicode text' (.txt, UTF-16LE with BOM, tab separated)", async () => {
    const txt = join(dir, "interni.txt");
    const text = "Interno\tNome\tCognome\tE-mail\tLicenza\r\n017\tNiccolò\tPelà\tn@acme.example\tPlus\r\n";
    await writeFile(txt, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
    const got = await importSheet(txt, options());
    const docs = parseAllDocuments(await readFile(got.file, "utf8")).map((d) => d.toJS());
    expect(docs.map((d) => [d.spec.number, d.spec.user.firstName, d.spec.user.lastName])).toEqual([
      ["017", "Niccolò", "Pelà"],
    ]);
  });

  it("refuses a file of another type, naming the types it reads", async () => {
    const ods = join(dir, "interni.ods");
    await writeFile(ods, "");
    await expect(importSheet(ods, options())).rejects.toThrow(`${ods} ${errSheetType}`);
  });

  it("refuses a sheet with a header and no rows", async () => {
    const csv = join(dir, "empty.csv");
    await writeFile(csv, "Interno,Licenza\n");
    const problems = await problemsOf(importSheet(csv, options()));
    expect(problems).toEqual([`${csv} has no data rows under its header`]);
  });

  it("writes files the loader accepts, with PINs from the named variables", async () => {
    const csv = join(dir, "interni.csv");
    await writeFile(
      csv,
      "Interno,Nome,Cognome,Email,Licenza\n201,Giulia,Rossi,giulia@acme.example,plus\n202,,,,start\n",
    );
    const out = join(dir, "out");
    await importSheet(csv, options());
    await writeFile(
      join(out, "tenant.yaml"),
      [
        "apiVersion: omnia.kalliope.io/v1",
        "kind: Tenant",
        "metadata: { name: acme }",
        'spec: { businessName: Acme, customerCode: ACME001, vatNumber: "01234560017", fiscalCode: "01234560017" }',
        "---",
        "apiVersion: omnia.kalliope.io/v1",
        "kind: Pbx",
        "metadata: { name: headquarters, tenant: ACME001 }",
        "spec: { kind: single }",
        "",
      ].join("\n"),
    );
    const env = {
      OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_201: "1201",
      OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_202: "1202",
    };
    const loaded = await loadDirectory(out, { env });
    expect(loaded.problems.map((p) => formatProblem(p))).toEqual([]);
    expect(loaded.state.extensions.map((e) => [e.key, e.spec.pin.reveal()])).toEqual([
      ["Extension/ACME001/headquarters/201", "1201"],
      ["Extension/ACME001/headquarters/202", "1202"],
    ]);
    expect(loaded.state.users.map((u) => u.key)).toEqual(["User/ACME001/giulia@acme.example"]);
  });
});
