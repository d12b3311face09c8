/**
 * A partner's repository is untrusted input on a shared controller: a manifest must never
 * reach what the operator did not give it (issue 8, item 7). Each attack below is refused
 * at the reference's position, and none hangs or exhausts the process.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, symlink, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { baseRepo, cleanupRepos, head, writeRepo } from "../test-support/repo.js";
import {
  defaultSecretEnvPrefixes,
  errSecretEnvPrefix,
  maxSecretFileBytes,
  secretEnvPrefixesFrom,
  secretFileRefusals,
} from "./build.js";
import { loadDirectory, msg } from "./index.js";

afterAll(cleanupRepos);

const extension = (pin: string) =>
  `${head("Extension", "{name: e9, tenant: ACME001, pbx: hq}")}spec: {number: "209", license: start, pin: ${pin}}\n`;

/** The secret problems of loading `repo` (written with `extra` files), as `line:col message`. */
async function secretProblems(dir: string, env: Record<string, string> = {}) {
  const got = await loadDirectory(dir, { env });
  return got.problems
    .filter((p) => p.code.startsWith("secret"))
    .map((p) => `${p.line}:${p.col} ${p.message}`);
}

describe("fromFile in an untrusted repository", () => {
  it.each([
    ["an absolute path to a host file", "/etc/hostname"],
    ["the process's environment", "/proc/self/environ"],
    ["a device", "/dev/zero"],
    ["a path out of the repository", "../../../../../../etc/hostname"],
  ])("refuses %s as outside the repository", async (_case, path) => {
    const dir = await writeRepo({ ...baseRepo, "x.yaml": extension(`{fromFile: "${path}"}`) });
    expect(await secretProblems(dir)).toEqual([
      `4:55 secret from file ${path}: ${secretFileRefusals.outside([dir])}`,
    ]);
  });

  it("refuses a symlink inside the repository that points out of it", async () => {
    const outside = join(await mkdtemp(join(tmpdir(), "omnia-outside-")), "pin.txt");
    await writeFile(outside, "4711\n");
    const dir = await writeRepo({ ...baseRepo, "x.yaml": extension("{fromFile: pin.txt}") });
    await symlink(outside, join(dir, "pin.txt"));
    expect(await secretProblems(dir)).toEqual([
      `4:55 secret from file pin.txt: ${secretFileRefusals.outside([dir])}`,
    ]);
  });

  it("refuses a FIFO inside the repository without blocking on it", async () => {
    const dir = await writeRepo({ ...baseRepo, "x.yaml": extension("{fromFile: pin.fifo}") });
    execFileSync("mkfifo", [join(dir, "pin.fifo")]);
    expect(await secretProblems(dir)).toEqual([
      `4:55 secret from file pin.fifo: ${secretFileRefusals.notRegular}`,
    ]);
  });

  it("refuses a file larger than a secret can be, without reading it whole", async () => {
    const dir = await writeRepo({ ...baseRepo, "x.yaml": extension("{fromFile: big.txt}"), "big.txt": "" });
    await truncate(join(dir, "big.txt"), 400 * 1024 * 1024); // sparse: 400 MB on paper
    expect(await secretProblems(dir)).toEqual([
      `4:55 secret from file big.txt: ${secretFileRefusals.tooLarge(400 * 1024 * 1024)}`,
    ]);
  });

  it("reads a secret file inside the repository, also through a symlink that stays inside", async () => {
    const dir = await writeRepo({
      ...baseRepo,
      "x.yaml": extension("{fromFile: secrets/link.txt}"),
      "secrets/pin.txt": "4711\n",
    });
    await symlink(join(dir, "secrets/pin.txt"), join(dir, "secrets/link.txt"));
    const got = await loadDirectory(dir, { env: {} });
    expect(got.problems).toEqual([]);
    expect(got.state.extensions[0]?.spec.pin.reveal()).toBe("4711");
    expect(maxSecretFileBytes).toBe(4096);
  });
});

describe("fromFile with a secrets root the operator names", () => {
  it("reads a file inside the operator's secrets root, by absolute path and through a repository symlink", async () => {
    const secrets = await mkdtemp(join(tmpdir(), "omnia-secrets-"));
    await writeFile(join(secrets, "pin-209.txt"), "4711\n");
    const byPath = await writeRepo({
      ...baseRepo,
      "x.yaml": extension(`{fromFile: "${secrets}/pin-209.txt"}`),
    });
    const viaLink = await writeRepo({ ...baseRepo, "x.yaml": extension("{fromFile: pin.txt}") });
    await symlink(join(secrets, "pin-209.txt"), join(viaLink, "pin.txt"));
    for (const dir of [byPath, viaLink]) {
      const got = await loadDirectory(dir, { env: {}, operatorSecretRoots: [secrets] });
      expect(got.problems).toEqual([]);
      expect(got.state.extensions[0]?.spec.pin.reveal()).toBe("4711");
    }
  });

  it.each([
    ["a host file", () => "/etc/hostname"],
    ["a path that climbs out of the secrets root", (root: string) => `${root}/../../../etc/hostname`],
  ])("still refuses %s, naming both roots", async (_case, pathOf) => {
    const secrets = await mkdtemp(join(tmpdir(), "omnia-secrets-"));
    const path = pathOf(secrets);
    const dir = await writeRepo({ ...baseRepo, "x.yaml": extension(`{fromFile: "${path}"}`) });
    const got = await loadDirectory(dir, { env: {}, operatorSecretRoots: [secrets] });
    expect(got.problems.map((p) => `${p.line}:${p.col} ${p.message}`)).toEqual([
      `4:55 secret from file ${path}: ${secretFileRefusals.outside([dir, secrets])}`,
    ]);
  });

  it("refuses a symlink inside the secrets root that points out of it", async () => {
    const secrets = await mkdtemp(join(tmpdir(), "omnia-secrets-"));
    await symlink("/etc/hostname", join(secrets, "pin.txt"));
    const dir = await writeRepo({ ...baseRepo, "x.yaml": extension(`{fromFile: "${secrets}/pin.txt"}`) });
    const got = await loadDirectory(dir, { env: {}, operatorSecretRoots: [secrets] });
    expect(got.problems.map((p) => p.message)).toEqual([
      `secret from file ${secrets}/pin.txt: ${secretFileRefusals.outside([dir, secrets])}`,
    ]);
  });
});

