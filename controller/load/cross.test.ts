import { afterAll, describe, expect, it } from "vitest";
import { baseRepo, cleanupRepos, head, loadRepo } from "../test-support/repo.js";

afterAll(cleanupRepos);

/** Loads the base repository plus `files`; returns every problem as "file:line:col Kind/name: message". */
async function problemsOf(
  files: Record<string, string>,
  env: Record<string, string> = {},
): Promise<string[]> {
  const { problems } = await loadRepo(
    { ...baseRepo, ...files },
    { env: { OMNIA_SECRET_PIN: "4711", ...env } },
  );
  return problems.map((p) => `${p.file}:${p.line}:${p.col} ${p.kind ?? "-"}/${p.name ?? "-"}: ${p.message}`);
}

/** An extension document (one line per field, so positions are easy to read). */
const ext = (
  name: string,
  tenant: string,
  pbx: string,
  number: string,
  extra = "",
  pin = "{fromEnv: OMNIA_SECRET_PIN}",
) =>
  `${head("Extension", `{name: ${name}, tenant: ${tenant}, pbx: ${pbx}}`)}spec:\n  number: "${number}"\n  license: start\n  pin: ${pin}\n${extra}`;
const num = (name: string, number: string, digits: number, pbx = "hq", trunk = "main", tenant = "ACME001") =>
  `${head("Number", `{name: ${name}, tenant: ${tenant}}`)}spec:\n  number: "${number}"\n  blockDigits: ${digits}\n  pbx: ${pbx}\n  trunk: ${trunk}\n`;
const doc = (...docs: string[]) => docs.join("---\n");

