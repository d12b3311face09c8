/**
 * The world of the end-to-end tests with the real `terraform` binary: the stand-in
 * platform, the controller service in-process (embedded PGlite in a temporary folder)
 * with partner `demo`'s api source `demo-tf`, the provider installed by
 * `omnia provider install --dir` into an explicit `filesystem_mirror`, and a `terraform`
 * runner with no network: `CHECKPOINT_DISABLE=1`, a CLI configuration that takes the
 * provider from the mirror only, HOME in the temporary folder. The provider process that
 * Terraform starts reaches the controller over loopback, as a partner's would.
 *
 * Every PIN and trunk password the examples name (`*_from_env = "OMNIA_SECRET_DEMO_…"`) is
 * set in the controller's environment with a random value, never in Terraform's.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll } from "vitest";
import { installProvider, mirrorCliConfig, packageRoot } from "../../../controller/cli/commands/provider.js";
import { exampleSecrets, randomSecretFor } from "../../../controller/cli/demo.js";
import type { ControllerConfig } from "../../../controller/runtime/controller-config.js";
import { defaultPolicies } from "../../../controller/service/routes/sources.js";
import { type RunningController, startControllerService } from "../../../controller/service/serve.js";
import { newToken } from "../../../controller/service/tokens.js";
import { OmniaClient } from "../../../platform/client/index.js";
import { startTestStandin, type TestStandin } from "../../../platform/standin/testing.js";

/** What one `terraform` command gave. */
export interface TerraformRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The running world of one test file. */
export interface TerraformWorld {
  standin: TestStandin;
  controller: RunningController;
  /** The write token of partner demo (Terraform's OMNIA_TOKEN). */
  token: string;
  /** Runs `terraform ARGS` in `cwd` with the world's environment (never throws on exit codes). */
  terraform(cwd: string, ...args: string[]): Promise<TerraformRun>;
  /** A fresh working folder inside the world's temporary folder. */
  workdir(name: string): Promise<string>;
  /** A platform client of partner demo, for changes "by hand". Closed with the world. */
  platform: OmniaClient;
  /** The secret values the controller holds, by variable name (to check none leaks). */
  secrets: ReadonlyMap<string, string>;
}

/** The repository's root (the package's). */
export const repoRoot = packageRoot();

/**
 * Starts the world in `beforeAll`, stops it in `afterAll`. `exampleDirs` are scanned for
 * the secret variable names the controller must hold, `moreSecrets` adds others. Throws when `terraform` is not on
 * PATH or the provider is not built (`npm run build`; `npm test` builds first).
 */
export function useTerraformWorld(
  exampleDirs: readonly string[],
  moreSecrets: readonly string[] = [],
): TerraformWorld {
  let world: TerraformWorld | undefined;
  let root: string | undefined;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "omnia-tf-e2e-"));
    const home = join(root, "home");
    const mirror = join(root, "mirror");
    await mkdir(home);
    const installed = await installProvider({ dir: mirror });
    const cliConfig = join(root, "terraform.rc");
    await writeFile(cliConfig, mirrorCliConfig(installed.dir));

    const standin = await startTestStandin();
    const token = newToken();
    const secrets = new Map<string, string>(moreSecrets.map((name) => [name, randomSecretFor(name)]));
    for (const dir of exampleDirs)
      for (const [k, v] of Object.entries(await exampleSecrets(dir))) secrets.set(k, v);
    const account = {
      url: standin.url,
      domain: standin.settings.domain,
      username: standin.settings.username,
      password: { fromEnv: "OMNIA_SECRET_PLATFORM_PASSWORD" },
    };
    // Only the API's ?wait=true reconciles during a test: the timers are far away.
    const policies = { ...defaultPolicies, prune: true, intervalMs: 3_600_000, driftIntervalMs: 3_600_000 };
    const config: ControllerConfig = {
      file: "(e2e)",
      listen: { host: "127.0.0.1", port: 0 },
      state: { dir: join(root, "state") },
      git: { allowedProtocols: ["https"] },
      sources: [{ id: "demo-tf", partner: "demo", location: { type: "api" }, account, policies }],
      tokens: [
        { name: "tf", partner: "demo", scopes: ["write"], secret: { fromEnv: "OMNIA_SECRET_E2E_TOKEN" } },
      ],
    };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...Object.fromEntries(secrets),
      OMNIA_SECRET_PLATFORM_PASSWORD: standin.settings.password,
      OMNIA_SECRET_E2E_TOKEN: token,
    };
    delete env.DATABASE_URL;
    delete env.OMNIA_SECRET_KEY;
    delete env.OMNIA_SECRET_KEY_FILE;
    const controller = await startControllerService({
      config,
      env,
      logger: pino({ level: "silent" }),
      scheduler: { pollMs: 50 },
    });
    // Terraform's environment: no network, no secrets of the controller, the provider's
    // settings by the variables it documents.
    const tfEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      TMPDIR: tmpdir(),
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      TF_CLI_CONFIG_FILE: cliConfig,
      OMNIA_CONTROLLER_URL: controller.url,
      OMNIA_TOKEN: token,
    };
    const platform = new OmniaClient(standin.settings, {
      requestsPerSecond: 1000,
      burst: 1000,
      maxRetries: 1,
    });
    let dirs = 0;
    world = {
      standin,
      controller,
      token,
      platform,
      secrets,
      terraform: (cwd, ...args) =>
        new Promise((resolve) => {
          execFile(
            "terraform",
            [...args, "-no-color"],
            { cwd, env: tfEnv, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 },
            (err, stdout, stderr) => {
              const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
              resolve({ code, stdout, stderr });
            },
          );
        }),
      workdir: async (name) => {
        const dir = join(root as string, "work", `${++dirs}-${name}`);
        await mkdir(dir, { recursive: true });
        return dir;
      },
    };
  });
  afterAll(async () => {
    await world?.platform.close();
    await world?.controller.close({ graceMs: 0 });
    await world?.standin.close();
    if (root && existsSync(root)) await rm(root, { recursive: true, force: true });
  });
  return new Proxy({} as TerraformWorld, {
    get(_t, prop) {
      if (!world) throw new Error("useTerraformWorld: used before beforeAll");
      return world[prop as keyof TerraformWorld];
    },
  });
}
