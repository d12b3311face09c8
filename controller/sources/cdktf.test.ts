/**
 * Sources reading a synthesized `cdk.tf.json`: a CDKTF app's folder (only
 * `cdktf.out/stacks/NAME/cdk.tf.json` is read), the path of the file itself, a git branch
 * that commits it, and manifests in memory; nothing outside the source is read.
 */
import { execFileSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatProblem } from "../load/index.js";
import { testGit as git } from "../test-support/git.js";
import { FolderSource } from "./folder.js";
import { GitSource } from "./git.js";
import { MemorySource } from "./memory.js";

const fixture = join(import.meta.dirname, "..", "load", "fixtures", "cdktf", "hotel");
const stack = join("cdktf.out", "stacks", "partner", "cdk.tf.json");
/** A valid PIN for every extension of the fixture (its `pin_from_env` names). */
const env = Object.fromEntries(
  Array.from({ length: 14 }, (_, i) => [`OMNIA_SECRET_PIN_HOTEL_STRESA_${1001 + i}`, "483920"]),
);

const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));
async function temp(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A CDKTF app folder: the synthesized stack, plus stacks the loader must not read. */
async function appFolder(): Promise<{ dir: string; outside: string }> {
  const dir = await temp("omnia-cdktf-app-");
  await cp(fixture, dir, { recursive: true });
  const other = await readFile(join(fixture, stack), "utf8");
  const broken = other.replace('"license": "plus"', '"license": "gold"');
  // node_modules and hidden folders are skipped; so is a link to a file outside the source.
  for (const p of ["node_modules/some-lib/cdk.tf.json", ".terraform/cdk.tf.json"]) {
    await mkdir(join(dir, p, ".."), { recursive: true });
    await writeFile(join(dir, p), broken);
  }
  const outside = join(await temp("omnia-cdktf-outside-"), "cdk.tf.json");
  await writeFile(outside, broken);
  await mkdir(join(dir, "cdktf.out", "stacks", "linked"), { recursive: true });
  await symlink(outside, join(dir, "cdktf.out", "stacks", "linked", "cdk.tf.json"));
  await writeFile(join(dir, "cdktf.out", "manifest.json"), '{"version": "0.21.0"}');
  return { dir, outside };
}

describe("a synthesized cdk.tf.json as a source", () => {
  it("FolderSource reads an app folder's cdktf.out/stacks/*/cdk.tf.json, nothing else", async () => {
    const { dir } = await appFolder();
    const snap = await new FolderSource(dir, { load: { env } }).read();
    expect(snap.problems.map((p) => formatProblem(p))).toEqual([]);
    expect([snap.files, snap.documents]).toEqual([1, 24]);
    expect(snap.desired.extensions).toHaveLength(14);
    expect(snap.revision).toMatch(/^sha256:/);
  });

  it("FolderSource reads the path of one cdk.tf.json, and says where a problem is", async () => {
    const { dir } = await appFolder();
    const file = join(dir, stack);
    const good = await new FolderSource(file, { load: { env } }).read();
    expect([good.problems.length, good.documents]).toEqual([0, 24]);
    const text = await readFile(file, "utf8");
    await writeFile(file, text.replace('"license": "plus"', '"license": "gold"'));
    const bad = await new FolderSource(file, { load: { env } }).read();
    expect(bad.problems.map((p) => formatProblem(p))).toEqual([
      expect.stringMatching(
        /cdk\.tf\.json:\d+:\d+ \(partner\/hotel-lago-maggiore\/hotel-stresa\/hotel-stresa-1001\): Extension\/hotel-stresa-1001: field 'spec\.license' must be one of: "start", "plus" \(got "gold"\)$/,
      ),
    ]);
  });

  it("GitSource reads a committed stack, with places relative to the repository", async () => {
    const root = await temp("omnia-cdktf-git-");
    const bare = join(root, "remote.git");
    const work = join(root, "work");
    git(root, "init", "--bare", "--quiet", "-b", "main", bare);
    git(root, "init", "--quiet", "-b", "main", work);
    await cp(fixture, work, { recursive: true });
    const text = await readFile(join(work, stack), "utf8");
    await writeFile(join(work, stack), text.replace('"pbx": "${', '"count": 2,\n        "pbx": "${'));
    git(work, "add", "-A", "-f");
    git(work, "commit", "--quiet", "-m", "stack");
    git(work, "push", "--quiet", bare, "HEAD:refs/heads/main");
    const src = new GitSource(
      { url: `file://${bare}`, branch: "main" },
      { cacheDir: await temp("omnia-cdktf-cache-"), allowedProtocols: ["file"], load: { env } },
    );
    const snap = await src.read();
    expect(snap.documents).toBe(23);
    expect(snap.problems.map((p) => formatProblem(p))).toEqual([
      `${stack}:30:9 (partner/hotel-lago-maggiore/hotel-stresa/hotel-stresa-1001): count is not supported: the controller reads each resource as written, not copies Terraform makes; write one resource per object`,
    ]);
    expect(execFileSync("git", ["-C", work, "ls-files"], { encoding: "utf8" })).toContain(stack);
  });

  it("MemorySource reads a cdk.tf.json among its files", async () => {
    const text = await readFile(join(fixture, stack), "utf8");
    const snap = await new MemorySource({ [stack]: text }, { load: { env } }).read();
    expect([snap.problems.length, snap.documents]).toEqual([0, 24]);
  });
});
