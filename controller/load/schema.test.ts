import { afterAll, describe, expect, it } from "vitest";
import { baseRepo, cleanupRepos, head, loadRepo } from "../test-support/repo.js";

afterAll(cleanupRepos);

/** Loads `text` as t.yaml beside the base repository; returns its problems as "line:col Kind/name: message". */
async function problemsOf(text: string): Promise<string[]> {
  const { problems } = await loadRepo(
    { ...baseRepo, "t.yaml": text },
    { env: { OMNIA_SECRET_PIN_E1: "4711" } },
  );
  return problems.map((p) => `${p.file}:${p.line}:${p.col} ${p.kind ?? "-"}/${p.name ?? "-"}: ${p.message}`);
}

const ext = (spec: string, metadata = "{name: e1, tenant: ACME001, pbx: hq}") =>
  `${head("Extension", metadata)}spec:\n${spec}`;
const pinEnv = "  pin: {fromEnv: OMNIA_SECRET_PIN_E1}\n";

// Each case: the document, then every problem the loader must report for it (file:line:col, who, message).
const cases: Array<[string, string, string[]]> = [
  // ---- envelope and YAML
  [
    "a YAML syntax error",
    "apiVersion: omnia.kalliope.io/v1\nkind: [Tenant\n",
    [
      "t.yaml:3:1 -/-: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
  ],
  [
    "an unknown kind",
    `${head("Fax", "{name: f1}")}spec: {}\n`,
    ['t.yaml:2:7 Fax/f1: unknown kind "Fax" (allowed: Tenant, User, Pbx, Extension, Number, SipTrunk)'],
  ],
  [
    "a misspelt kind, with a suggestion",
    `${head("Extention", "{name: e9}")}spec: {}\n`,
    [
      "t.yaml:2:7 Extention/e9: unknown kind \"Extention\" (allowed: Tenant, User, Pbx, Extension, Number, SipTrunk); did you mean 'Extension'?",
    ],
  ],
  [
    "a key written twice in one mapping",
    "apiVersion: omnia.kalliope.io/v1\nkind: Pbx\nkind: Pbx\n",
    ["t.yaml:3:1 -/-: YAML syntax error: Map keys must be unique"],
  ],
  [
    "a PBX name on a kind that has none (metadata.pbx on a Number)",
    `${head("Number", "{name: n9, tenant: ACME001, pbx: hq}")}spec: {number: "+390212345600", blockDigits: 2, pbx: hq, trunk: main}\n`,
    ["t.yaml:3:39 Number/n9: field 'metadata.pbx' is not allowed on a Number"],
  ],
  [
    "a tenant on a Tenant",
    `${head("Tenant", "{name: t9, tenant: ACME001}")}spec: {businessName: X, customerCode: T9, vatNumber: "08712340150", fiscalCode: "08712340150"}\n`,
    ["t.yaml:3:22 Tenant/t9: field 'metadata.tenant' is not allowed on a Tenant"],
  ],
  [
    "a missing kind",
    "apiVersion: omnia.kalliope.io/v1\nmetadata: {name: x}\n",
    [
      "t.yaml:1:1 -/x: missing required field 'kind' (allowed: Tenant, User, Pbx, Extension, Number, SipTrunk)",
    ],
  ],
  [
    "a wrong apiVersion",
    "apiVersion: omnia.kalliope.io/v2\nkind: Pbx\nmetadata: {name: p9, tenant: ACME001}\nspec: {kind: single}\n",
    ['t.yaml:1:13 Pbx/p9: unsupported apiVersion "omnia.kalliope.io/v2" (allowed: omnia.kalliope.io/v1)'],
  ],
  [
    "a missing apiVersion",
    "kind: Pbx\nmetadata: {name: p9, tenant: ACME001}\nspec: {kind: single}\n",
    ["t.yaml:1:1 Pbx/p9: missing required field 'apiVersion' (allowed: omnia.kalliope.io/v1)"],
  ],
  [
    "a document that is a list",
    "- a\n- b\n",
    [
      "t.yaml:1:1 -/-: a manifest document must be a mapping with apiVersion, kind, metadata and spec (got a list)",
    ],
  ],
  [
    "a missing spec (position of the parent object)",
    head("Pbx", "{name: p9, tenant: ACME001}"),
    ["t.yaml:1:1 Pbx/p9: missing required field 'spec'"],
  ],
  // ---- metadata (common.schema.json)
  [
    "an unknown metadata field, with a suggestion",
    "apiVersion: omnia.kalliope.io/v1\nkind: Pbx\nmetadata:\n  name: p9\n  tenant: ACME001\n  lables: {a: b}\nspec: {kind: single}\n",
    [
      "t.yaml:6:3 Pbx/p9: unknown field 'lables' (allowed: name, tenant, pbx, labels, deletionPolicy, driftMode, ignore); did you mean 'labels'?",
    ],
  ],
  [
    "a name that is not a DNS label",
    `${head("Pbx", "{name: Head_Office, tenant: ACME001}")}spec: {kind: single}\n`,
    [
      "t.yaml:3:18 Pbx/Head_Office: field 'metadata.name' does not match ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ (got \"Head_Office\"): Name of the document: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
    ],
  ],
  [
    "a missing tenant on a kind that needs one",
    `${head("Pbx", "{name: p9}")}spec: {kind: single}\n`,
    ["t.yaml:3:11 Pbx/p9: missing required field 'tenant'"],
  ],
  [
    "a deletionPolicy outside its enum",
    `${head("Pbx", "{name: p9, tenant: ACME001, deletionPolicy: keep}")}spec: {kind: single}\n`,
    ['t.yaml:3:55 Pbx/p9: field \'metadata.deletionPolicy\' must be one of: "delete", "orphan" (got "keep")'],
  ],
  [
    "a driftMode outside its enum",
    `${head("Pbx", "{name: p9, tenant: ACME001, driftMode: fix}")}spec: {kind: single}\n`,
    [
      't.yaml:3:50 Pbx/p9: field \'metadata.driftMode\' must be one of: "enforce", "warn", "observe" (got "fix")',
    ],
  ],
  [
    "an ignore path outside spec",
    `${head("Pbx", "{name: p9, tenant: ACME001, ignore: [metadata.name]}")}spec: {kind: single}\n`,
    [
      "t.yaml:3:48 Pbx/p9: field 'metadata.ignore[0]' does not match ^spec(\\.[A-Za-z][A-Za-z0-9]*)+$ (got \"metadata.name\")",
    ],
  ],
  [
    "an ignore list with a repeated path",
    `${head("Pbx", "{name: p9, tenant: ACME001, ignore: [spec.hotel, spec.hotel]}")}spec: {kind: single}\n`,
    [
      "t.yaml:3:47 Pbx/p9: field 'metadata.ignore' must NOT have duplicate items (items ## 1 and 0 are identical)",
    ],
  ],
  [
    "a label with an invalid key",
    `${head("Pbx", "{name: p9, tenant: ACME001, labels: {'-bad': x}}")}spec: {kind: single}\n`,
    ["t.yaml:3:47 Pbx/p9: field 'metadata.labels' has an invalid key (\"-bad\")"],
  ],
  [
    "a label value that is not a string",
    `${head("Pbx", "{name: p9, tenant: ACME001, labels: {floor: [1]}}")}spec: {kind: single}\n`,
    ["t.yaml:3:55 Pbx/p9: field 'metadata.labels.floor' must be a string (got a list)"],
  ],
  [
    "a name longer than 63 characters",
    `${head("Pbx", `{name: ${"a".repeat(64)}, tenant: ACME001}`)}spec: {kind: single}\n`,
    [
      `t.yaml:3:18 Pbx/${"a".repeat(64)}: field 'metadata.name' does not match ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ (got "${"a".repeat(64)}"): Name of the document: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters`,
    ],
  ],
  [
    "a label value longer than 63 characters",
    `${head("Pbx", `{name: p9, tenant: ACME001, labels: {team: ${"x".repeat(64)}}}`)}spec: {kind: single}\n`,
    ["t.yaml:3:54 Pbx/p9: field 'metadata.labels.team' must NOT have more than 63 characters"],
  ],
  // ---- Tenant
  [
    "a VAT number with a wrong check digit",
    `${head("Tenant", "{name: t9}")}spec:\n  businessName: X\n  customerCode: T9\n  vatNumber: "08712340151"\n  fiscalCode: "08712340150"\n`,
    [
      "t.yaml:7:14 Tenant/t9: field 'spec.vatNumber' must be an Italian VAT number (Partita IVA, 11 digits) (got \"08712340151\"): it has a wrong check digit",
    ],
  ],
  [
    "a fiscal code with a wrong check character",
    `${head("Tenant", "{name: t9}")}spec:\n  businessName: X\n  customerCode: T9\n  vatNumber: "08712340150"\n  fiscalCode: RSSMRA85T10A562T\n`,
    [
      "t.yaml:8:15 Tenant/t9: field 'spec.fiscalCode' must be an Italian fiscal code (Codice Fiscale: 16 characters for a person, 11 digits for a company) (got \"RSSMRA85T10A562T\"): it has a wrong check character",
    ],
  ],
  [
    "a VAT number written as a YAML number (wrong type)",
    `${head("Tenant", "{name: t9}")}spec:\n  businessName: X\n  customerCode: T9\n  vatNumber: 8712340150\n  fiscalCode: "08712340150"\n`,
    [
      "t.yaml:7:14 Tenant/t9: field 'spec.vatNumber' must be a string (got number 8712340150): YAML reads 8712340150 as a number; quote it to keep it as written: \"8712340150\"",
    ],
  ],
  [
    "a missing business name",
    `${head("Tenant", "{name: t9}")}spec:\n  customerCode: T9\n  vatNumber: "08712340150"\n  fiscalCode: "08712340150"\n`,
    ["t.yaml:5:3 Tenant/t9: missing required field 'businessName'"],
  ],
  [
    "a customer code with a space",
    `${head("Tenant", "{name: t9}")}spec:\n  businessName: X\n  customerCode: T 9\n  vatNumber: "08712340150"\n  fiscalCode: "08712340150"\n`,
    [
      "t.yaml:6:17 Tenant/t9: field 'spec.customerCode' does not match ^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$ (got \"T 9\"): Customer identification code (Codice identificativo Cliente): the natural key of a tenant on the platform",
    ],
  ],
  [
    "a status outside its enum (pending is the platform's own)",
    `${head("Tenant", "{name: t9}")}spec:\n  businessName: X\n  customerCode: T9\n  vatNumber: "08712340150"\n  fiscalCode: "08712340150"\n  status: pending\n`,
    ['t.yaml:9:11 Tenant/t9: field \'spec.status\' must be one of: "active", "suspended" (got "pending")'],
  ],
  [
    "omniaManager that is not a boolean",
    `${head("Tenant", "{name: t9}")}spec:\n  businessName: X\n  customerCode: T9\n  vatNumber: "08712340150"\n  fiscalCode: "08712340150"\n  omniaManager: "yes"\n`,
    ["t.yaml:9:17 Tenant/t9: field 'spec.omniaManager' must be true or false (got string \"yes\")"],
  ],
  // ---- User
  [
    "a user email that is not an email",
    `${head("User", "{name: u9, tenant: ACME001}")}spec: {firstName: A, lastName: B, email: not-an-email}\n`,
    ["t.yaml:4:42 User/u9: field 'spec.email' must be an email address (got \"not-an-email\")"],
  ],
  [
    "roles outside their enums",
    `${head("User", "{name: u9, tenant: ACME001}")}spec:\n  firstName: A\n  lastName: B\n  email: a@b.example\n  adminConsoleRole: owner\n  omniaManagerRole: admin\n`,
    [
      't.yaml:8:21 User/u9: field \'spec.adminConsoleRole\' must be one of: "admin", "viewer", "none" (got "owner")',
      't.yaml:9:21 User/u9: field \'spec.omniaManagerRole\' must be one of: "pbxAdmin", "viewer", "none" (got "admin")',
    ],
  ],
  [
    "a typo in a user field",
    `${head("User", "{name: u9, tenant: ACME001}")}spec:\n  firstName: A\n  lastname: B\n  email: a@b.example\n`,
    [
      "t.yaml:5:3 User/u9: missing required field 'lastName'",
      "t.yaml:6:3 User/u9: unknown field 'lastname' (allowed: firstName, lastName, email, department, adminConsoleRole, omniaManagerRole, mayManageCustomers); did you mean 'lastName'?",
    ],
  ],
  // ---- Pbx
  [
    "a PBX kind outside its enum",
    `${head("Pbx", "{name: p9, tenant: ACME001}")}spec: {kind: cluster}\n`,
    ['t.yaml:4:14 Pbx/p9: field \'spec.kind\' must be one of: "single", "shared", "group" (got "cluster")'],
  ],
  [
    "a group PBX without its group name",
    `${head("Pbx", "{name: p9, tenant: ACME001}")}spec: {kind: group}\n`,
    ["t.yaml:4:7 Pbx/p9: missing required field 'group' (required when kind is not 'single')"],
  ],
  [
    "a single PBX with a group name",
    `${head("Pbx", "{name: p9, tenant: ACME001}")}spec: {kind: single, group: g1}\n`,
    ["t.yaml:4:22 Pbx/p9: field 'group' is not allowed when kind is 'single'"],
  ],
  [
    "a PBX without kind but with a group (only the missing kind is reported)",
    `${head("Pbx", "{name: p9, tenant: ACME001}")}spec: {group: g1}\n`,
    ["t.yaml:4:7 Pbx/p9: missing required field 'kind'"],
  ],
  [
    "a hotel flag that is not a boolean",
    `${head("Pbx", "{name: p9, tenant: ACME001}")}spec: {kind: single, hotel: 1}\n`,
    ["t.yaml:4:29 Pbx/p9: field 'spec.hotel' must be true or false (got number 1)"],
  ],
  // ---- Extension
  [
    "an extension number with a letter",
    ext(`  number: "20a"\n  license: start\n${pinEnv}`),
    [
      "t.yaml:5:11 Extension/e1: field 'spec.number' does not match ^[0-9]{2,6}$ (got \"20a\"): Extension number: 2 to 6 digits, unique within the PBX (within the group for 'group' PBXs)",
    ],
  ],
  [
    "a license outside its enum",
    ext(`  number: "201"\n  license: gold\n${pinEnv}`),
    ['t.yaml:6:12 Extension/e1: field \'spec.license\' must be one of: "start", "plus" (got "gold")'],
  ],
  [
    "a PIN written inline (the value is never echoed)",
    ext(`  number: "201"\n  license: start\n  pin: "4711"\n`),
    [
      "t.yaml:7:8 Extension/e1: field 'spec.pin' must be exactly one of: {fromEnv} or {fromFile} or {fromSecret}; a secret is never written inline: name an environment variable (fromEnv) or a file (fromFile), or through the API a stored secret (fromSecret)",
    ],
  ],
  [
    "a PIN with both fromEnv and fromFile",
    ext(`  number: "201"\n  license: start\n  pin: {fromEnv: A, fromFile: b.txt}\n`),
    [
      "t.yaml:7:8 Extension/e1: field 'spec.pin' must be exactly one of: {fromEnv} or {fromFile} or {fromSecret}",
    ],
  ],
  [
    "a PIN variable name that is not a variable name",
    ext(`  number: "201"\n  license: start\n  pin: {fromEnv: 1PIN}\n`),
    [
      "t.yaml:7:18 Extension/e1: field 'spec.pin.fromEnv' does not match ^[A-Za-z_][A-Za-z0-9_]*$ (got value not shown: it may be a secret): Name of the environment variable that holds the secret",
    ],
  ],
  [
    "a PIN written where the variable name goes (the value is never echoed)",
    ext(`  number: "201"\n  license: start\n  pin: {fromEnv: "4711"}\n`),
    [
      "t.yaml:7:18 Extension/e1: field 'spec.pin.fromEnv' does not match ^[A-Za-z_][A-Za-z0-9_]*$ (got value not shown: it may be a secret): Name of the environment variable that holds the secret",
    ],
  ],
  [
    "a trunk password given as a number (the value is never echoed)",
    `${head("SipTrunk", "{name: t2, tenant: ACME001}")}spec: {description: D, operator: O, endpoint: sip.example.net, password: {fromFile: 12345}}\n`,
    [
      "t.yaml:4:85 SipTrunk/t2: field 'spec.password.fromFile' must be a string (got value not shown: it may be a secret)",
    ],
  ],
  [
    "an inline user with a first name but no last name",
    ext(`  number: "201"\n  license: start\n${pinEnv}  user: {email: a@acme.example, firstName: Anna}\n`),
    ["t.yaml:8:9 Extension/e1: missing required field 'lastName' (required when 'firstName' is given)"],
  ],
  [
    "an extension without its PBX",
    ext(`  number: "201"\n  license: start\n${pinEnv}`, "{name: e1, tenant: ACME001}"),
    ["t.yaml:3:11 Extension/e1: missing required field 'pbx'"],
  ],
  [
    "an extension status outside its enum",
    ext(`  number: "201"\n  license: start\n${pinEnv}  status: pending\n`),
    ['t.yaml:8:11 Extension/e1: field \'spec.status\' must be one of: "active", "suspended" (got "pending")'],
  ],
  [
    "an unknown field in the extension's user",
    ext(
      `  number: "201"\n  license: start\n${pinEnv}  user: {email: giulia.rossi@acme.example, phone: "123"}\n`,
    ),
    ["t.yaml:8:44 Extension/e1: unknown field 'phone' (allowed: email, firstName, lastName)"],
  ],
  // ---- Number
  [
    "a number that is not E.164",
    `${head("Number", "{name: n9, tenant: ACME001}")}spec: {number: "0212345600", blockDigits: 2, pbx: hq, trunk: main}\n`,
    [
      "t.yaml:4:16 Number/n9: field 'spec.number' does not match ^\\+[1-9][0-9]{6,14}$ (got \"0212345600\"): First number of the block, E.164",
    ],
  ],
  [
    "a block size outside 1, 2, 3",
    `${head("Number", "{name: n9, tenant: ACME001}")}spec: {number: "+390212345600", blockDigits: 4, pbx: hq, trunk: main}\n`,
    ["t.yaml:4:46 Number/n9: field 'spec.blockDigits' must be one of: 1, 2, 3 (got 4)"],
  ],
  [
    "a number without its trunk",
    `${head("Number", "{name: n9, tenant: ACME001}")}spec: {number: "+390212345600", blockDigits: 2, pbx: hq}\n`,
    ["t.yaml:4:7 Number/n9: missing required field 'trunk'"],
  ],
  // ---- SipTrunk
  [
    "authRequired that is not a boolean and an empty username",
    `${head("SipTrunk", "{name: t2, tenant: ACME001}")}spec: {description: D, operator: O, endpoint: sip.example.net, authRequired: si, username: ""}\n`,
    [
      "t.yaml:4:78 SipTrunk/t2: field 'spec.authRequired' must be true or false (got string \"si\")",
      "t.yaml:4:92 SipTrunk/t2: field 'spec.username' must NOT have fewer than 1 characters",
    ],
  ],
  [
    "an endpoint with a port above 65535",
    `${head("SipTrunk", "{name: t2, tenant: ACME001}")}spec: {description: D, operator: O, endpoint: "sip.example.net:70000"}\n`,
    [
      "t.yaml:4:47 SipTrunk/t2: field 'spec.endpoint' does not match ^(?=.{1,253}(:|$))([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?$ (got \"sip.example.net:70000\"): Operator endpoint as host[:port]",
    ],
  ],
  [
    "an empty description",
    `${head("SipTrunk", "{name: t2, tenant: ACME001}")}spec: {description: "", operator: O, endpoint: sip.example.net}\n`,
    ["t.yaml:4:21 SipTrunk/t2: field 'spec.description' must NOT have fewer than 1 characters"],
  ],
  [
    "a password file that is an empty path",
    `${head("SipTrunk", "{name: t2, tenant: ACME001}")}spec: {description: D, operator: O, endpoint: sip.example.net, password: {fromFile: ""}}\n`,
    ["t.yaml:4:85 SipTrunk/t2: field 'spec.password.fromFile' must NOT have fewer than 1 characters"],
  ],
];

describe("schema rules: each bad document gives its message at its line:col", () => {
  it.each(cases)("%s", async (_name, text, want) => {
    expect(await problemsOf(text)).toEqual(want);
  });
});

describe("several problems are all reported, not only the first", () => {
  it("reports a schema problem and the cross-document problems of the same document", async () => {
    const got = await problemsOf(
      ext(
        `  number: "201"\n  license: gold\n  pin: {fromEnv: OMNIA_SECRET_UNSET_PIN}\n`,
        "{name: e1, tenant: NOPE, pbx: hq}",
      ),
    );
    expect(got).toEqual([
      "t.yaml:3:30 Extension/e1: tenant 'NOPE' is not declared (no Tenant with that customerCode)",
      't.yaml:6:12 Extension/e1: field \'spec.license\' must be one of: "start", "plus" (got "gold")',
      "t.yaml:7:18 Extension/e1: secret from environment variable OMNIA_SECRET_UNSET_PIN: the variable is unset or empty",
    ]);
  });
});
