import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errOutputExists } from "../../sheet/import-sheet.js";
import { runCli } from "../main.js";

let dir: string;
let out: string[];
let err: string[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "omnia-import-cli-"));
  out = [];
  err = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => out.push(String(s)) > 0);
  vi.spyOn(process.stderr, "write").mockImplementation((s) => err.push(String(s)) > 0);
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe("omnia import-sheet", () => {
  it("writes the manifests and names the PIN variables", async () => {
    const csv = join(dir, "interni.csv");
    await writeFile(csv, "Numero,Licenza\n201,start\n202,plus\n");
    const code = await runCli([
      "import-sheet",
      csv,
      "--tenant",
      "ACME001",
      "--pbx",
      "hq",
      "--out",
      join(dir, "out"),
    ]);
    expect(code, err.join("")).toBe(0);
    expect(out.join("")).toContain("wrote 2 extensions");
    expect(out.join("")).toContain("OMNIA_SECRET_PIN_ACME001_HQ_201 … OMNIA_SECRET_PIN_ACME001_HQ_202");
    await expect(readdir(join(dir, "out"))).resolves.toEqual(["hq-extensions.yaml"]);
  });

  it("exits 1 with every problem and no stack when rows are bad", async () => {
    const csv = join(dir, "interni.csv");
    await writeFile(csv, "Numero,Licenza\n2x1,start\n202,gold\n");
    const code = await runCli([
      "import-sheet",
      csv,
      "--tenant",
      "ACME001",
      "--pbx",
      "hq",
      "--out",
      join(dir, "out"),
    ]);
    expect(code).toBe(1);
    const text = err.join("");
    expect(text).toContain("2 problem(s), nothing written");
    expect(text).toContain(`${csv}:2:1 (Numero)`);
    expect(text).toContain(`${csv}:3:2 (Licenza)`);
    expect(text).not.toMatch(/\n\s+at /);
    await expect(readdir(dir)).resolves.toEqual(["interni.csv"]);
  });

  it("lists every row of the wrong width, FILE:ROW first", async () => {
    const csv = join(dir, "interni.csv");
    await writeFile(csv, "Interno;Cognome;Licenza\r\n201;Rossi;start;x\r\n202;Verdi\r\n;;\r\n");
    const code = await runCli([
      "import-sheet",
      csv,
      "--tenant",
      "ACME001",
      "--pbx",
      "hq",
      "--out",
      join(dir, "out"),
    ]);
    expect(code).toBe(1);
    const text = err.join("");
    expect(text).toContain("2 problem(s), nothing written:");
    expect(text).toContain(`${csv}:2: row has 4 cells, the header has 3`);
    expect(text).toContain(`${csv}:3: row has 2 cells, the header has 3`);
    await expect(readdir(dir)).resolves.toEqual(["interni.csv"]);
  });

  it("prints the reader's warnings and still writes", async () => {
    const xlsx = join(dir, "interni.xlsx");
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("Interni");
    sheet.addRow(["Interno", "Licenza"]);
    sheet.addRow([201.6, "plus"]).getCell(1).numFmt = "0";
    await workbook.xlsx.writeFile(xlsx);
    const code = await runCli([
      "import-sheet",
      xlsx,
      "--tenant",
      "ACME001",
      "--pbx",
      "hq",
      "--out",
      join(dir, "out"),
    ]);
    expect(code, err.join("")).toBe(0);
    expect(err.join("")).toContain(`warning: ${xlsx}:2:1 (Interno): Excel shows the number rounded`);
    expect(out.join("")).toContain("wrote 1 extensions");
  });

  it("refuses to overwrite the manifests of an earlier import unless --force, keeping them as they were", async () => {
    const csv = join(dir, "interni.csv");
    const args = ["import-sheet", csv, "--tenant", "ACME001", "--pbx", "hq", "--out", join(dir, "out")];
    await writeFile(csv, "Numero,Licenza\n201,start\n");
    expect(await runCli(args), err.join("")).toBe(0);
    const target = join(dir, "out", "hq-extensions.yaml");
    await writeFile(target, "# edited by hand\n");
    await writeFile(csv, "Numero,Licenza\n301,start\n");
    err = [];
    expect(await runCli(args)).toBe(1);
    expect(err.join("")).toBe(`omnia: ${target} ${errOutputExists}\n`);
    await expect(readFile(target, "utf8")).resolves.toBe("# edited by hand\n");
    await expect(readdir(join(dir, "out"))).resolves.toEqual(["hq-extensions.yaml"]);
    expect(await runCli([...args, "--force"]), err.join("")).toBe(0);
    await expect(readFile(target, "utf8")).resolves.toContain('number: "301"');
  });

  it("says which file is missing", async () => {
    const code = await runCli(["import-sheet", join(dir, "nope.xlsx"), "--tenant", "ACME001", "--pbx", "hq"]);
    expect(code).toBe(1);
    expect(err.join("")).toContain("nope.xlsx");
  });
});
