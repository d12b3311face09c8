/**
 * A branch of a git repository as a desired-state source. The revision is the commit SHA
 * of the branch head. The repository is fetched (`--depth=1`) into a bare cache
 * repository and each revision read is checked out into its own detached worktree,
 * `<cacheDir>/checkouts/<sha>`, which `FolderSource` then reads (the same loader path, with
 * secret files confined to the checkout).
 *
 * Why a detached worktree and not `git archive` into a temp folder: the checkout is made
 * by git itself, which refuses paths escaping the worktree (`..`, `.git`, writes through
 * a symlinked folder), needs no tar extractor of ours, and a commit is immutable, so one
 * checkout per revision serves every later read of it. What a checkout could run is
 * turned off (git-safety.ts): no hooks, no filters or LFS (the host's configuration is not
 * read, so no filter driver exists), no submodules; the tree's size is checked before any
 * file is written.
 *
 * One `GitSource` per cache folder: two objects (or processes) sharing one would race.
 */
import { mkdir, readdir, realpath, rm, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { type SimpleGit, simpleGit } from "simple-git";
import type { DesiredStateSource, SourceSnapshot } from "../engine/reconcile/source-port.js";
import type { LoadOptions } from "../load/index.js";
import type { SourceLocation } from "../model/control.js";
import { FolderSource } from "./folder.js";
import {
  checkGitBranch,
  checkGitUrl,
  checkRepoPath,
  defaultGitProtocols,
  type GitProtocol,
  gitConfig,
  gitEnvironment,
  gitEnvironmentNames,
  isInside,
  redactUrl,
} from "./git-safety.js";

/** The branch does not exist in the remote repository. */
export const errBranchMissing = "the branch does not exist in the repository";
/** A git command failed (network, authentication, a corrupt object). */
export const errGitCommand = "git failed";
/** The repository or the tree of a revision is above the size caps. */
export const errRepositoryTooLarge = "the repository is too large";
/** `readAt` was given something that is not a commit SHA. */
export const errBadRevision = "not a commit SHA";
/** The manifests folder resolves outside the checkout (a symlink). */
export const errPathOutside = "the manifests folder resolves outside the checkout";

/** An error of the git source; `message` is `<text>: <subject>`, the cause kept. */
export class GitSourceError extends Error {
  override readonly name = "GitSourceError";
  constructor(
    /** One of the `err*` constants of this module or of git-safety.ts. */
    readonly text: string,
    subject: string,
    options?: { cause?: unknown },
  ) {
    super(`${text}: ${subject}`, options);
  }
}

/** Where a git source is (the `git` variant of `SourceLocation`). */
export type GitLocation = Omit<Extract<SourceLocation, { type: "git" }>, "type">;

/** Options of `GitSource`; all but `cacheDir` have defaults. */
export interface GitSourceOptions {
  /** Folder of this source's cache (bare repository, checkouts); created when missing. */
  cacheDir: string;
  /** Name in the inventory. Default "default". */
  name?: string;
  /** Loader options (the environment `fromEnv` secrets read, limits). */
  load?: LoadOptions;
  /** Transports the URL may use. Default `["https", "ssh"]`: a local path (`file`) only when the operator allows it. */
  allowedProtocols?: readonly GitProtocol[];
  /** Bytes the cache repository's objects may take after a fetch. Default 256 MiB. */
  maxRepositoryBytes?: number;
  /** Bytes of all files of the tree at a revision. Default 128 MiB. */
  maxCheckoutBytes?: number;
  /** Files in the tree at a revision. Default 50,000. */
  maxCheckoutFiles?: number;
  /** A git process silent this long (ms) is killed. Default 120,000. */
  timeoutMs?: number;
  /** `read()` fetches again when the last fetch is older than this (ms). Default 60,000. */
  fetchIntervalMs?: number;
  /** Checkouts kept besides those in use (the newest). Default 2. */
  keepCheckouts?: number;
  /** The clock (ms since the epoch). Default `Date.now`. */
  now?: () => number;
  /** The git binary. Default "git" on the PATH. */
  binary?: string;
  /** Environment of git processes (its `GIT_*` variables are dropped). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** What `fetch()` found. */
export interface FetchResult {
  /** The branch head now. */
  revision: string;
  /** The revision before this fetch (undefined at the first). */
  previous: string | undefined;
  /** The revision differs from the previous one. */
  changed: boolean;
}

const sha = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const headRef = "refs/omnia/head";

/** A git branch, fetched into a cache and read at its head commit. */
export class GitSource implements DesiredStateSource {
  readonly name: string;
  readonly location: string;
  readonly #url: string;
  readonly #branch: string;
  readonly #path: string;
  readonly #o: Required<Omit<GitSourceOptions, "name" | "load" | "env">> & { env: NodeJS.ProcessEnv };
  readonly #load: LoadOptions;
  readonly #repo: string;
  #revision: string | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #fetching: Promise<FetchResult> | undefined;
  readonly #checkingOut = new Map<string, Promise<string>>();
  readonly #inUse = new Map<string, number>();

  /** Throws `GitSourceError` when the URL, branch or path is refused (git-safety.ts). */
  constructor(location: GitLocation, options: GitSourceOptions) {
    const allowed = options.allowedProtocols ?? defaultGitProtocols;
    try {
      checkGitUrl(location.url, allowed);
      checkGitBranch(location.branch);
      this.#path = checkRepoPath(location.path);
    } catch (err) {
      throw new GitSourceError((err as Error).message, redactUrl(location.url), { cause: err });
    }
    this.#url = location.url;
    this.#branch = location.branch;
    this.name = options.name ?? "default";
    this.location = `${redactUrl(location.url)}#${location.branch}${this.#path ? `:${location.path}` : ""}`;
    this.#load = options.load ?? {};
    this.#o = {
      cacheDir: options.cacheDir,
      allowedProtocols: allowed,
      maxRepositoryBytes: options.maxRepositoryBytes ?? 256 * 1024 * 1024,
      maxCheckoutBytes: options.maxCheckoutBytes ?? 128 * 1024 * 1024,
      maxCheckoutFiles: options.maxCheckoutFiles ?? 50_000,
      timeoutMs: options.timeoutMs ?? 120_000,
      fetchIntervalMs: options.fetchIntervalMs ?? 60_000,
      keepCheckouts: options.keepCheckouts ?? 2,
      now: options.now ?? Date.now,
      binary: options.binary ?? "git",
      env: options.env ?? process.env,
    };
    this.#repo = join(options.cacheDir, "repo.git");
  }

  /** The branch head at the last fetch; undefined before the first. */
  get revision(): string | undefined {
    return this.#revision;
  }

  /**
   * Looks up the branch head (`git ls-remote`) and fetches it when it is new. Concurrent
   * calls share one fetch. Throws `GitSourceError`: `errBranchMissing`, `errGitCommand`,
   * `errRepositoryTooLarge`.
   */
  fetch(signal?: AbortSignal): Promise<FetchResult> {
    if (!this.#fetching) {
      this.#fetching = this.#fetch(signal).finally(() => {
        this.#fetching = undefined;
      });
    }
    return this.#fetching;
  }

  /**
   * Reads the branch at its head: fetches first when never fetched or the last fetch is
   * older than `fetchIntervalMs`, then `readAt` that revision.
   */
  async read(signal?: AbortSignal): Promise<SourceSnapshot> {
    signal?.throwIfAborted();
    if (this.#revision === undefined || this.#o.now() - this.#fetchedAt >= this.#o.fetchIntervalMs) {
      await this.fetch(signal);
    }
    return this.readAt(this.#revision as string, signal);
  }

  /**
   * Reads the manifests at a fetched commit. Problems name files relative to the
   * repository root (`tenants/acme.yaml:3:5`). Throws `GitSourceError` (`errBadRevision`,
   * `errRepositoryTooLarge`, `errPathOutside`, `errGitCommand`).
   */
  async readAt(revision: string, signal?: AbortSignal): Promise<SourceSnapshot> {
    if (!sha.test(revision)) throw new GitSourceError(errBadRevision, JSON.stringify(revision));
    this.#inUse.set(revision, (this.#inUse.get(revision) ?? 0) + 1);
    try {
      const checkout = await this.#checkout(revision, signal);
      const root = await realpath(checkout);
      const dir = join(root, this.#path);
      const real = await realpath(dir).catch(() => dir);
      if (!isInside(real, root)) throw new GitSourceError(errPathOutside, this.location);
      const folder = new FolderSource(dir, {
        name: this.name,
        load: { ...this.#load, secretRoots: this.#load.secretRoots ?? [root] },
      });
      const snapshot = await folder.read(signal);
      const prefix = `${root}/`;
      const strip = (s: string) => s.split(prefix).join("");
      return {
        ...snapshot,
        revision,
        problems: snapshot.problems.map((p) => ({
          ...p,
          file: relative(root, p.file) || ".",
          message: strip(p.message),
        })),
      };
    } finally {
      const n = (this.#inUse.get(revision) ?? 1) - 1;
      if (n === 0) this.#inUse.delete(revision);
      else this.#inUse.set(revision, n);
    }
  }

  async #fetch(signal?: AbortSignal): Promise<FetchResult> {
    const previous = this.#revision;
    await this.#init();
    const git = this.#git(signal);
    const listed = await this.#run(() =>
      git.raw(["ls-remote", "--heads", "--", this.#url, `refs/heads/${this.#branch}`]),
    );
    const line = listed.split("\n").find((l) => l.endsWith(`\trefs/heads/${this.#branch}`));
    if (!line) throw new GitSourceError(errBranchMissing, `${this.#branch} in ${redactUrl(this.#url)}`);
    let head = line.slice(0, line.indexOf("\t"));
    if (head !== previous || !(await this.#hasCommit(head))) {
      await this.#run(() =>
        git.raw([
          "fetch",
          "--depth=1",
          "--no-tags",
          "--no-write-fetch-head",
          "--",
          this.#url,
          `+refs/heads/${this.#branch}:${headRef}`,
        ]),
      );
      // The branch may have moved since ls-remote: what was fetched is the truth.
      head = (await this.#run(() => git.raw(["rev-parse", "--verify", `${headRef}^{commit}`]))).trim();
      await this.#checkRepositorySize(git);
    }
    this.#revision = head;
    this.#fetchedAt = this.#o.now();
    return { revision: head, previous, changed: head !== previous };
  }

  async #init(): Promise<void> {
    await mkdir(join(this.#o.cacheDir, "no-hooks"), { recursive: true });
    await mkdir(join(this.#o.cacheDir, "checkouts"), { recursive: true });
    const exists = await stat(join(this.#repo, "HEAD")).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await mkdir(this.#repo, { recursive: true });
      await this.#run(() => this.#git().raw(["init", "--bare", "--quiet", this.#repo]));
    }
  }

  async #hasCommit(revision: string): Promise<boolean> {
    try {
      await this.#git().raw(["cat-file", "-e", `${revision}^{commit}`]);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The cache's objects against `maxRepositoryBytes`. Each fetch adds the new head's
   * objects and leaves the old ones, so over the cap the cache is first collected
   * (`git gc --prune=now`: what no ref or checkout reaches goes) and measured again.
   */
  async #checkRepositorySize(git: SimpleGit): Promise<void> {
    const measure = async () => {
      const out = await this.#run(() => git.raw(["count-objects", "-v"]));
      const kib = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, "m").exec(out)?.[1] ?? 0);
      return (kib("size") + kib("size-pack") + kib("size-garbage")) * 1024;
    };
    let bytes = await measure();
    if (bytes > this.#o.maxRepositoryBytes) {
      await this.#run(() => git.raw(["worktree", "prune"]));
      await this.#run(() => git.raw(["gc", "--prune=now", "--quiet"]));
      bytes = await measure();
    }
    if (bytes > this.#o.maxRepositoryBytes) {
      throw new GitSourceError(
        errRepositoryTooLarge,
        `${redactUrl(this.#url)} takes ${bytes} bytes, above the ${this.#o.maxRepositoryBytes}-byte limit`,
      );
    }
  }

  /** The folder holding `revision`'s tree, checked out once (concurrent callers share it). */
  #checkout(revision: string, signal?: AbortSignal): Promise<string> {
    let pending = this.#checkingOut.get(revision);
    if (!pending) {
      pending = this.#makeCheckout(revision, signal).finally(() => this.#checkingOut.delete(revision));
      this.#checkingOut.set(revision, pending);
    }
    return pending;
  }

  async #makeCheckout(revision: string, signal?: AbortSignal): Promise<string> {
    const dir = join(this.#o.cacheDir, "checkouts", revision);
    const done = `${dir}.done`;
    if (
      await stat(done).then(
        () => true,
        () => false,
      )
    )
      return dir;
    if (!(await this.#hasCommit(revision))) {
      throw new GitSourceError(errBadRevision, `${revision} was not fetched from ${redactUrl(this.#url)}`);
    }
    const git = this.#git(signal);
    await this.#checkTreeSize(git, revision);
    await rm(dir, { recursive: true, force: true });
    await this.#run(() => git.raw(["worktree", "prune"]));
    await this.#run(() => git.raw(["worktree", "add", "--detach", "--force", "--quiet", dir, revision]));
    await writeFile(done, `${revision}\n`);
    await this.#pruneCheckouts(revision);
    return dir;
  }

  /** Sizes from the tree objects (`ls-tree -l`), before a file is written. */
  async #checkTreeSize(git: SimpleGit, revision: string): Promise<void> {
    const out = await this.#run(() => git.raw(["ls-tree", "-r", "-l", "-z", "--full-tree", revision]));
    let files = 0;
    let bytes = 0;
    for (const entry of out.split("\0")) {
      const m = /^\d+ blob [0-9a-f]+ +(\d+)\t/.exec(entry);
      if (!m) continue;
      files++;
      bytes += Number(m[1]);
    }
    if (files > this.#o.maxCheckoutFiles || bytes > this.#o.maxCheckoutBytes) {
      throw new GitSourceError(
        errRepositoryTooLarge,
        `${revision} has ${files} files of ${bytes} bytes, above the limits of ${this.#o.maxCheckoutFiles} files and ${this.#o.maxCheckoutBytes} bytes`,
      );
    }
  }

  /** Removes checkouts beyond the newest `keepCheckouts` that no read is using. */
  async #pruneCheckouts(keep: string): Promise<void> {
    const folder = join(this.#o.cacheDir, "checkouts");
    const marks = (await readdir(folder)).filter((f) => f.endsWith(".done"));
    const dated = await Promise.all(
      marks.map(async (f) => ({ rev: f.slice(0, -5), at: (await stat(join(folder, f))).mtimeMs })),
    );
    dated.sort((a, b) => b.at - a.at);
    const old = dated.slice(this.#o.keepCheckouts).filter((d) => d.rev !== keep && !this.#inUse.has(d.rev));
    for (const { rev } of old) {
      await rm(join(folder, `${rev}.done`), { force: true });
      await rm(join(folder, rev), { recursive: true, force: true });
    }
    if (old.length > 0) await this.#run(() => this.#git().raw(["worktree", "prune"]));
  }

  /** A simple-git instance on the cache repository with the safety settings of git-safety.ts. */
  #git(signal?: AbortSignal): SimpleGit {
    return simpleGit({
      baseDir: this.#o.cacheDir,
      binary: this.#o.binary,
      maxConcurrentProcesses: 2,
      config: gitConfig(join(this.#o.cacheDir, "no-hooks"), this.#o.allowedProtocols),
      timeout: { block: this.#o.timeoutMs },
      ...(signal ? { abort: signal } : {}),
      allowEnvironment: [...gitEnvironmentNames, "GIT_DIR"],
      // Our own fixed settings, not the repository's or a user's: the hooks path points to
      // an empty folder, the protocol settings narrow what git allows, the configuration
      // paths point to /dev/null (see git-safety.ts).
      unsafe: { allowUnsafeHooksPath: true, allowUnsafeProtocolOverride: true, allowUnsafeConfigPaths: true },
    }).env({ ...gitEnvironment(this.#o.env), GIT_DIR: this.#repo });
  }

  /** Runs a git call, wrapping its failure once as `errGitCommand` (the URL's credentials removed). */
  async #run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof GitSourceError) throw err;
      const detail = String((err as Error)?.message ?? err)
        .trim()
        .split(this.#url)
        .join(redactUrl(this.#url));
      throw new GitSourceError(errGitCommand, detail, { cause: err });
    }
  }
}