const cases: Array<[string, Record<string, string>, string[]]> = [
  // ---- references
  [
    "a PBX of an undeclared tenant",
    { "t.yaml": `${head("Pbx", "{name: p9, tenant: NOPE}")}spec: {kind: single}\n` },
    ["t.yaml:3:30 Pbx/p9: tenant 'NOPE' is not declared (no Tenant with that customerCode)"],
  ],
  [
    "an extension of an undeclared PBX",
    { "t.yaml": ext("e1", "ACME001", "nowhere", "201") },
    ["t.yaml:3:44 Extension/e1: PBX 'nowhere' is not declared in tenant 'ACME001'"],
  ],
  [
    "an extension of a PBX that exists only in another tenant",
    { "t.yaml": ext("e1", "ACME001", "south", "201") },
    ["t.yaml:3:44 Extension/e1: PBX 'south' is not declared in tenant 'ACME001'"],
  ],
  [
    "a number routed to an undeclared PBX over an undeclared trunk",
    { "t.yaml": num("n1", "+390212345600", 2, "nowhere", "nope") },
    [
      "t.yaml:7:8 Number/n1: PBX 'nowhere' is not declared in tenant 'ACME001'",
      "t.yaml:8:10 Number/n1: SIP trunk 'nope' is not declared in tenant 'ACME001'",
    ],
  ],
  [
    "an extension naming only the email of an undeclared user",
    { "t.yaml": ext("e1", "ACME001", "hq", "201", "  user: {email: nobody@acme.example}\n") },
    [
      "t.yaml:8:17 Extension/e1: user 'nobody@acme.example' is not declared in tenant 'ACME001': add a User document, or give firstName and lastName here to create it",
    ],
  ],
  [
    "references to a tenant whose own document has a problem are not reported again",
    {
      "t.yaml": doc(
        `${head("Tenant", "{name: gamma}")}spec: {businessName: G, customerCode: GAMMA, vatNumber: "12345678901", fiscalCode: "08712340150"}\n`,
        `${head("Pbx", "{name: p1, tenant: GAMMA}")}spec: {kind: single}\n`,
      ),
    },
    [
      "t.yaml:4:57 Tenant/gamma: field 'spec.vatNumber' must be an Italian VAT number (Partita IVA, 11 digits) (got \"12345678901\"): it has office code 890 (digits 8-10), not one the agency gives (001-100, 120, 121, 888, 999)",
    ],
  ],
  // ---- duplicates
  [
    "the same extension declared in two files (both places named)",
    { "a.yaml": ext("e1", "ACME001", "hq", "201"), "b.yaml": ext("e2", "ACME001", "hq", "201") },
    ["b.yaml:5:11 Extension/e2: duplicate Extension/ACME001/hq/201: already declared at a.yaml:5:11"],
  ],
  [
    "the same user email in another case",
    {
      "t.yaml": `${head("User", "{name: giulia2, tenant: ACME001}")}spec: {firstName: Giulia, lastName: Rossi, email: Giulia.Rossi@ACME.example}\n`,
    },
    [
      "t.yaml:4:51 User/giulia2: duplicate User/ACME001/giulia.rossi@acme.example: already declared at base/acme.yaml:24:51",
    ],
  ],
  [
    "two tenants with one customer code",
    {
      "t.yaml": `${head("Tenant", "{name: acme-bis}")}spec: {businessName: X, customerCode: ACME001, vatNumber: "08712340150", fiscalCode: "08712340150"}\n`,
    },
    ["t.yaml:4:39 Tenant/acme-bis: duplicate Tenant/ACME001: already declared at base/acme.yaml:4:49"],
  ],
  [
    "the same number block twice",
    { "t.yaml": doc(num("n1", "+390212345600", 2), num("n2", "+390212345600", 1)) },
    ["t.yaml:14:11 Number/n2: duplicate Number/+390212345600: already declared at t.yaml:5:11"],
  ],
  // ---- PBX groups
  [
    "an extension number used by two PBXs of one group in different tenants",
    { "a.yaml": ext("e1", "ACME001", "north", "301"), "b.yaml": ext("e2", "BETA002", "south", "301") },
    [
      "b.yaml:5:11 Extension/e2: extension 301 clashes with ACME001/north 301 at a.yaml:5:11: PBXs of group 'g1' share one numbering plan",
    ],
  ],
  [
    "the same number in a single PBX and a group PBX is fine",
    { "a.yaml": ext("e1", "ACME001", "hq", "301"), "b.yaml": ext("e2", "ACME001", "north", "301") },
    [],
  ],
  [
    "the same number in two 'shared' PBXs of one group is fine (they share queues, not numbering)",
    {
      "t.yaml": doc(
        `${head("Pbx", "{name: s1, tenant: ACME001}")}spec: {kind: shared, group: g2}\n`,
        `${head("Pbx", "{name: s2, tenant: BETA002}")}spec: {kind: shared, group: g2}\n`,
        ext("e1", "ACME001", "s1", "301"),
        ext("e2", "BETA002", "s2", "301"),
      ),
    },
    [],
  ],
  // ---- number blocks
  [
    "a 2-digit block inside a 3-digit block",
    { "t.yaml": doc(num("n1", "+390212345000", 3), num("n2", "+390212345600", 2)) },
    [
      "t.yaml:14:11 Number/n2: block +390212345600 (100 numbers) overlaps block +390212345000 (1000 numbers) at t.yaml:5:11",
    ],
  ],
  [
    "a 1-digit block inside a 2-digit block declared after it",
    { "t.yaml": doc(num("n1", "+390212345650", 1), num("n2", "+390212345600", 2)) },
    [
      "t.yaml:5:11 Number/n1: block +390212345650 (10 numbers) overlaps block +390212345600 (100 numbers) at t.yaml:14:11",
    ],
  ],
  [
    "adjacent blocks and blocks of numbers of different lengths do not overlap",
    {
      "t.yaml": doc(
        num("n1", "+390212345600", 2),
        num("n2", "+390212345700", 2),
        num("n3", "+39021234560", 1),
      ),
    },
    [],
  ],
  [
    "a block whose last digits are not zero",
    { "t.yaml": num("n1", "+390212345610", 2) },
    [
      "t.yaml:5:11 Number/n1: the last 2 digits of +390212345610 must be 0 for a 2-digit block (a block starts at +390212345600)",
    ],
  ],
  // ---- users defined in two places
  [
    "an inline user whose names differ from the User document",
    {
      "t.yaml": ext(
        "e1",
        "ACME001",
        "hq",
        "201",
        "  user: {email: giulia.rossi@acme.example, firstName: Giulia, lastName: Bianchi}\n",
      ),
    },
    [
      "t.yaml:8:9 Extension/e1: user 'giulia.rossi@acme.example' is defined here as 'Giulia Bianchi' but as 'Giulia Rossi' at base/acme.yaml:24:7",
    ],
  ],
  [
    "two inline definitions of one user that differ",
    {
      "t.yaml": doc(
        ext(
          "e1",
          "ACME001",
          "hq",
          "201",
          "  user: {email: anna@acme.example, firstName: Anna, lastName: Neri}\n",
        ),
        ext(
          "e2",
          "ACME001",
          "hq",
          "202",
          "  user: {email: ANNA@acme.example, firstName: Anna, lastName: Nero}\n",
        ),
      ),
    },
    [
      "t.yaml:17:9 Extension/e2: user 'ANNA@acme.example' is defined here as 'Anna Nero' but as 'Anna Neri' at t.yaml:8:9",
    ],
  ],
  [
    "the same inline user in two tenants is two users",
    {
      "t.yaml": doc(
        ext(
          "e1",
          "ACME001",
          "hq",
          "201",
          "  user: {email: anna@x.example, firstName: Anna, lastName: Neri}\n",
        ),
        ext(
          "e2",
          "BETA002",
          "south",
          "202",
          "  user: {email: anna@x.example, firstName: Anna, lastName: Rossi}\n",
        ),
      ),
    },
    [],
  ],
  // ---- secrets
  [
    "a PIN from an unset variable",
    { "t.yaml": ext("e1", "ACME001", "hq", "201", "", "{fromEnv: OMNIA_SECRET_NO_SUCH_PIN}") },
    [
      "t.yaml:7:18 Extension/e1: secret from environment variable OMNIA_SECRET_NO_SUCH_PIN: the variable is unset or empty",
    ],
  ],
  [
    "a PIN from an empty variable",
    { "t.yaml": ext("e1", "ACME001", "hq", "201", "", "{fromEnv: OMNIA_SECRET_EMPTY_PIN}") },
    [
      "t.yaml:7:18 Extension/e1: secret from environment variable OMNIA_SECRET_EMPTY_PIN: the variable is unset or empty",
    ],
  ],
  [
    "a PIN from a missing file",
    { "t.yaml": ext("e1", "ACME001", "hq", "201", "", "{fromFile: secrets/none.txt}") },
    ["t.yaml:7:19 Extension/e1: secret from file secrets/none.txt: the file does not exist"],
  ],
  [
    "a trunk password from an empty file",
    {
      "t.yaml": `${head("SipTrunk", "{name: t2, tenant: ACME001}")}spec:\n  description: D\n  operator: O\n  endpoint: sip.example.net\n  password: {fromFile: empty.txt}\n`,
      "empty.txt": "\n",
    },
    ["t.yaml:8:24 SipTrunk/t2: secret from file empty.txt: the file is empty"],
  ],
];

