/**
 * The end-to-end parts of issue 8's cases 03, 09 and 11 (shared/cases/, kept byte for
 * byte under controller/load/fixtures/): what the user expected from `omnia apply`,
 * `plan`, `drift` and `export` against the stand-in. The loader's part of each case is
 * in controller/load/cases.test.ts.
 */
import { createHash } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { observe } from "../engine/observe/observe.js";
import { testCli, useStandinAndCli } from "../test-support/cli.js";

const fixtures = join(import.meta.dirname, "..", "load", "fixtures");
const setup = useStandinAndCli();

/** A copy of a fixture folder, so a test may edit it without touching the fixture. */
async function copyOf(folder: string): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), "omnia-case-")), "repo");
  await cp(join(fixtures, folder), dir, { recursive: true });
  return dir;
}

/** Whether a stand-in PIN hash (`salt:sha256(salt:value)`) is the hash of `value`. */
const isHashOf = (hash: string | undefined, value: string) => {
  const [salt, digest] = (hash ?? "").split(":");
  return digest === createHash("sha256").update(`${salt}:${value}`).digest("hex");
};

describe("case 03: Italian geographic numbering, applied", () => {
  it("refuses the whole apply at validate, naming each impossible number, and creates nothing", async () => {
    const r = await setup.cli.run(["apply", join(fixtures, "case-03/input-apply"), "--auto-approve"]);
    expect(r.code).toBe(1);
    const said = r.stdout + r.stderr;
    for (const text of [
      "Number/did-mobile: +393471234500 is in the mobile (3) range",
      "Number/did-too-long: +39021234567890 has 12 digits after +39",
      "Number/did-too-short: +3902120 has 5 digits after +39",
      "Number/did-tollfree: +39800123450 is in the toll-free (80x) range",
    ])
      expect(said).toContain(text);
    expect((await observe(setup.e.client, { tenants: ["OTTICA01"] })).tenants).toEqual([]);
  });

  it("creates the geographic blocks once the impossible ones are gone, and a second plan is empty", async () => {
    const dir = await copyOf("case-03/input-apply");
    const file = join(dir, "manifests.yaml");
    const docs = (await readFile(file, "utf8")).split(/^---$/m);
    const kept = docs.filter((d) => !/name: did-(mobile|too-long|too-short|tollfree)\b/.test(d));
    expect(docs.length - kept.length, "the four impossible blocks").toBe(4);
    // The case's VAT number 01234567897 has office code 789, which the agency never gives.
    await writeFile(file, kept.join("---").replaceAll('"01234567897"', '"08712340150"'));
    const applied = await setup.cli.run(["apply", dir, "--auto-approve", "--source", "case03"]);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const live = await observe(setup.e.client, { tenants: ["OTTICA01"] });
    expect(live.numbers.map((n) => [n.spec.number, n.spec.blockDigits]).sort()).toEqual([
      ["+390212345600", 2],
      ["+390612345670", 1],
    ]);
    const again = await setup.cli.run(["plan", dir, "--detailed-exitcode", "--source", "case03"]);
    expect(again.code, again.stdout).toBe(0);
  });
});

describe("case 09: manifests from Windows (BOM, CRLF), applied", () => {
  it("applies with the names as written and the PIN without its CRLF; a second plan is empty", async () => {
    const dir = join(fixtures, "case-09/input-ok");
    const r = await setup.cli.run(["apply", dir, "--auto-approve", "--source", "case09"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Apply complete: 4 done, 0 failed, 0 skipped/);
    const live = await observe(setup.e.client, { tenants: ["FARMA01"] });
    expect(live.tenants.map((t) => t.spec.businessName)).toEqual([
      "Farmacia Centrale di Niccolò D'Amico & C. S.a.s.",
    ]);
    expect(live.tenants.map((t) => t.spec.fiscalCode)).toEqual(["DMCNCLURMMNFNLRY"]);
    expect(live.users.map((u) => [u.spec.firstName, u.spec.lastName])).toEqual([["Niccolò", "D'Amico"]]);
    const ext = [...setup.e.standin.state.extensions.values()].find((e) => e.number === "10");
    expect(isHashOf(ext?.pinHash, "4711"), "the platform holds PIN 4711, not 4711\\r\\n").toBe(true);
    const again = await setup.cli.run(["plan", dir, "--detailed-exitcode", "--source", "case09"]);
    expect(again.code, again.stdout).toBe(0);
  });
});

describe("case 11: a mixed-case email with a plus tag, applied", () => {
  // The case's manifest reads PIN_VIAGGI_21: an operator allows the prefix PIN_.
  const env = { PIN_VIAGGI_21: "5521", OMNIA_SECRET_ENV_PREFIXES: "OMNIA_SECRET_,PIN_" };
  const email = "Chiara.DeRosa+centralino@Agenzia-Esempio.IT";

  it("applies; plan and drift are empty; export writes the email as written", async () => {
    const dir = join(fixtures, "case-11/input");
    const r = await setup.cli.run(["apply", dir, "--auto-approve", "--source", "case11"], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Apply complete: 4 done, 0 failed, 0 skipped/);
    const live = await observe(setup.e.client, { tenants: ["VIAGGI01"] });
    expect(live.users.map((u) => u.spec.email)).toEqual([email]);
    expect(live.extensions.map((x) => [x.spec.number, x.spec.user?.email])).toEqual([["21", email]]);

    const plan = await setup.cli.run(["plan", dir, "--detailed-exitcode", "--source", "case11"], env);
    expect(plan.code, plan.stdout).toBe(0);
    const drift = await setup.cli.run(["drift", dir, "--source", "case11"], env);
    expect({ code: drift.code, out: drift.stdout }).toMatchObject({ code: 0 });
    expect(drift.stdout).toContain("No drift");

    const elsewhere = await testCli(setup.e.standin); // export into a state store of its own
    const out = await mkdtemp(join(tmpdir(), "omnia-case11-export-"));
    const exported = await elsewhere.run(["export", "--tenant", "VIAGGI01", "--out", out]);
    expect(exported.code, exported.stdout + exported.stderr).toBe(0);
    expect(await exportedText(join(out, "VIAGGI01"))).toContain(`email: ${email}`);
  });
});

/** Every manifest `omnia export` wrote into `dir`, as one text. */
async function exportedText(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((f) => f.endsWith(".yaml"));
  return (await Promise.all(names.map((f) => readFile(join(dir, f), "utf8")))).join("\n");
}
