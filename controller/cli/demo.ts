/**
 * `omnia demo` (what `npm start` runs): the controller service on one machine with
 * nothing to install. Starts the stand-in platform seeded with the example customers,
 * partly drifted by hand; starts `omnia serve` on embedded state (PGlite, a fresh folder)
 * with `examples/gitops-partner` registered as a source; the first reconcile repairs the
 * drift. Prints the API, docs and dashboard URLs and an admin token, then serves until
 * Ctrl-C (or returns at once with `exit`).
 */

import { randomBytes, randomInt } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pc from "picocolors";
import pino, { type Logger } from "pino";
import { seedDemo } from "../../platform/standin/seeds/demo.js";
import { demoLogin, seedPartners } from "../../platform/standin/seeds/partners.js";
import { type RunningStandin, startStandin } from "../../platform/standin/server.js";
import { StandinState } from "../../platform/standin/state.js";
import type { TenantStatus } from "../model/control.js";
import type { ControllerConfig } from "../runtime/controller-config.js";
import { defaultPolicies } from "../service/routes/sources.js";
import { type RunningController, startControllerService } from "../service/serve.js";
import { newToken } from "../service/tokens.js";
import { installProvider, mirrorCliConfig } from "./commands/provider.js";

/** Port the demo's stand-in tries first; a free one when it is taken. */
export const demoPort = 8090;
/** Port the demo's controller tries first; a free one when it is taken. */
export const demoControllerPort = 8080;
/** The demo's source id and partner. */
export const demoSource = "gitops-partner";
export const demoPartner = "demo";

/** Options of `runDemo`; all have defaults. */
export interface DemoOptions {
  /** Manifests to reconcile. Default: examples/gitops-partner of this package. */
  dir?: string;
  /** Embedded state folder. Default: a fresh temporary folder. */
  stateDir?: string;
  /** Port of the stand-in to try first. Default 8090; 0 asks for a free one. */
  port?: number;
  /** Port of the controller to try first. Default 8080; 0 asks for a free one. */
  controllerPort?: number;
  /**
   * The Terraform demo: the stand-in starts empty, and the controller has an `api` source
   * (`demo-tf`, the one the Terraform provider writes to) instead of the repository, with
   * every secret variable examples/hcl names. Prints how to run examples/hcl against it.
   * Default false.
   */
  terraform?: boolean;
  /** Return after the first reconcile instead of serving until interrupted. Default false. */
  exit?: boolean;
  /** How long to wait for every tenant to be in sync (ms). Default 120 000. */
  convergeTimeoutMs?: number;
  /** Colours. Default: stdout is a terminal. */
  color?: boolean;
  /** Where the text goes. Default stdout. */
  write?: (text: string) => void;
  logger?: Logger;
  /** Resolves when the demo should stop serving (default: SIGINT or SIGTERM). */
  untilStopped?: () => Promise<void>;
}

/** What the demo did, for tests. */
export interface DemoResult {
  /** The stand-in platform. */
  platformUrl: string;
  /** The controller's API and dashboard. */
  url: string;
  /** The admin token printed (also accepted by the dashboard's login). */
  token: string;
  /** Every tenant's status after the first reconcile. */
  tenants: TenantStatus[];
  /** Every tenant reached `InSync` before the timeout. */
  converged: boolean;
  /** Requests the stand-in served. */
  apiCalls: number;
}