describe("fromEnv in an untrusted repository", () => {
  const env = {
    OMNIA_PASSWORD: "operator-password",
    OMNIA_URL: "https://platform.example",
    OMNIA_SECRET_KEY: "k".repeat(64),
    OMNIA_SECRET_KEY_FILE: "/etc/omnia/key",
    OMNIA_SECRET_ENV_PREFIXES: "OMNIA_SECRET_",
    DATABASE_URL: "postgres://u:p@db/omnia",
    PGPASSWORD: "p",
    GITHUB_TOKEN: "ghp_x",
    OMNIA_SECRET_ADMIN_TOKEN: "omn_x",
    OMNIA_SECRET_PIN_209: "4711",
    PIN_209: "4712",
    CI_SECRET_PIN_209: "4713",
    HOME: "/root",
    AWS_SECRET_ACCESS_KEY: "aws",
    omnia_secret_pin_209: "4714",
  };
  const ownSettings = [
    "OMNIA_PASSWORD",
    "OMNIA_URL",
    "OMNIA_SECRET_KEY",
    "OMNIA_SECRET_KEY_FILE",
    "OMNIA_SECRET_ENV_PREFIXES",
    "DATABASE_URL",
    "PGPASSWORD",
    "GITHUB_TOKEN",
    // In the namespace manifests may read, but a token all the same (found by a fresh user).
    "OMNIA_SECRET_ADMIN_TOKEN",
  ];
  it.each(ownSettings)("refuses to read %s, the tool's own setting or credential", async (name) => {
    const dir = await writeRepo({ ...baseRepo, "x.yaml": extension(`{fromEnv: ${name}}`) });
    expect(await secretProblems(dir, env)).toEqual([`4:54 ${msg.secretEnvForbidden(name)}`]);
  });

  it.each(ownSettings)("refuses %s even when the operator allows a prefix that covers it", async (name) => {
    const dir = await writeRepo({ ...baseRepo, "x.yaml": extension(`{fromEnv: ${name}}`) });
    const got = await loadDirectory(dir, {
      env,
      secretEnvPrefixes: ["OMNIA_", "DATABASE_", "PG", "GITHUB_"],
    });
    expect(got.problems.map((p) => `${p.line}:${p.col} ${p.message}`)).toEqual([
      `4:54 ${msg.secretEnvForbidden(name)}`,
    ]);
  });

  it.each(["PIN_209", "HOME", "AWS_SECRET_ACCESS_KEY", "omnia_secret_pin_209", "CI_SECRET_PIN_209"])(
    "refuses %s: not under the allowed prefix OMNIA_SECRET_",
    async (name) => {
      const dir = await writeRepo({ ...baseRepo, "x.yaml": extension(`{fromEnv: ${name}}`) });
      expect(await secretProblems(dir, env)).toEqual([
        `4:54 ${msg.secretEnvNotAllowed(name, defaultSecretEnvPrefixes)}`,
      ]);
    },
  );

  it.each([
    [defaultSecretEnvPrefixes, "OMNIA_SECRET_PIN_209", "4711"],
    [["CI_SECRET_"], "CI_SECRET_PIN_209", "4713"],
    [["OMNIA_SECRET_", "PIN_"], "PIN_209", "4712"],
  ])("with allowed prefixes %j reads %s", async (prefixes, name, want) => {
    const dir = await writeRepo({ ...baseRepo, "x.yaml": extension(`{fromEnv: ${name}}`) });
    const got = await loadDirectory(dir, { env, secretEnvPrefixes: prefixes });
    expect(got.problems).toEqual([]);
    expect(got.state.extensions[0]?.spec.pin.reveal()).toBe(want);
  });

  it("with the operator's prefix CI_SECRET_ refuses OMNIA_SECRET_ variables, naming CI_SECRET_", async () => {
    const dir = await writeRepo({ ...baseRepo, "x.yaml": extension("{fromEnv: OMNIA_SECRET_PIN_209}") });
    const got = await loadDirectory(dir, { env, secretEnvPrefixes: ["CI_SECRET_"] });
    expect(got.problems.map((p) => p.message)).toEqual([
      msg.secretEnvNotAllowed("OMNIA_SECRET_PIN_209", ["CI_SECRET_"]),
    ]);
  });
});

describe("the operator's OMNIA_SECRET_ENV_PREFIXES", () => {
  it.each([
    [undefined, ["OMNIA_SECRET_"]],
    ["", ["OMNIA_SECRET_"]],
    ["  ", ["OMNIA_SECRET_"]],
    ["CI_SECRET_", ["CI_SECRET_"]],
    [" OMNIA_SECRET_ , PIN_", ["OMNIA_SECRET_", "PIN_"]],
  ])("reads %j as %j", (value, want) => {
    expect(secretEnvPrefixesFrom(value)).toEqual(want);
  });

  // An empty item would allow every variable; anything else is not a name's start.
  it.each([",", "A_,", "OMNIA-SECRET", "1PIN_", "*", "A_ B_"])("refuses %j", (value) => {
    expect(() => secretEnvPrefixesFrom(value)).toThrow(errSecretEnvPrefix);
  });
});
