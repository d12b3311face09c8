/**
 * GitSource against local bare repositories made by the real `git` binary (`file://`),
 * never the network. Each test builds its own remote and its own cache folder.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatProblem } from "../load/index.js";
import { testGit as git, gitTestEnv as gitEnv } from "../test-support/git.js";
import { baseRepo, head } from "../test-support/repo.js";
import { errBranchMissing, errPathOutside, errRepositoryTooLarge, GitSource, GitSourceError } from "./git.js";
import { errGitUrl } from "./git-safety.js";

const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

async function temp(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A bare remote with a work tree to commit from; `commit` writes files (a `null` text deletes) and pushes. */
async function makeRemote(branch = "main") {
  const root = await temp("omnia-git-remote-");
  const bare = join(root, "remote.git");
  const work = join(root, "work");
  git(root, "init", "--bare", "--quiet", "-b", branch, bare);
  git(root, "init", "--quiet", "-b", branch, work);
  return {
    url: `file://${bare}`,
    work,
    async commit(
      files: Record<string, string | { link: string } | { exec: string }>,
      message = "change",
    ): Promise<string> {
      for (const [path, content] of Object.entries(files)) {
        const file = join(work, path);
        await mkdir(dirname(file), { recursive: true });
        await rm(file, { force: true });
        if (typeof content === "string") await writeFile(file, content);
        else if ("link" in content) await symlink(content.link, file);
        else await writeFile(file, content.exec, { mode: 0o755 });
      }
      git(work, "add", "-A");
      git(work, "commit", "--quiet", "-m", message);
      git(work, "push", "--quiet", bare, `HEAD:refs/heads/${branch}`);
      return git(work, "rev-parse", "HEAD");
    },
  };
}

const extension = (license: string, pin = "{fromFile: pin.txt}") =>
  `${head("Extension", "{name: hq-201, tenant: ACME001, pbx: hq}")}spec: {number: "201", license: ${license}, pin: ${pin}}\n`;

const goodRepo = { ...baseRepo, "base/ext.yaml": extension("start"), "base/pin.txt": "4711\n" };

async function source(
  url: string,
  extra: Partial<ConstructorParameters<typeof GitSource>[1]> = {},
  branch = "main",
) {
  return new GitSource(
    { url, branch },
    { cacheDir: await temp("omnia-git-cache-"), allowedProtocols: ["file"], load: { env: {} }, ...extra },
  );
}