/** The example repository shipped with this package. */
export function findExamples(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "examples", "gitops-partner");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Runs the demo; see the module comment. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const write = options.write ?? ((t: string) => void process.stdout.write(t));
  const c = pc.createColors(options.color ?? Boolean(process.stdout.isTTY));
  const dir = options.dir ?? findExamples();
  if (!dir) throw new Error("cannot find examples/gitops-partner beside this package; pass --dir");
  const logger = options.logger ?? pino({ level: "silent" });
  // A temporary folder of our own (state and secret key) is removed when the demo ends.
  const temporary = options.stateDir ? undefined : await mkdtemp(join(tmpdir(), "omnia-demo-"));
  const stateDir = options.stateDir ?? join(temporary as string, "state");
  const cleanUp = async () => {
    if (temporary) await rm(temporary, { recursive: true, force: true });
  };
  const step = (n: number, text: string) => write(`\n${c.bold(c.cyan(`[${n}/3] ${text}`))}\n`);

  step(1, "Starting the stand-in Omnia platform (seed: demo, partly drifted from the repository)");
  const standin = await listen(options.port ?? demoPort, options.terraform ? undefined : dir);
  write(`platform:  ${standin.url}  (partner domain "${demoLogin.domain}", user "${demoLogin.username}")\n`);
  write(
    `state:     ${stateDir} (embedded PostgreSQL, PGlite)\nmanifests: ${options.terraform ? "none: Terraform writes them through the API" : dir}\n`,
  );

  step(
    2,
    options.terraform
      ? `Starting the controller (omnia serve) with an api source, "${terraformDemoSource}", for the Terraform provider`
      : "Starting the controller (omnia serve) with the repository as a source",
  );
  const token = newToken();
  // The platform password and the token reach the controller as references to variables
  // of its own environment, as an operator's config file names them; never as values.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OMNIA_SECRET_DEMO_PASSWORD: demoLogin.password,
    OMNIA_SECRET_DEMO_TOKEN: token,
  };
  delete env.DATABASE_URL;
  delete env.OMNIA_SECRET_KEY;
  delete env.OMNIA_SECRET_KEY_FILE;
  const hclDir = join(dirname(dir), "hcl");
  if (options.terraform) Object.assign(env, await exampleSecrets(hclDir));
  let controller: RunningController;
  try {
    controller = await startController(
      options.controllerPort ?? demoControllerPort,
      (port) =>
        options.terraform
          ? terraformDemoConfig(stateDir, standin.url, port)
          : demoConfig(dir, stateDir, standin.url, port),
      env,
      logger,
    );
  } catch (err) {
    await standin.close();
    await cleanUp();
    throw err;
  }
  write(
    [
      `API:       ${controller.url}/v1  (OpenAPI docs: ${controller.url}/docs)`,
      `dashboard: ${controller.url}/`,
      `token:     ${token}  (admin of partner "${demoPartner}"; send it as "Authorization: Bearer …")`,
      "",
    ].join("\n"),
  );

  if (options.terraform) {
    const result: DemoResult = {
      platformUrl: standin.url,
      url: controller.url,
      token,
      tenants: [],
      converged: true,
      apiCalls: standin.stats.requests,
    };
    // The provider, installed in a mirror of the demo's own: `terraform init` needs no network.
    const tfDir = join(dirname(stateDir), "terraform");
    const installed = await installProvider({ dir: join(tfDir, "mirror") });
    const rc = join(tfDir, "terraform.rc");
    await writeFile(rc, mirrorCliConfig(installed.dir));
    step(3, "Apply examples/hcl with Terraform (in another terminal)");
    write(
      [
        `  export TF_CLI_CONFIG_FILE=${rc} CHECKPOINT_DISABLE=1`,
        `  export OMNIA_CONTROLLER_URL=${controller.url} OMNIA_TOKEN=${token}`,
        `  cd ${hclDir} && terraform init && terraform apply`,
        `The controller holds every OMNIA_SECRET_DEMO_* variable the example names (random PINs).`,
        "Press Ctrl-C to stop.",
        "",
      ].join("\n"),
    );
    if (!options.exit) await (options.untilStopped ?? interrupted)();
    await controller.close({ graceMs: 0 });
    await standin.close();
    await cleanUp();
    return result;
  }

  step(3, "First reconcile: the controller repairs the drift");
  let result: DemoResult;
  try {
    const tenants = await converge(controller, options.convergeTimeoutMs ?? 120_000);
    // A tenant whose driftMode is warn (the hotel) stays Drifted: reported, never repaired.
    const converged =
      tenants.length > 0 && tenants.every((t) => t.phase === "InSync" || t.phase === "Drifted");
    for (const t of tenants)
      write(
        `  ${t.phase === "InSync" ? c.green("✓") : t.phase === "Drifted" ? c.yellow("~") : c.red("✗")} ${t.tenant.padEnd(12)} ${t.phase}${t.reason ? `  ${t.reason}` : ""}${t.phase === "Drifted" ? " (driftMode warn or observe: reported, never repaired)" : ""}\n`,
      );
    const runs = await controller.store.listRuns({ limit: 100 });
    const steps = runs.reduce((n, r) => n + Object.values(r.summary).reduce((a, b) => a + b, 0), 0);
    write(
      [
        "",
        c.bold("Summary"),
        `  tenants:   ${tenants.filter((t) => t.phase === "InSync").length} of ${tenants.length} in sync, ${tenants.filter((t) => t.phase === "Drifted").length} drifted by choice${converged ? "" : " (NOT CONVERGED)"}`,
        `  runs:      ${runs.length} recorded (${steps} counted changes); see ${controller.url}/v1/runs`,
        `  platform:  ${standin.stats.requests} API requests served by the stand-in`,
        "",
      ].join("\n"),
    );
    result = {
      platformUrl: standin.url,
      url: controller.url,
      token,
      tenants,
      converged,
      apiCalls: standin.stats.requests,
    };
  } catch (err) {
    await controller.close({ graceMs: 0 });
    await standin.close();
    await cleanUp();
    throw err;
  }
  if (options.exit) {
    await controller.close({ graceMs: 0 });
    await standin.close();
    await cleanUp();
    return result;
  }
  write(
    [
      `The controller keeps reconciling. Change something by hand and watch it come back:`,
      `  curl -s -H "Authorization: Bearer ${token}" ${controller.url}/v1/tenants`,
      `  Dashboard: ${controller.url}/  (log in with the token above)`,
      "Press Ctrl-C to stop.",
      "",
    ].join("\n"),
  );
  await (options.untilStopped ?? interrupted)();
  await controller.close();
  await standin.close();
  await cleanUp();
  write(`Controller and stand-in stopped${temporary ? `; ${temporary} removed` : ""}.\n`);
  return result;
}

