import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadContract } from "../../platform/contract.js";
import { baseRepo, head } from "../test-support/repo.js";
import { formatProblem, loadDirectory, msg } from "./index.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Writes the base repository plus `files` (bytes as given) and loads it. */
async function load(files: Record<string, string | Uint8Array>, env: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), "omnia-secrets-"));
  dirs.push(dir);
  for (const [name, bytes] of Object.entries({ ...baseRepo, ...files })) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), bytes);
  }
  const result = await loadDirectory(dir, { env });
  return { ...result, lines: result.problems.map((p) => formatProblem(p, (f) => f.slice(dir.length + 1))) };
}

const ext = (pin: string) =>
  `${head("Extension", "{name: e1, tenant: ACME001, pbx: hq}")}spec:\n  number: "201"\n  license: start\n  pin: ${pin}\n`;
const trunk = (password: string) =>
  `${head("SipTrunk", "{name: t2, tenant: ACME001}")}spec:\n  description: D\n  operator: O\n  endpoint: sip.example.net\n  password: ${password}\n`;
const bom = (s: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s)]);
const utf16 = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, "utf16le")]);
const pinPattern = (loadContract().components.schemas.Pin as { pattern: string }).pattern;

describe("secret files as editors write them", () => {
  it.each([
    ["Notepad: BOM, CRLF", bom("4711\r\n")],
    ["two trailing newlines", "4711\n\n"],
    ["spaces and a tab around", "  4711\t\n"],
    ["PowerShell UTF-16 with BOM", utf16("4711\r\n")],
    ["no newline at all", "4711"],
  ])("reads the PIN from a file with %s", async (_name, bytes) => {
    const { lines, state } = await load({ "t.yaml": ext("{fromFile: pin.txt}"), "pin.txt": bytes });
    expect(lines).toEqual([]);
    expect(state.extensions.map((e) => e.spec.pin.reveal())).toEqual(["4711"]);
  });

  it("refuses a secret file that is not UTF-8, naming it", async () => {
    const { lines } = await load({
      "t.yaml": ext("{fromFile: pin.txt}"),
      "pin.txt": Buffer.from([0x34, 0xe8, 0x0a]),
    });
    expect(lines).toEqual([
      "t.yaml:7:19: Extension/e1: secret from file pin.txt: cannot read it (the file is not UTF-8 (invalid byte 0xE8): save it as UTF-8 (a UTF-16 file must start with its byte-order mark))",
    ]);
  });
});

describe("secrets checked against the platform's contract at validate", () => {
  it.each([
    ["3 digits", "471"],
    ["11 digits", "12345678901"],
    ["a letter", "47a1"],
    ["a space inside", "47 11"],
    ["a non-ASCII digit", "४७११"],
  ])("refuses a PIN file holding %s, naming the file, never the value", async (_name, pin) => {
    const { lines, state } = await load({
      "t.yaml": ext("{fromFile: secrets/pin.txt}"),
      "secrets/pin.txt": `${pin}\n`,
    });
    expect(lines).toEqual([
      `t.yaml:7:19: Extension/e1: secret from file secrets/pin.txt: the platform refuses it as a PIN (must match pattern "${pinPattern}": schemas/omnia-api.yaml Pin; value not shown)`,
    ]);
    expect(lines.join("\n")).not.toContain(pin);
    expect(state.extensions).toEqual([]);
  });

  it("refuses a PIN from the environment, naming the variable", async () => {
    const { lines } = await load(
      { "t.yaml": ext("{fromEnv: OMNIA_SECRET_PIN_E1}") },
      { OMNIA_SECRET_PIN_E1: "12" },
    );
    expect(lines).toEqual([
      `t.yaml:7:18: Extension/e1: secret from environment variable OMNIA_SECRET_PIN_E1: the platform refuses it as a PIN (must match pattern "${pinPattern}": schemas/omnia-api.yaml Pin; value not shown)`,
    ]);
  });

  it("refuses a trunk password longer than the contract allows", async () => {
    const { lines } = await load({ "t.yaml": trunk("{fromFile: pw.txt}"), "pw.txt": `${"x".repeat(201)}\n` });
    expect(lines).toEqual([
      "t.yaml:8:24: SipTrunk/t2: secret from file pw.txt: the platform refuses it as a password (must NOT have more than 200 characters: schemas/omnia-api.yaml Secret; value not shown)",
    ]);
  });

  it("accepts the longest PIN and password the contract allows", async () => {
    const { lines } = await load({
      "t.yaml": `${ext("{fromFile: pin.txt}")}---\n${trunk("{fromFile: pw.txt}")}`,
      "pin.txt": "0123456789\n",
      "pw.txt": "p".repeat(200),
    });
    expect(lines).toEqual([]);
  });
});

describe("fromSecret in a repository's manifest", () => {
  it.each([
    ["an extension's PIN", ext("{fromSecret: hq-201-pin}"), "t.yaml:7:21: Extension/e1", "hq-201-pin"],
    ["a trunk's password", trunk("{fromSecret: trunk-pw}"), "t.yaml:8:26: SipTrunk/t2", "trunk-pw"],
  ])(
    "is refused at its place for %s: the name is of a secret stored through the API",
    async (_case, text, place, name) => {
      const { lines, state } = await load({ "t.yaml": text });
      expect(lines).toEqual([`${place}: ${msg.secretStoredOnlyInApi(name)}`]);
      expect(lines[0]).toContain("fromSecret names a secret stored through the controller API");
      expect(lines[0]).toContain("only allowed in resources written through the API");
      expect(state.extensions).toEqual([]);
      expect(state.trunks.map((t) => t.key)).not.toContain("SipTrunk/ACME001/t2");
    },
  );
});
