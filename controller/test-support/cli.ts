/**
 * Runs `omnia` commands in-process for tests: against a stand-in, with one embedded state
 * folder and log file per test file, capturing what the command prints.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, vi } from "vitest";
import type { TestStandin } from "../../platform/standin/testing.js";
import { runCli } from "../cli/main.js";
import { type EngineStandin, startEngineStandin } from "./standin.js";

/** What one command did. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A CLI bound to a stand-in and a state folder. */
export interface TestCli {
  stateDir: string;
  /**
   * Runs `omnia ARGS --state-dir ... --log-file ...` with `env` added to the environment.
   * Tests that act as separate repositories on one state folder pass `--source` each.
   */
  run(args: string[], env?: Record<string, string>): Promise<CliRun>;
}

/** Makes a CLI for `standin` with a fresh state folder. */
export async function testCli(standin: TestStandin): Promise<TestCli> {
  const dir = await mkdtemp(join(tmpdir(), "omnia-cli-"));
  const stateDir = join(dir, "state");
  const logFile = join(dir, "omnia.log");
  return {
    stateDir,
    async run(args, env = {}) {
      const saved = { ...process.env };
      Object.assign(process.env, {
        OMNIA_URL: standin.url,
        OMNIA_DOMAIN: standin.settings.domain,
        OMNIA_USERNAME: standin.settings.username,
        OMNIA_PASSWORD: standin.settings.password,
        DATABASE_URL: "",
        ...env,
      });
      const out: string[] = [];
      const err: string[] = [];
      const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => out.push(String(s)) > 0);
      const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => err.push(String(s)) > 0);
      try {
        process.exitCode = undefined;
        const withState = ["import-sheet"].includes(args[0] ?? "")
          ? args
          : [...args, "--state-dir", stateDir, "--log-file", logFile];
        const code = await runCli(withState);
        return { code, stdout: out.join(""), stderr: err.join("") };
      } finally {
        o.mockRestore();
        e.mockRestore();
        process.exitCode = undefined;
        process.env = saved;
      }
    },
  };
}

/** What `useStandinAndCli()` gives a test file once its `beforeAll` has run. */
export interface StandinAndCli {
  readonly e: EngineStandin;
  readonly cli: TestCli;
}

/**
 * For command-line test files: registers `beforeAll`/`afterAll` that start a stand-in and
 * a CLI bound to it with a fresh state folder, shared by the file's tests.
 */
export function useStandinAndCli(): StandinAndCli {
  let e: EngineStandin | undefined;
  let cli: TestCli | undefined;
  beforeAll(async () => {
    e = await startEngineStandin();
    cli = await testCli(e.standin);
  });
  afterAll(() => e?.close());
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error("useStandinAndCli: used outside a test (before beforeAll)");
    return v;
  };
  return {
    get e() {
      return started(e);
    },
    get cli() {
      return started(cli);
    },
  };
}