/** The controller configuration of the demo: one folder source, one admin token. */
export function demoConfig(
  dir: string,
  stateDir: string,
  platformUrl: string,
  port: number,
): ControllerConfig {
  return {
    file: "(demo)",
    listen: { host: "127.0.0.1", port },
    state: { dir: stateDir },
    git: { allowedProtocols: ["https", "ssh"] },
    sources: [
      {
        id: demoSource,
        partner: demoPartner,
        location: { type: "folder", path: dir },
        account: {
          url: platformUrl,
          domain: demoLogin.domain,
          username: demoLogin.username,
          password: { fromEnv: "OMNIA_SECRET_DEMO_PASSWORD" },
        },
        policies: { ...defaultPolicies, intervalMs: 60_000, driftIntervalMs: 30_000 },
      },
    ],
    tokens: [
      {
        name: "demo-admin",
        partner: demoPartner,
        scopes: ["read", "write", "admin"],
        secret: { fromEnv: "OMNIA_SECRET_DEMO_TOKEN" },
      },
    ],
  };
}

async function startController(
  port: number,
  config: (port: number) => ControllerConfig,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<RunningController> {
  try {
    return await startControllerService({ config: config(port), env, logger });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || port === 0) throw err;
    return startControllerService({ config: config(0), env, logger });
  }
}

/**
 * Waits until every tenant of the demo source has finished its first reconcile (or
 * failed for good), or `timeoutMs` (ms) passed.
 */
async function converge(controller: RunningController, timeoutMs: number): Promise<TenantStatus[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { items } = await controller.store.listTenantStatus({ source: demoSource, limit: 1000 });
    const settled =
      items.length > 0 &&
      items.every(
        (t) =>
          t.lastRunAt !== null && (t.phase === "InSync" || t.phase === "Drifted" || t.phase === "Failed"),
      );
    if (settled || Date.now() > deadline) return items;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Starts the stand-in on `port` (a free port when that one is taken), seeded from the
 * repository being demonstrated, partly drifted (platform/standin/seeds/demo.ts).
 */
async function listen(port: number, examplesDir: string | undefined): Promise<RunningStandin> {
  const state = new StandinState();
  const partners = seedPartners(state);
  if (examplesDir) await seedDemo(state, partners.demo, examplesDir);
  try {
    return await startStandin({ port, state });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || port === 0) throw err;
    return startStandin({ port: 0, state });
  }
}

function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

/** The Terraform demo's controller: one `api` source of partner demo, pruning what Terraform destroys. */
export function terraformDemoConfig(stateDir: string, platformUrl: string, port: number): ControllerConfig {
  const base = demoConfig("", stateDir, platformUrl, port);
  const [folder] = base.sources;
  if (!folder) throw new Error("the demo configuration has no source");
  return {
    ...base,
    sources: [
      {
        id: terraformDemoSource,
        partner: demoPartner,
        location: { type: "api" },
        account: folder.account,
        policies: { ...folder.policies, prune: true },
      },
    ],
  };
}

/** The Terraform demo's source id: the one the provider writes to. */
export const terraformDemoSource = "demo-tf";

/** A random value for a secret variable: a password for a trunk's, else a 4-6 digit PIN. */
export function randomSecretFor(name: string): string {
  return name.includes("PASSWORD") ? `Tr-${randomBytes(9).toString("hex")}` : String(randomInt(1000, 999999));
}

/**
 * A random value (`randomSecretFor`) for every `OMNIA_SECRET_DEMO_…` variable named in the
 * `.tf` and `.json` files under `dir` (recursive; `node_modules` and `.terraform` skipped):
 * the HCL example, or a synthesized CDKTF stack. Throws what reading the folder throws.
 */
export async function exampleSecrets(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (at: string): Promise<void> => {
    for (const e of await readdir(at, { withFileTypes: true })) {
      const path = join(at, e.name);
      if (e.isDirectory()) {
        if (e.name !== "node_modules" && e.name !== ".terraform") await walk(path);
      } else if (/\.(tf|json)$/.test(e.name)) {
        for (const m of (await readFile(path, "utf8")).matchAll(/OMNIA_SECRET_DEMO_[A-Z0-9_]*[A-Z0-9]/g))
          out[m[0]] ??= randomSecretFor(m[0]);
      }
    }
  };
  await walk(dir);
  return out;
}