describe("cross-document checks: each gives its message at its line:col", () => {
  it.each(cases)("%s", async (_name, files, want) => {
    expect(await problemsOf(files, { OMNIA_SECRET_EMPTY_PIN: "" })).toEqual(want);
  });
});

describe("the manual's Omnia Manager switch", () => {
  it("refuses each PBX, trunk, number and extension of a tenant with omniaManager: false, naming the tenant's place", async () => {
    const acme = (baseRepo["base/acme.yaml"] ?? "").replace(
      'fiscalCode: "08712340150"}',
      'fiscalCode: "08712340150", omniaManager: false}',
    );
    const { problems } = await loadRepo({ ...baseRepo, "base/acme.yaml": acme });
    const rule = problems.filter((p) => p.code === "manual-rule");
    expect(rule.map((p) => `${p.file}:${p.line} ${p.kind}/${p.name}`)).toEqual([
      "base/acme.yaml:8 Pbx/hq",
      "base/acme.yaml:13 Pbx/north",
      "base/acme.yaml:18 SipTrunk/main",
    ]);
    expect(rule[0]?.message).toMatch(
      /^tenant 'ACME001' has omniaManager: false \(base\/acme\.yaml:4:\d+\), and a PBX is an Omnia Manager object the platform refuses without it; set omniaManager: true on the Tenant or remove this document$/,
    );
    expect(
      problems.filter((p) => p.code !== "manual-rule"),
      "nothing else, users included",
    ).toEqual([]);
  });
});
