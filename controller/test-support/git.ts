/**
 * The real `git` for tests that build their own repositories: isolated from the host's
 * system and global configuration, with a fixed author, so a developer's settings (hooks,
 * signing, default branch) never change what a test sees.
 */
import { execFileSync } from "node:child_process";

/** Environment of the tests' git: no system or global config, a fixed author and committer. */
export const gitTestEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.invalid",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.invalid",
};

/** Runs `git args…` in `cwd` with `gitTestEnv`; returns its trimmed output. Throws when git fails. */
export function testGit(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: gitTestEnv, encoding: "utf8" }).trim();
}
