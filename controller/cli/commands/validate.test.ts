import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../main.js";

const exampleDir = relative(
  process.cwd(),
  join(import.meta.dirname, "..", "..", "..", "examples", "gitops-partner"),
);
let badDir: string;

beforeAll(async () => {
  badDir = await mkdtemp(join(tmpdir(), "omnia-validate-"));
  await writeFile(
    join(badDir, "bad.yaml"),
    [
      "apiVersion: omnia.kalliope.io/v1",
      "kind: Pbx",
      "metadata: {name: p1, tenant: NOPE}",
      "spec: {kind: single, colour: red}",
      "---",
      "kind: Fax",
      "",
    ].join("\n"),
  );
  await writeFile(
    join(badDir, "bomb.yaml"),
    'a: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
  );
});
afterAll(() => rm(badDir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** A tenant, a PBX and one extension whose PIN is `pin` (a secret reference). */
const manifestsWithPin = (pin: string) =>
  [
    "apiVersion: omnia.kalliope.io/v1",
    "kind: Tenant",
    "metadata: {name: acme}",
    'spec: {businessName: ACME S.r.l., customerCode: ACME001, vatNumber: "08712340150", fiscalCode: "08712340150"}',
    "---",
    "apiVersion: omnia.kalliope.io/v1",
    "kind: Pbx",
    "metadata: {name: hq, tenant: ACME001}",
    "spec: {kind: single}",
    "---",
    "apiVersion: omnia.kalliope.io/v1",
    "kind: Extension",
    "metadata: {name: e201, tenant: ACME001, pbx: hq}",
    `spec: {number: "201", license: start, pin: ${pin}}`,
    "",
  ].join("\n");

/** Runs the CLI in-process, capturing what it writes. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  const code = await runCli(argv);
  vi.restoreAllMocks();
  return { code, out, err };
}

describe("omnia validate", () => {
  it("exits 0 with a one-line summary for a valid repository", async () => {
    const { code, out, err } = await run("validate", exampleDir);
    expect({ code, out, err }).toEqual({
      code: 0,
      out: "valid: 3 tenants, 14 users, 2 SIP trunks, 5 PBXs, 12 number blocks, 60 extensions (90 documents in 15 files)\n",
      err: "",
    });
  });

  it("exits 1 and prints every problem as file:line:col: Kind/name: message, paths relative to cwd", async () => {
    const { code, out, err } = await run("validate", badDir);
    const rel = relative(process.cwd(), badDir);
    expect(code).toBe(1);
    expect(out.trimEnd().split("\n")).toEqual([
      `${rel}/bad.yaml:3:30: Pbx/p1: tenant 'NOPE' is not declared (no Tenant with that customerCode)`,
      `${rel}/bad.yaml:4:22: Pbx/p1: unknown field 'colour' (allowed: kind, group, callCenter, hotel, status)`,
      `${rel}/bad.yaml:6:7: Fax/?: unknown kind "Fax" (allowed: Tenant, User, Pbx, Extension, Number, SipTrunk)`,
      `${rel}/bomb.yaml:1:1: too many YAML alias expansions (more than 1000): aliases that multiply (a "YAML bomb") are refused`,
    ]);
    expect(err).toBe(`omnia: 4 problems in ${rel}\n`);
    expect(out + err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("prints the same problems as a JSON array with --json", async () => {
    const { code, out } = await run("validate", badDir, "--json");
    const rel = relative(process.cwd(), badDir);
    expect(code).toBe(1);
    const problems = JSON.parse(out) as Array<Record<string, unknown>>;
    expect(problems).toHaveLength(4);
    expect(problems[1]).toEqual({
      file: `${rel}/bad.yaml`,
      line: 4,
      col: 22,
      kind: "Pbx",
      name: "p1",
      code: "unknown-field",
      message: "unknown field 'colour' (allowed: kind, group, callCenter, hotel, status)",
    });
  });

  it("prints an empty JSON array for a valid repository with --json", async () => {
    const { code, out } = await run("validate", exampleDir, "--json");
    expect({ code, out }).toEqual({ code: 0, out: "[]\n" });
  });

  it("exits 1 with a clear message for a folder that does not exist", async () => {
    const { code, out } = await run("validate", join(badDir, "missing"));
    expect(code).toBe(1);
    expect(out).toMatch(/missing:1:1: cannot read the file: ENOENT/);
  });

  it("reads a fromFile secret in the folder named by --secrets-root, and refuses it without", async () => {
    const secrets = await mkdtemp(join(tmpdir(), "omnia-secrets-"));
    const repo = await mkdtemp(join(tmpdir(), "omnia-validate-root-"));
    await writeFile(join(secrets, "pin.txt"), "4711\n");
    const pin = `{fromFile: "${join(secrets, "pin.txt")}"}`;
    await writeFile(join(repo, "x.yaml"), manifestsWithPin(pin));
    const without = await run("validate", repo);
    expect(without.code).toBe(1);
    expect(without.out).toContain(
      `secret from file ${join(secrets, "pin.txt")}: it is outside the repository`,
    );
    const withRoot = await run("validate", repo, "--secrets-root", secrets);
    expect({ code: withRoot.code, err: withRoot.err }).toEqual({ code: 0, err: "" });
    await rm(secrets, { recursive: true, force: true });
    await rm(repo, { recursive: true, force: true });
  });

  it("takes the allowed fromEnv prefixes from OMNIA_SECRET_ENV_PREFIXES, and refuses a bad one as a usage error", async () => {
    const repo = await mkdtemp(join(tmpdir(), "omnia-validate-env-"));
    await writeFile(join(repo, "x.yaml"), manifestsWithPin("{fromEnv: CI_SECRET_PIN_201}"));
    vi.stubEnv("CI_SECRET_PIN_201", "4711");
    try {
      const refused = await run("validate", repo);
      expect(refused.out).toContain("manifests may read only variables starting with OMNIA_SECRET_");
      vi.stubEnv("OMNIA_SECRET_ENV_PREFIXES", "OMNIA_SECRET_,CI_SECRET_");
      expect((await run("validate", repo)).code).toBe(0);
      vi.stubEnv("OMNIA_SECRET_ENV_PREFIXES", "CI_SECRET_,");
      const bad = await run("validate", repo);
      expect({ code: bad.code, err: bad.err }).toEqual({
        code: 2,
        err: 'omnia: OMNIA_SECRET_ENV_PREFIXES must list variable-name prefixes (A-Z, 0-9, _; not starting with a digit), comma-separated (got "")\n',
      });
    } finally {
      vi.unstubAllEnvs();
      await rm(repo, { recursive: true, force: true });
    }
  });

  it("is a usage error (exit 1 from commander) without a folder", async () => {
    const { code, err } = await run("validate");
    expect(code).toBe(1);
    expect(err).toMatch(/missing required argument 'dir'/);
  });
});
