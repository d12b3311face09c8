/**
 * Test world of the provider's resources: the real controller service in-process
 * (`startControllerService`, embedded PGlite in a temp folder) reconciling against a
 * stand-in platform, with partner `demo`'s api source `demo-tf` (prune on, so a destroy
 * deletes on the platform), a folder source `demo-yaml` that a test can fill with YAML,
 * and a write token. `provider()` is a configured Kalliope provider pointed at it; the
 * calls (`plan`, `apply`, ...) play Terraform's part with decoded values.
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll } from "vitest";
import type { ControllerConfig } from "../../../controller/runtime/controller-config.js";
import { defaultPolicies } from "../../../controller/service/routes/sources.js";
import { type RunningController, startControllerService } from "../../../controller/service/serve.js";
import { newToken } from "../../../controller/service/tokens.js";
import { startTestStandin, type TestStandin } from "../../../platform/standin/testing.js";
import type { CallContext, ProviderDefinition, ResourceType, TfObject } from "../../plugin/contract.js";
import { createKalliopeProvider } from "../index.js";

/** A controller, a stand-in and a configured provider, shared by one test file. */
export interface ProviderWorld {
  standin: TestStandin;
  controller: RunningController;
  /** The write token of partner demo. */
  token: string;
  /** The folder source's directory (YAML documents for conflict tests). */
  yamlDir: string;
  /** A provider configured against the controller (fresh client, no retry waits). */
  provider(): Promise<ProviderDefinition>;
  /** Environment of the controller: secrets `OMNIA_SECRET_*` for `_from_env` attributes. */
  env: NodeJS.ProcessEnv;
}

/** A call context with write-only attributes allowed and a signal that never fires. */
export const ctx: CallContext = { signal: new AbortController().signal, writeOnlyAllowed: true };

/** The resource type named `typeName` of a provider. */
export function resourceOf(p: ProviderDefinition, typeName: string): ResourceType {
  const r = p.resources.find((x) => x.name === typeName);
  if (!r) throw new Error(`no resource type ${typeName}`);
  return r;
}

/** A configuration with every attribute of the schema (null where `set` has none), as Terraform sends it. */
export function configOf(r: ResourceType, set: TfObject): TfObject {
  const out: TfObject = {};
  for (const a of r.schema.block.attributes) {
    const v = set[a.name] ?? null;
    if (a.nestedType && v !== null && typeof v === "object" && !Array.isArray(v)) {
      out[a.name] = Object.fromEntries(
        a.nestedType.attributes.map((f) => [f.name, (v as TfObject)[f.name] ?? null]),
      );
    } else out[a.name] = v;
  }
  return out;
}

/**
 * Terraform's proposed new state: the configuration, with computed attributes the
 * configuration leaves null taken from the prior state, write-only attributes null.
 */
export function proposedOf(r: ResourceType, config: TfObject, prior: TfObject | null): TfObject {
  const out: TfObject = {};
  for (const a of r.schema.block.attributes) {
    const v = config[a.name] ?? null;
    if (a.writeOnly) out[a.name] = null;
    else if (v === null && a.computed) out[a.name] = prior?.[a.name] ?? null;
    else out[a.name] = v;
  }
  return out;
}

/** Plans and applies `set` over `prior` as Terraform would; throws on any diagnostic. */
export async function planAndApply(r: ResourceType, set: TfObject, prior: TfObject | null) {
  const config = configOf(r, set);
  const validation = await r.validate(config, ctx);
  if (validation.length > 0) throw new Error(`validate: ${JSON.stringify(validation)}`);
  const plan = await r.plan(
    {
      priorState: prior,
      proposedNewState: proposedOf(r, config, prior),
      config,
      priorPrivate: new Uint8Array(),
    },
    ctx,
  );
  if (plan.diagnostics.length > 0) throw new Error(`plan: ${JSON.stringify(plan.diagnostics)}`);
  const applied = await r.apply(
    { priorState: prior, plannedState: plan.plannedState, config, plannedPrivate: new Uint8Array() },
    ctx,
  );
  return { plan, applied };
}

/** Starts the world in `beforeAll` and stops it in `afterAll`. */
export function useProviderWorld(): ProviderWorld {
  const made: string[] = [];
  let world: ProviderWorld | undefined;
  beforeAll(async () => {
    const standin = await startTestStandin();
    const root = await mkdtemp(join(tmpdir(), "omnia-provider-"));
    made.push(root);
    const yamlDir = join(root, "yaml");
    await mkdir(yamlDir);
    const token = newToken();
    const account = {
      url: standin.url,
      domain: standin.settings.domain,
      username: standin.settings.username,
      password: { fromEnv: "OMNIA_SECRET_PLATFORM_PASSWORD" },
    };
    // Only the API's ?wait=true reconciles during a test: the timers are far away.
    const policies = { ...defaultPolicies, prune: true, intervalMs: 600_000, driftIntervalMs: 600_000 };
    const config: ControllerConfig = {
      file: "(test)",
      listen: { host: "127.0.0.1", port: 0 },
      state: { dir: join(root, "state") },
      git: { allowedProtocols: ["https"] },
      sources: [
        { id: "demo-tf", partner: "demo", location: { type: "api" }, account, policies },
        { id: "demo-yaml", partner: "demo", location: { type: "folder", path: yamlDir }, account, policies },
      ],
      tokens: [{ name: "tf", partner: "demo", scopes: ["write"], secret: { fromEnv: "OMNIA_SECRET_TOKEN" } }],
    };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      OMNIA_SECRET_PLATFORM_PASSWORD: standin.settings.password,
      OMNIA_SECRET_TOKEN: token,
      OMNIA_SECRET_DEMO_PIN_201: "4711",
      OMNIA_SECRET_DEMO_TRUNK: `pw-${randomBytes(6).toString("hex")}`,
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
    world = {
      standin,
      controller,
      token,
      yamlDir,
      env,
      async provider() {
        const p = createKalliopeProvider({
          env: { OMNIA_CONTROLLER_URL: controller.url, OMNIA_TOKEN: token },
          client: { retries: 1, sleep: async () => {} },
        });
        const problems = await p.configure({ controller_url: null, token: null, source: null }, ctx);
        if (problems.length > 0) throw new Error(JSON.stringify(problems));
        return p;
      },
    };
  });
  afterAll(async () => {
    await world?.controller.close({ graceMs: 0 });
    await world?.standin.close();
    await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
  });
  return new Proxy({} as ProviderWorld, {
    get(_t, prop) {
      if (!world) throw new Error("useProviderWorld: used before beforeAll");
      return world[prop as keyof ProviderWorld];
    },
  });
}