describe("GitSource", () => {
  it("reads the branch head as its revision; a new commit is a new revision, no commit is none", async () => {
    const remote = await makeRemote();
    const first = await remote.commit(goodRepo);
    const src = await source(remote.url);
    expect(await src.fetch()).toEqual({ revision: first, previous: undefined, changed: true });
    const snap = await src.read();
    expect(snap.revision).toBe(first);
    expect(snap.problems).toEqual([]);
    expect(snap.desired.extensions.map((x) => [x.key, x.spec.license])).toEqual([
      ["Extension/ACME001/hq/201", "start"],
    ]);
    expect(await src.fetch()).toEqual({ revision: first, previous: first, changed: false });

    const second = await remote.commit({ "base/ext.yaml": extension("plus") });
    expect(await src.fetch()).toEqual({ revision: second, previous: first, changed: true });
    const next = await src.read();
    expect(next.revision).toBe(second);
    expect(next.desired.extensions.map((x) => x.spec.license)).toEqual(["plus"]);
    // The old commit is still readable at its revision.
    expect((await src.readAt(first)).desired.extensions.map((x) => x.spec.license)).toEqual(["start"]);
  });

  it("serves concurrent reads with one fetch and one checkout", async () => {
    const remote = await makeRemote();
    const rev = await remote.commit(goodRepo);
    const src = await source(remote.url);
    const snaps = await Promise.all([src.read(), src.read(), src.read()]);
    expect(snaps.map((s) => [s.revision, s.problems.length, s.desired.extensions.length])).toEqual([
      [rev, 0, 1],
      [rev, 0, 1],
      [rev, 0, 1],
    ]);
  });

  it("reports a bad commit as problems at file:line:col relative to the repository", async () => {
    const remote = await makeRemote();
    await remote.commit(goodRepo);
    await remote.commit({ "base/ext.yaml": extension("start").replace("license: start", "licence: start") });
    const snap = await (await source(remote.url)).read();
    expect(snap.problems.length).toBeGreaterThan(0);
    expect(snap.problems.map((p) => formatProblem(p))[0]).toMatch(/^base\/ext\.yaml:4:\d+: /);
    expect(snap.desired.extensions).toEqual([]);
  });

  it("says the branch is missing, naming it", async () => {
    const remote = await makeRemote();
    await remote.commit(goodRepo);
    const src = await source(remote.url, {}, "release");
    const err = await src.fetch().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitSourceError);
    expect((err as GitSourceError).text).toBe(errBranchMissing);
    expect((err as Error).message).toContain("release");
  });

  it("never runs a hook: not one the repository carries, not one in the cache", async () => {
    const remote = await makeRemote();
    const marker = join(await temp("omnia-git-hook-"), "ran");
    const hook = `#!/bin/sh\necho ran > ${marker}\n`;
    await remote.commit({ ...goodRepo, ".githooks/post-checkout": { exec: hook } });
    // A host whose configuration points hooks at the repository's own folder (a common
    // team setting): plain git would run the partner's hook on checkout.
    const home = await temp("omnia-git-home-");
    await writeFile(join(home, ".gitconfig"), "[core]\n\thooksPath = .githooks\n");
    const control = join(await temp("omnia-git-control-"), "clone");
    execFileSync("git", ["clone", "--quiet", remote.url, control], {
      env: { ...gitEnv, GIT_CONFIG_GLOBAL: join(home, ".gitconfig") },
    });
    expect(await readFile(marker, "utf8").catch(() => ""), "the control: plain git runs the hook").toBe(
      "ran\n",
    );
    await rm(marker);

    const cacheDir = await temp("omnia-git-cache-");
    const src = await source(remote.url, { cacheDir, env: { ...process.env, HOME: home } });
    await src.fetch();
    // A hook dropped into the cache repository's own hooks folder does not run either.
    await writeFile(join(cacheDir, "repo.git", "hooks", "post-checkout"), hook, { mode: 0o755 });
    expect((await src.read()).problems).toEqual([]);
    await expect(stat(marker), "the hook ran").rejects.toThrow(/ENOENT/);
  });

  it("refuses a secret symlinked to a file outside the checkout, and a manifests folder that is such a symlink", async () => {
    const remote = await makeRemote();
    await remote.commit({ ...goodRepo, "base/pin.txt": { link: "/etc/passwd" }, etc: { link: "/etc" } });
    const snap = await (await source(remote.url)).read();
    expect(snap.problems.map((p) => `${p.file}:${p.line} ${p.code}`)).toEqual([
      expect.stringMatching(/^base\/ext\.yaml:4 /),
    ]);
    expect(snap.problems[0]?.message).toMatch(/secret from file pin\.txt: .*outside/);
    expect(snap.desired.extensions).toEqual([]);

    const cacheDir = await temp("omnia-git-cache-");
    const nested = new GitSource(
      { url: remote.url, branch: "main", path: "etc" },
      { cacheDir, allowedProtocols: ["file"], load: { env: {} } },
    );
    const err = await nested.read().catch((e: unknown) => e);
    expect((err as GitSourceError).text).toBe(errPathOutside);
  });

  it("refuses a tree above the size cap before writing a file", async () => {
    const remote = await makeRemote();
    const rev = await remote.commit({ ...goodRepo, "big.bin": "x".repeat(100_000) });
    const cacheDir = await temp("omnia-git-cache-");
    const src = new GitSource(
      { url: remote.url, branch: "main" },
      { cacheDir, allowedProtocols: ["file"], maxCheckoutBytes: 50_000 },
    );
    const err = await src.read().catch((e: unknown) => e);
    expect((err as GitSourceError).text).toBe(errRepositoryTooLarge);
    await expect(stat(join(cacheDir, "checkouts", rev))).rejects.toThrow(/ENOENT/);
  });

  it("refuses a fetch that leaves the cache above its cap, after collecting what no ref needs", async () => {
    const remote = await makeRemote();
    await remote.commit({ ...goodRepo, "noise.txt": randomBytes(200_000).toString("base64") });
    const src = await source(remote.url, { maxRepositoryBytes: 50_000 });
    const err = await src.fetch().catch((e: unknown) => e);
    expect((err as GitSourceError).text).toBe(errRepositoryTooLarge);
    expect((err as Error).message).toMatch(/above the 50000-byte limit/);
    expect(src.revision, "no revision taken from a refused fetch").toBeUndefined();
  });

  it("refuses transports the operator did not allow, and remote helpers always", async () => {
    const remote = await makeRemote();
    const cacheDir = await temp("omnia-git-cache-");
    const make = (url: string, allowed?: ("file" | "https" | "ssh")[]) => () =>
      new GitSource({ url, branch: "main" }, { cacheDir, ...(allowed ? { allowedProtocols: allowed } : {}) });
    expect(make(remote.url)).toThrow(errGitUrl); // file is not allowed by default
    expect(make(`ext::sh -c touch% /tmp/pwned`, ["file", "https", "ssh"])).toThrow(/remote helper "ext::"/);
    expect(make(`fd::3`, ["file", "https", "ssh"])).toThrow(/remote helper "fd::"/);
    expect(make("--upload-pack=touch /tmp/pwned", ["file"])).toThrow(errGitUrl);
  });
});
