/**
 * How the git source runs the `git` binary on a repository it does not trust (a partner's
 * GitOps repository, maybe registered through the API): which transports a clone URL may
 * use, which branch names are accepted, and the configuration and environment every git
 * process gets. Kept apart from `git.ts` so the rules can be read (and tested) in one place.
 */
import { sep } from "node:path";

/** Transports an operator may allow. `ext::` and `fd::` (remote helpers that run commands) never are. */
export type GitProtocol = "file" | "https" | "ssh";

/** The transports allowed when the operator says nothing: network ones only (see `GitSourceOptions.allowedProtocols`). */
export const defaultGitProtocols: readonly GitProtocol[] = ["https", "ssh"];

/** The clone URL is not one git can use, or names a transport the operator did not allow. */
export const errGitUrl = "git URL refused";
/** The branch name is not a plain branch name. */
export const errGitBranch = "git branch name refused";
/** The folder inside the repository is not a relative path inside it. */
export const errGitPath = "git path refused";

/** True when `s` holds a C0 control character or DEL (a newline in a URL could smuggle a second argument). */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * The transport `url` uses, as git decides it (git's `transport.c`): `<scheme>://`,
 * `<helper>::<address>` (a remote helper, e.g. `ext::`), scp-like `[user@]host:path` (ssh),
 * else a local path (file). Returns the scheme's name for a scheme or helper.
 */
export function transportOf(url: string): string {
  const helper = /^([A-Za-z][A-Za-z0-9+.-]*)::/.exec(url);
  if (helper) return `${(helper[1] as string).toLowerCase()}::`;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  if (scheme) {
    const name = (scheme[1] as string).toLowerCase();
    return name === "git+ssh" || name === "ssh+git" ? "ssh" : name;
  }
  // scp-like syntax: a colon before any slash (git: "host:path" is ssh, "./a:b" is a path).
  const colon = url.indexOf(":");
  const slash = url.indexOf("/");
  if (colon > 0 && (slash < 0 || colon < slash)) return "ssh";
  return "file";
}

/**
 * Checks a clone URL against the allowed transports. Throws an `Error` starting with
 * `errGitUrl` (naming the transport, never the URL's credentials) when the URL is empty,
 * starts with `-` (it would be read as an option), holds a control character, uses a
 * remote helper (`ext::`, `fd::`, ...) or a transport not in `allowed`.
 */
export function checkGitUrl(url: string, allowed: readonly GitProtocol[]): GitProtocol {
  if (url === "" || url.startsWith("-") || hasControl(url)) {
    throw new Error(`${errGitUrl}: it is empty, starts with "-" or holds a control character`);
  }
  const transport = transportOf(url);
  if (transport.endsWith("::")) {
    throw new Error(`${errGitUrl}: the remote helper "${transport}" runs commands; it is never allowed`);
  }
  if (!(allowed as readonly string[]).includes(transport)) {
    throw new Error(
      `${errGitUrl}: transport "${transport}" is not allowed (allowed: ${allowed.join(", ") || "none"})`,
    );
  }
  return transport as GitProtocol;
}

/** `url` with any `user:password@` removed, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@]*@/, "$1");
}

/**
 * Checks a branch name: what `git check-ref-format --branch` accepts, minus anything that
 * could be read as an option or a revision expression. Throws `errGitBranch`.
 */
export function checkGitBranch(branch: string): string {
  const bad =
    branch === "" ||
    branch.startsWith("-") ||
    branch.startsWith("/") ||
    branch.endsWith("/") ||
    branch.endsWith(".") ||
    branch.endsWith(".lock") ||
    branch.includes("..") ||
    branch.includes("//") ||
    branch.includes("@{") ||
    branch === "@" ||
    branch.split("/").some((part) => part.startsWith(".")) ||
    !/^[A-Za-z0-9._/@+-]+$/.test(branch);
  if (bad) throw new Error(`${errGitBranch}: ${JSON.stringify(branch)} is not a plain branch name`);
  return branch;
}

/**
 * Checks the folder inside the repository that holds the manifests: relative, with no
 * `..` segment (symlinks are checked again after the checkout). Throws `errGitPath`.
 */
export function checkRepoPath(path: string | undefined): string {
  if (path === undefined || path === "" || path === ".") return "";
  const parts = path.split(/[\\/]+/).filter((p) => p !== "" && p !== ".");
  if (path.startsWith("/") || path.startsWith("\\") || parts.includes("..") || hasControl(path)) {
    throw new Error(`${errGitPath}: ${JSON.stringify(path)} must be a folder inside the repository`);
  }
  return parts.join(sep);
}

/**
 * The `-c` settings of every git process (git-config(1)). The host's own configuration is
 * not read at all (see `gitEnvironment`), so these are the only settings besides the
 * cache repository's: no hooks (an empty hooks folder), only the allowed transports (also
 * for redirects and anything the repository names), no submodules, objects checked on
 * receipt (`transfer.fsckObjects` refuses malformed trees such as a `.GIT` path), no
 * filesystem monitor, no automatic gc in the background.
 */
export function gitConfig(hooksDir: string, allowed: readonly GitProtocol[]): string[] {
  return [
    `core.hooksPath=${hooksDir}`,
    "core.symlinks=true",
    "core.autocrlf=false",
    "protocol.allow=never",
    ...allowed.map((p) => `protocol.${p}.allow=always`),
    "submodule.recurse=false",
    "fetch.recurseSubmodules=false",
    "transfer.fsckObjects=true",
    "gc.auto=0",
    "advice.detachedHead=false",
  ];
}

/** Variables of the controller's environment a git process keeps: finding programs, ssh keys and agent, proxies. */
export const gitInheritedVariables = [
  "PATH",
  "HOME",
  "TMPDIR",
  "LANG",
  "LC_ALL",
  "SSH_AUTH_SOCK",
  "HTTPS_PROXY",
  "https_proxy",
  "NO_PROXY",
  "no_proxy",
] as const;

/**
 * The whole environment of every git process: `gitInheritedVariables` of the
 * controller's, nothing else (an `EDITOR`, `PAGER` or `GIT_*` variable could run a
 * program or redirect git), and: the host's system and global configuration are not read
 * (a filter, alias, `url.insteadOf` or hooks path there would apply to the partner's
 * repository), no prompt ever waits for a person, LFS never downloads.
 */
export function gitEnvironment(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of gitInheritedVariables) {
    const v = base[k];
    if (v !== undefined) env[k] = v;
  }
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_LFS_SKIP_SMUDGE: "1",
  };
}

/** The `GIT_*` names `gitEnvironment` sets, for simple-git's environment guard. */
export const gitEnvironmentNames = [
  "GIT_CONFIG_NOSYSTEM",
  "GIT_CONFIG_GLOBAL",
  "GIT_TERMINAL_PROMPT",
  "GIT_LFS_SKIP_SMUDGE",
] as const;

/** True when `child` is `root` or inside it (both already resolved with realpath). */
export function isInside(child: string, root: string): boolean {
  return child === root || child.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}
