/**
 * Builds the stand-in Fastify app: plugins in order (faults, auth, idempotency,
 * conformance, resets), the error handler, and the routes of the contract.
 * `startStandin` (server.ts) listens; tests may also use `app.inject`.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import { contractAjv } from "./ajv.js";
import { defaultPendingDelayMs } from "./decided.js";
import { defaultKnobs, emptyStats, type Knobs, type StandinStats } from "./knobs.js";
import { authPluginFp } from "./plugins/auth.js";
import { type ContractViolation, conformancePluginFp } from "./plugins/conformance.js";
import { errorsPluginFp } from "./plugins/errors.js";
import { faultsPluginFp, resetsPluginFp } from "./plugins/faults.js";
import { idempotencyPluginFp } from "./plugins/idempotency.js";
import { adminConsoleRoutes } from "./routes/admin-console.js";
import { omniaManagerRoutes } from "./routes/omnia-manager.js";
import { standinAdminRoutes } from "./routes/standin-admin.js";
import type { StandinState } from "./state.js";

/** Options of the app; every field but `state` has a default. */
export interface StandinAppOptions {
  state: StandinState;
  /** How long new PBXs and invited users stay pending (ms). Default 2000. */
  pendingDelayMs?: number;
  /** Initial knobs (nothing injected by default). */
  knobs?: Partial<Knobs>;
  /** Server clock (auth window, pending, timestamps). Default: real time. */
  clock?: () => Date;
  /** Random source for error and reset rates. Default Math.random. */
  random?: () => number;
  /** Check every response against the contract (tests). Default false. */
  validateResponses?: boolean;
  /** Fastify logger. Default off. */
  logger?: boolean;
}

/** The app and the handles that tests, the CLI and the admin endpoint share. */
export interface StandinApp {
  app: FastifyInstance;
  state: StandinState;
  knobs: Knobs;
  stats: StandinStats;
  /** Every route the app serves, with the contract operation it implements (if any). */
  routes: { method: string; url: string; operationId: string | undefined }[];
  /** Responses that broke the contract (only collected with validateResponses). */
  violations: ContractViolation[];
  pendingDelay: { ms: number };
}

/** Builds (and readies) the app without listening; `app.inject` works on it. */
export async function buildStandinApp(options: StandinAppOptions): Promise<StandinApp> {
  const clock = options.clock ?? (() => new Date());
  const knobs = { ...defaultKnobs(), ...options.knobs };
  const stats = emptyStats();
  const violations: ContractViolation[] = [];
  const pendingDelay = { ms: options.pendingDelayMs ?? defaultPendingDelayMs };
  const nowMs = () => clock().getTime();
  const app = Fastify({
    logger: options.logger ?? false,
    genReqId: () => randomUUID(),
    // Clients keep connections alive; closing the stand-in must not wait for them.
    forceCloseConnections: true,
  });
  const routes: StandinApp["routes"] = [];
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, operationId: route.config?.operationId });
    }
  });
  // Every answer names its request id, so a client can log it beside its own step.
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", String(request.id));
  });
  const requestAjv = contractAjv("request");
  app.setValidatorCompiler(({ schema }) => requestAjv.compile(schema));

  await app.register(errorsPluginFp);
  await app.register(faultsPluginFp, { knobs, stats, random: options.random ?? Math.random, nowMs });
  await app.register(authPluginFp, { state: options.state, clock });
  await app.register(idempotencyPluginFp, { stats, nowMs });
  if (options.validateResponses) await app.register(conformancePluginFp, { violations });
  await app.register(resetsPluginFp, { knobs, stats, random: options.random ?? Math.random, nowMs });

  const deps = { state: options.state, clock, pendingDelayMs: () => pendingDelay.ms };
  await app.register(adminConsoleRoutes, deps);
  await app.register(omniaManagerRoutes, deps);
  await app.register(standinAdminRoutes, { knobs, stats, pendingDelay });
  await app.ready();
  return { app, state: options.state, knobs, stats, routes, violations, pendingDelay };
}
