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
import { maxSecretFileBytes, secretFileRefusals } from "./build.js";
import { loadDirectory } from "./index.js";

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

describe("fromEnv in an untrusted repository", () => {
  const env = {
    OMNIA_PASSWORD: "operator-password",
    OMNIA_URL: "https://platform.example",
    OMNIA_SECRET_KEY: "k".repeat(64),
    DATABASE_URL: "postgres://u:p@db/omnia",
    PGPASSWORD: "p",
    GITHUB_TOKEN: "ghp_x",
    OMNIA_SECRET_PIN_209: "4711",
    PIN_209: "4712",
  };
  it.each(["OMNIA_PASSWORD", "OMNIA_URL", "OMNIA_SECRET_KEY", "DATABASE_URL", "PGPASSWORD", "GITHUB_TOKEN"])(
    "refuses to read %s, the tool's own setting or credential",
    async (name) => {
      const dir = await writeRepo({ ...baseRepo, "x.yaml": extension(`{fromEnv: ${name}}`) });
      const got = await secretProblems(dir, env);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatch(
        new RegExp(
          `^4:54 secret from environment variable ${name}: manifests may not read omnia's own settings`,
        ),
      );
    },
  );

  it.each([
    ["OMNIA_SECRET_PIN_209", "4711"],
    ["PIN_209", "4712"],
  ])("reads %s", async (name, want) => {
    const dir = await writeRepo({ ...baseRepo, "x.yaml": extension(`{fromEnv: ${name}}`) });
    const got = await loadDirectory(dir, { env });
    expect(got.problems).toEqual([]);
    expect(got.state.extensions[0]?.spec.pin.reveal()).toBe(want);
  });
});
