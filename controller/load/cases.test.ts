/**
 * The manifest cases of issue 8 (../shared/cases/, kept byte for byte under fixtures/):
 * what `omnia validate` (loadDirectory) says about each, line for line. Cases whose
 * CASE.md also expects an apply or plan result are checked here as far as the loader
 * sees them: the state that apply would send.
 */
import { readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { defaultSecretEnvPrefixes } from "./build.js";
import { formatProblem, loadDirectory, loadTexts, msg } from "./index.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

/**
 * The cases' manifests read PINs from `PIN_*` variables, written before omnia's allowed
 * prefix `OMNIA_SECRET_` existed; the fixtures stay byte for byte, so these runs allow
 * `PIN_` as an operator would (OMNIA_SECRET_ENV_PREFIXES=OMNIA_SECRET_,PIN_).
 */
const casePrefixes = ["OMNIA_SECRET_", "PIN_"];

/** `omnia validate`'s lines for a fixture folder, paths relative to fixtures/. */
async function validate(
  folder: string,
  env: Record<string, string> = {},
  prefixes: readonly string[] = casePrefixes,
) {
  const result = await loadDirectory(join(fixtures, folder), { env, secretEnvPrefixes: prefixes });
  const lines = result.problems.map((p) =>
    formatProblem(p, (f) => relative(fixtures, f)).replaceAll(`${fixtures}/`, ""),
  );
  return { lines, state: result.state };
}

// The three cases' Tenant carries VAT and fiscal code 01234567897: its office code 789
// (digits 8-10) is not one the revenue agency gives, so item 1 of the issue refuses it too.
const vat789 = (folder: string) => [
  `${folder}/manifests.yaml:8:14: Tenant/${tenantOf[folder]}: field 'spec.vatNumber' must be an Italian VAT number (Partita IVA, 11 digits) (got "01234567897"): it has office code 789 (digits 8-10), not one the agency gives (001-100, 120, 121, 888, 999)`,
  `${folder}/manifests.yaml:9:15: Tenant/${tenantOf[folder]}: field 'spec.fiscalCode' must be an Italian fiscal code (Codice Fiscale: 16 characters for a person, 11 digits for a company) (got "01234567897"): it has office code 789 (digits 8-10), not one the agency gives (001-100, 120, 121, 888, 999)`,
];
const tenantOf: Record<string, string> = {
  "case-01/input": "bar-sport-rossi",
  "case-02/input": "pizzeria-napoli",
  "case-03/input": "ottica-bianchi",
  "case-03/input-apply": "ottica-bianchi",
};
const notGeographic = (folder: string, line: number, name: string, number: string, range: string) =>
  `${folder}/manifests.yaml:${line}:11: Number/${name}: ${number} is in the ${range} range of the Italian numbering plan, not a geographic number: a Number block holds geographic direct-dial numbers`;
const badLength = (folder: string, line: number, name: string, number: string, digits: number) =>
  `${folder}/manifests.yaml:${line}:11: Number/${name}: ${number} has ${digits} digits after +39; an Italian geographic number has 6 to 11 (numbering plan of AGCOM)`;

describe("issue 8 cases, as omnia validate reports them", () => {
  it("case 01: unquoted extension numbers are refused with what was written and a hint to quote", async () => {
    const env = { PIN_0201: "1234", PIN_202: "1234", PIN_0017: "1234" };
    expect((await validate("case-01/input", env)).lines).toEqual([
      ...vat789("case-01/input"),
      `case-01/input/manifests.yaml:26:11: Extension/bar-0201: field 'spec.number' must be a string (got number 201, written 0201): YAML reads 0201 as a number; quote it to keep it as written: "0201"`,
      `case-01/input/manifests.yaml:37:11: Extension/bar-202: field 'spec.number' must be a string (got number 202): YAML reads 202 as a number; quote it to keep it as written: "202"`,
      `case-01/input/manifests.yaml:48:11: Extension/bar-0017: field 'spec.number' must be a string (got number 15, written 0o17): YAML reads 0o17 as a number; quote it to keep it as written: "0o17"`,
    ]);
  });

  it("case 02: an unquoted +39 number and a national 0039 form are refused, never sent without '+'", async () => {
    const { lines, state } = await validate("case-02/input");
    expect(lines).toEqual([
      ...vat789("case-02/input"),
      `case-02/input/manifests.yaml:35:11: Number/did-main: field 'spec.number' must be a string (got number 390812345600, written +390812345600): YAML reads +390812345600 as a number; quote it to keep it as written: "+390812345600"`,
      `case-02/input/manifests.yaml:46:11: Number/did-second: field 'spec.number' does not match ^\\+[1-9][0-9]{6,14}$ (got "0039 081 2345700"): First number of the block, E.164`,
      `case-02/input/manifests.yaml:47:16: Number/did-second: field 'spec.blockDigits' must be one of: 1, 2, 3 (got "2")`,
    ]);
    expect(state.numbers).toEqual([]);
  });

  it("case 03: impossible lengths and non-geographic +39 ranges are refused; alignment and overlap still are", async () => {
    const f = "case-03/input";
    const at = join(fixtures, f, "manifests.yaml");
    expect((await validate(f)).lines).toEqual([
      ...vat789(f),
      notGeographic(f, 60, "did-mobile", "+393471234500", "mobile (3)"),
      badLength(f, 72, "did-too-long", "+39021234567890", 12),
      badLength(f, 84, "did-too-short", "+3902120", 5),
      `${f}/manifests.yaml:96:11: Number/did-misaligned: the last 2 digits of +390212345650 must be 0 for a 2-digit block (a block starts at +390212345600)`,
      `${f}/manifests.yaml:96:11: Number/did-misaligned: block +390212345650 (100 numbers) overlaps block +390212345600 (100 numbers) at ${relative(fixtures, at)}:36:11`,
      `${f}/manifests.yaml:108:11: Number/did-overlap: block +390212345610 (10 numbers) overlaps block +390212345600 (100 numbers) at ${relative(fixtures, at)}:36:11`,
      notGeographic(f, 120, "did-tollfree", "+39800123450", "toll-free (80x)"),
    ]);
  });

  it("case 03 (input-apply): validate now refuses what apply used to create", async () => {
    const f = "case-03/input-apply";
    expect((await validate(f)).lines).toEqual([
      ...vat789(f),
      notGeographic(f, 60, "did-mobile", "+393471234500", "mobile (3)"),
      badLength(f, 72, "did-too-long", "+39021234567890", 12),
      badLength(f, 84, "did-too-short", "+3902120", 5),
      notGeographic(f, 96, "did-tollfree", "+39800123450", "toll-free (80x)"),
    ]);
  });

  it("case 09: a UTF-8 BOM and CRLF load as LF text; accented names and the omocodia code kept; the PIN loses its CRLF", async () => {
    const { lines, state } = await validate("case-09/input-ok");
    expect(lines).toEqual([]);
    expect(state.tenants[0]?.spec).toMatchObject({
      businessName: "Farmacia Centrale di Niccolò D'Amico & C. S.a.s.",
      fiscalCode: "DMCNCLURMMNFNLRY",
    });
    expect(state.users[0]?.spec).toMatchObject({ firstName: "Niccolò", lastName: "D'Amico" });
    expect(state.extensions.map((e) => e.spec.pin.reveal())).toEqual(["4711"]);
    expect(JSON.stringify(state)).not.toMatch(/\r|\uFEFF/);
  });

  it("case 09: a TAB used as indentation is one error at the tab, without its consequences", async () => {
    expect((await validate("case-09/input-tab")).lines).toEqual([
      "case-09/input-tab/farmacia.yaml:19:1: YAML syntax error: a TAB is used for indentation here; YAML indents with spaces only: replace the tab with spaces",
    ]);
  });

  it("case 10: PIN files with a BOM, CRLF or a blank line give the PIN itself", async () => {
    const { lines, state } = await validate("case-10/input");
    expect(lines).toEqual([]);
    expect(state.extensions.map((e) => [e.spec.number, e.spec.pin.reveal()])).toEqual([
      ["10", "4711"],
      ["11", "4712"],
    ]);
  });

  it("case 11: a lower-case reference to a mixed-case email resolves; the email is kept as written", async () => {
    const { lines, state } = await validate("case-11/input", { PIN_VIAGGI_21: "5521" });
    expect(lines).toEqual([]);
    expect(state.users.map((u) => u.spec.email)).toEqual(["Chiara.DeRosa+centralino@Agenzia-Esempio.IT"]);
    expect(state.extensions).toHaveLength(1);
  });

  it("case 11 with omnia's default prefix: the PIN variable is refused at its place, naming the prefix", async () => {
    const { lines } = await validate("case-11/input", { PIN_VIAGGI_21: "5521" }, defaultSecretEnvPrefixes);
    expect(lines).toEqual([
      `case-11/input/repo.yaml:38:19: Extension/agenzia-21: ${msg.secretEnvNotAllowed("PIN_VIAGGI_21", ["OMNIA_SECRET_"])}`,
    ]);
  });

  it("case 11: a second User whose email differs only in case is a duplicate", async () => {
    const text = await readFile(join(fixtures, "case-11/input/repo.yaml"), "utf8");
    const second =
      "---\napiVersion: omnia.kalliope.io/v1\nkind: User\nmetadata:\n  name: chiara-de-rosa-bis\n  tenant: VIAGGI01\nspec:\n  firstName: Chiara\n  lastName: De Rosa\n  email: chiara.derosa+centralino@agenzia-esempio.it\n";
    const { problems } = loadTexts(new Map([["repo.yaml", `${text}${second}`]]), {
      env: { PIN_VIAGGI_21: "5521" },
      secretEnvPrefixes: casePrefixes,
    });
    expect(problems.map((p) => [p.kind, p.name, p.code])).toEqual([
      ["User", "chiara-de-rosa-bis", "duplicate-key"],
    ]);
  });

  it("case 12: YAML 1.1 booleans and the surname Null are refused per field with what to write", async () => {
    expect((await validate("case-12/input")).lines).toEqual([
      "case-12/input/repo.yaml:10:17: Tenant/albergo-lago: field 'spec.omniaManager' must be true or false (got string \"no\"): YAML 1.2 reads no as text, not as a boolean as YAML 1.1 did; write true or false",
      "case-12/input/repo.yaml:19:15: Pbx/reception: field 'spec.callCenter' must be true or false (got string \"yes\"): YAML 1.2 reads yes as text, not as a boolean as YAML 1.1 did; write true or false",
      "case-12/input/repo.yaml:20:10: Pbx/reception: field 'spec.hotel' must be true or false (got string \"on\"): YAML 1.2 reads on as text, not as a boolean as YAML 1.1 did; write true or false",
      `case-12/input/repo.yaml:29:13: User/mario-null: field 'spec.lastName' must be a string (got null, written Null): YAML reads Null as null; quote it to keep it as written: "Null"`,
    ]);
  });

  it("case 13: a duplicate key is an error at the second key", async () => {
    expect((await validate("case-13/input-dup")).lines).toEqual([
      "case-13/input-dup/repo.yaml:29:3: YAML syntax error: Map keys must be unique",
    ]);
  });

  it("case 13: merge keys pointing into the previous document get the parser's message at each alias", async () => {
    const why = "(an anchor is known only after it, inside its own document: anchors do not cross ---)";
    expect((await validate("case-13/input-merge", { PIN_PANE_32: "3232" })).lines).toEqual([
      `case-13/input-merge/repo.yaml:33:7: YAML syntax error: Unresolved alias (the anchor must be set before the alias): meta ${why}`,
      `case-13/input-merge/repo.yaml:36:7: YAML syntax error: Unresolved alias (the anchor must be set before the alias): ext ${why}`,
    ]);
  });
});
