/**
 * `omnia serve`'s composition root: one controller replica. It opens the state store
 * (PostgreSQL when `DATABASE_URL` is set, else embedded PGlite), registers the config
 * file's sources and bootstrap tokens, builds a desired-state source per registered
 * source (folder, git, api), a platform client per account and budget lane, the
 * scheduler (controller/scheduler) bound to the engine's `reconcileTenant`, and the HTTP
 * app (controller/service/app.ts), then listens. Any number of replicas may run on one
 * PostgreSQL: the request queue and the tenant leases keep one writer per tenant.
 *
 * Stopping (SIGTERM in `omnia serve`): the scheduler stops claiming, lets the step in
 * flight finish (the engine stops between steps and records the run interrupted),
 * releases its claims and leases, then the app and the store close.
 */
import type { FastifyInstance } from "fastify";
import pLimit from "p-limit";
import pino, { type Logger } from "pino";
import { type ClientOptions, OmniaClient } from "../../platform/client/index.js";
import type { RateGate } from "../../platform/client/rate-limit.js";
import type { PlatformPort } from "../engine/adapters/platform-port.js";
import { observe } from "../engine/observe/observe.js";
import type { ReconcileDeps } from "../engine/reconcile/deps.js";
import { ShutdownError } from "../engine/reconcile/outcome.js";
import { errUnknownTenant, planTenants, tenantsOf } from "../engine/reconcile/plan-tenants.js";
import { reconcileTenant } from "../engine/reconcile/reconcile-tenant.js";
import type { DesiredStateSource } from "../engine/reconcile/source-port.js";
import { formatProblem } from "../load/index.js";
import type { PlatformAccount, SourceRecord } from "../model/control.js";
import type { AnyLiveResource, LiveState } from "../model/live-state.js";
import type { Plan } from "../model/plan.js";
import type { ControllerConfig } from "../runtime/controller-config.js";
import { describeReference, resolveOperatorSecret } from "../runtime/operator-secret.js";
import { createSecretHasher, isCurrentSecretHash, resolveSecretKey } from "../runtime/secret-key.js";
import { secretAccessFrom } from "../runtime/settings.js";
import { createSecretSealer, type SecretSealer, storedSecretsPort } from "../runtime/stored-secrets.js";
import { accountKey } from "../scheduler/budget.js";
import type { ReconcileContext, RunResult } from "../scheduler/ports.js";
import { createScheduler, type Scheduler, type SchedulerOptions } from "../scheduler/scheduler.js";
import { sourceFromSpec } from "../sources/from-spec.js";
import { GitSource } from "../sources/git.js";
import { openStore, type Store } from "../store/index.js";
import { buildApp, type ServiceOptions } from "./app.js";
import { coalescedApplyNow } from "./apply-now.js";
import { Problem } from "./errors.js";
import { liveView } from "./live-view.js";
import { createControllerMetrics } from "./metrics.js";
import type { ApplyNowResult, LiveObjectView, ServiceDeps, TenantPlanView } from "./ports.js";
import { loadProblemView } from "./problem-view.js";
import { SingleFlight } from "./single-flight.js";
import { hashToken, tokenPattern } from "./tokens.js";

/** Options of `startControllerService`; all but `config` have defaults. */
export interface ControllerServiceOptions {
  /** The configuration (`loadControllerConfig`), or one built in code (`npm start`). */
  config: ControllerConfig;
  /** Where `DATABASE_URL`, the secret key and `fromEnv` references are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Default: pino at `info` to stderr. */
  logger?: Logger;
  /** Scheduler tuning (concurrency, poll period, backoff, budgets); tests shorten the periods. */
  scheduler?: Partial<Omit<SchedulerOptions, "store" | "reconcile" | "listTenants" | "readRevision">>;
  /** App options (rate limit per token, event polling). */
  service?: Omit<ServiceOptions, "metrics">;
  /** Platform client options (retries, timeouts); `limits` is set per account here. */
  client?: Omit<ClientOptions, "limits">;
  /** Reconcile options (lease time); tests shorten them. */
  reconcile?: ReconcileDeps["options"];
  /** Read the platform's audit logs to name who changed a drifted resource. Default true. */
  attribution?: boolean;
  /** Platform calls in flight at most per account on this replica. Default 8. */
  accountConcurrency?: number;
}

/** A running replica. */
export interface RunningController {
  /** Base URL of the API and dashboard, e.g. `http://127.0.0.1:8080`. */
  url: string;
  app: FastifyInstance;
  scheduler: Scheduler;
  store: Store;
  /** Stops as described in the module comment; `graceMs` bounds the wait for runs in flight. */
  close(o?: { graceMs?: number }): Promise<void>;
}

/** A bootstrap token's value is not a token the API accepts (`omn_` and 43 base64url characters). */
export const errBootstrapTokenMalformed =
  "a bootstrap token must be omn_ followed by 43 base64url characters (32 random bytes)";

/** A webhook's fetch of its git source failed. */
export const errSourceFetch = "cannot fetch the source";

/** Requests/s an account gets when the configuration names none (all replicas together). */
export const defaultAccountRequestsPerSecond = 20;

/**
 * Starts one replica. Throws `StoreError`, `SecretKeyError`, `OperatorSecretError` (a
 * bootstrap token's secret), `errBootstrapTokenMalformed` or the listen error; nothing is left open when it throws.
 */
export async function startControllerService(o: ControllerServiceOptions): Promise<RunningController> {
  const env = o.env ?? process.env;
  const logger = o.logger ?? pino({ level: "info" });
  const config = o.config;
  const stateDir = config.state.dir;
  const dbEnv = { ...env };
  if (config.state.databaseUrl) dbEnv.DATABASE_URL = resolveOperatorSecret(config.state.databaseUrl, env);
  const key = await resolveSecretKey({ env, stateDir });
  const store = await openStore({ dataDir: stateDir, env: dbEnv });
  const closers: (() => Promise<unknown>)[] = [() => store.close()];
  // Stops the runs of ?wait=true writers when the service closes.
  const applyStop = new AbortController();
  const applyOptions = { signal: applyStop.signal };
  try {
    for (const spec of config.sources) await store.upsertSource(spec);
    for (const t of config.tokens) {
      const secret = resolveOperatorSecret(t.secret, env);
      // The API accepts well-formed tokens only: a malformed one would be stored and never work.
      if (!tokenPattern.test(secret))
        throw new Error(
          `${errBootstrapTokenMalformed}: token "${t.name}" of partner "${t.partner}" (${describeReference(t.secret)})`,
        );
      await ensureToken(store, t.partner, t.name, t.scopes, secret);
    }
    const metrics = createControllerMetrics();
    const secrets = {
      hash: createSecretHasher(key),
      isCurrent: (h: string) => isCurrentSecretHash(h, key.id),
    };
    // Secrets stored through the API are sealed with a key derived from the same controller key.
    const sealer = createSecretSealer(key);
    const sources = new SourceCache(config, env, store, stateDir, sealer);
    const clients = new ClientCache(env, o.client ?? {}, o.accountConcurrency ?? 8, (account, r) =>
      metrics.platformCall({
        account,
        method: r.route.split(" ")[0] ?? "",
        status: r.status,
        durationMs: r.durationMs,
      }),
    );
    closers.unshift(() => clients.close());
    const depsFor = (
      source: SourceRecord,
      client: PlatformPort & Pick<OmniaClient, "logs">,
    ): ReconcileDeps => ({
      client,
      store,
      logger, // the engine names the source in each line itself
      secrets,
      attribution:
        o.attribution === false
          ? undefined
          : { logs: client.logs, ignoreActors: [`${source.account.username}@${source.account.domain}`] },
      options: { parallelism: source.policies.parallelism, ...leaseTuning(config), ...o.reconcile },
    });

    const scheduler = createScheduler({
      logger,
      ...schedulerTuning(config),
      ...o.scheduler,
      budget: {
        requestsPerSecond: (a) => a.requestsPerSecond ?? defaultAccountRequestsPerSecond,
        ...o.scheduler?.budget,
      },
      store,
      metrics: {
        reconciled: (e) => {
          const outcome = outcomeLabel(e.result);
          if (outcome) metrics.reconcileFinished({ mode: e.mode, outcome, durationMs: e.durationMs });
        },
        queueDepth: (d) => metrics.queueDepth(d),
      },
      listTenants: async (record) => {
        const snapshot = await sources.read(record);
        const inventory = await store.listInventory({ source: record.id });
        return tenantsOf(undefined, snapshot.desired, inventory, record.id);
      },
      readRevision: async (record, signal) => (await sources.read(record, signal)).revision,
      reconcile: async (request, signal, ctx: ReconcileContext) => {
        const source = sources.sourceOf(ctx.source);
        // On SIGTERM the run stops between steps at once (`ctx.stopping`) and starts
        // nothing new, but the call in flight finishes: only the grace's end aborts it.
        const client = callsAbortedOnlyBy(clients.get(ctx.source.account, ctx.gate), signal);
        const out = await reconcileTenant(
          { source, tenant: request.tenant, mode: request.mode, prune: ctx.source.policies.prune },
          depsFor(ctx.source, client),
          AbortSignal.any([signal, ctx.stopping]),
        );
        const plan = out.result?.planned.plan;
        if (plan) {
          const byKind: Record<string, number> = {};
          for (const c of plan.changes) if (c.action !== "noop") byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
          for (const d of plan.drift) byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
          if (request.mode === "drift") metrics.driftedResources(ctx.source.id, request.tenant, byKind);
        }
        return out;
      },
    });

    const normalClient = (record: SourceRecord) =>
      clients.get(record.account, scheduler.budgets.gate(record.account, "apply"));
    const mustSource = async (id: string): Promise<SourceRecord> => {
      const record = await store.getSource(id);
      if (!record) throw new Error(`unknown source: ${id}`);
      return record;
    };
    const liveReads = new SingleFlight<string, LiveObjectView[]>();
    const deps: ServiceDeps = {
      store,
      trigger: async (sourceId, tenant, reason, mode) => {
        const record = await store.getSource(sourceId);
        // A webhook says the branch moved: fetch now, not at the next interval. A remote
        // that cannot be reached is the upstream's fault (502), said with git's reason.
        if (record && reason === "webhook")
          await sources.refresh(record).catch((err: unknown) => {
            throw new Problem(502, "bad-gateway", `${errSourceFetch}: ${(err as Error).message}`);
          });
        await scheduler.trigger(sourceId, tenant, reason, mode);
      },
      planTenant: async (sourceId, tenant, signal) => {
        const record = await mustSource(sourceId);
        return planView(
          record,
          tenant,
          depsFor(record, normalClient(record)),
          sources.sourceOf(record),
          signal,
        );
      },
      sourceProblems: async (sourceId, signal) => {
        const record = await mustSource(sourceId);
        const snapshot = await sources.sourceOf(record).read(signal);
        return snapshot.problems.map((p) => ({ file: p.file, text: formatProblem(p) }));
      },
      // Concurrent ?wait=true writers of a tenant share runs instead of meeting its lease.
      applyTenantNow: coalescedApplyNow(async (sourceId, tenant, signal) => {
        const record = await mustSource(sourceId);
        const d = depsFor(record, normalClient(record));
        const source = sources.sourceOf(record);
        const out = await reconcileTenant(
          { source, tenant, mode: "apply", prune: record.policies.prune },
          d,
          signal,
        );
        const result: ApplyNowResult = {
          outcome: out.status,
          runId: out.result?.planned.runId ?? null,
          reason: out.status === "done" ? null : out.reason,
          live: [],
          notes: planNotes(out.result?.planned.plan),
        };
        if (out.status === "terminal" && out.problems) result.problems = out.problems.map(loadProblemView);
        if (out.status === "done") {
          // The platform as the run left it, observed afresh; not a plan, which would read
          // the source again and fail on documents written meanwhile.
          const live = await observe(normalClient(record).withSignal(signal), { tenants: [tenant] });
          const owners = await store.listInventory({ tenants: [tenant] });
          result.live = liveObjects(live, tenant, new Map(owners.map((e) => [e.key, e.source])));
        }
        return result;
      }, applyOptions),
      // One tenant's lists through the source account's client and budget; never a write.
      // Concurrent reads of one (source, tenant) share the observe in flight, nothing more.
      observeTenant: (sourceId, tenant, signal) =>
        liveReads.do(
          JSON.stringify([sourceId, tenant]),
          async (shared) => {
            const record = await mustSource(sourceId);
            const live = await observe(normalClient(record).withSignal(shared), { tenants: [tenant] });
            const owners = await store.listInventory({ tenants: [tenant] });
            return liveObjects(live, tenant, new Map(owners.map((e) => [e.key, e.source])));
          },
          signal,
        ),
      sealSecret: (address, value) => sealer.seal(address, value),
      resolveSecret: async (ref) => resolveOperatorSecret(ref, env),
      // The platform's own dashboard figures of the source's account (GET /rest/dashboard).
      inventoryFigures: async (sourceId) => normalClient(await mustSource(sourceId)).dashboard.get(),
      ready: async () => {
        await store.listSources();
        return true;
      },
    };
    const app = await buildApp(deps, {
      ...o.service,
      metrics,
      ...(config.metrics?.token ? { metricsToken: config.metrics.token } : {}),
    });
    closers.unshift(() => app.close());
    await scheduler.start();
    closers.unshift(() => scheduler.stop());
    const address = await app.listen({ host: config.listen.host, port: config.listen.port });
    logger.info({ url: address, replica: scheduler.worker }, "controller listening");
    let closing: Promise<void> | undefined;
    return {
      url: address.replace("[::1]", "localhost"),
      app,
      scheduler,
      store,
      close(c = {}) {
        closing ??= (async () => {
          await scheduler.stop({ graceMs: c.graceMs });
          applyStop.abort(new ShutdownError("the controller is stopping"));
          await app.close();
          await clients.close();
          await sources.close();
          await store.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    for (const close of closers) await close().catch(() => undefined);
    throw err;
  }
}

/** The config file's scheduler tuning as scheduler options (absent fields keep their defaults). */
export function schedulerTuning(config: ControllerConfig): Partial<SchedulerOptions> {
  const t = config.scheduler ?? {};
  const out: Partial<SchedulerOptions> = {};
  if (t.concurrency !== undefined) out.concurrency = t.concurrency;
  if (t.pollMs !== undefined) out.pollMs = t.pollMs;
  if (t.claimMs !== undefined) out.claimMs = t.claimMs;
  if (t.heartbeatMs !== undefined) {
    out.heartbeatMs = t.heartbeatMs;
    // Silent for three heartbeats: not counted when budgets are shared (the default ratio).
    out.replicaTtlMs = 3 * t.heartbeatMs;
  }
  return out;
}

/** The config file's lease time as reconcile options. */
function leaseTuning(config: ControllerConfig): NonNullable<ReconcileDeps["options"]> {
  const ttl = config.scheduler?.leaseTtlMs;
  return ttl === undefined ? {} : { leaseTtlMs: ttl };
}

/**
 * `client` bound to `hard`, whose `withSignal` keeps that binding: the engine stops
 * between steps on its own run signal, while calls in flight are aborted only by `hard`.
 */
function callsAbortedOnlyBy(client: OmniaClient, hard: AbortSignal): OmniaClient {
  const bound = client.withSignal(hard);
  return new Proxy(bound, {
    get: (target, prop, receiver) =>
      prop === "withSignal" ? () => bound : Reflect.get(target, prop, receiver),
  }) as OmniaClient;
}

/** Creates the token unless one with the same hash exists (a restart keeps it). */
async function ensureToken(store: Store, partner: string, name: string, scopes: ApiScopes, secret: string) {
  const hash = hashToken(secret);
  if (await store.findTokenByHash(hash)) return;
  await store.createToken({ partner, name, scopes, hash });
}
type ApiScopes = Parameters<Store["createToken"]>[0]["scopes"];

function outcomeLabel(r: RunResult): "done" | "retry" | "terminal" | undefined {
  return r === "done" || r === "retry" || r === "terminal" ? r : undefined;
}

/** The desired-state source of each registered source, rebuilt when its location changes. */
class SourceCache {
  private readonly byId = new Map<string, { fingerprint: string; source: DesiredStateSource }>();
  private readonly lastRead = new Map<string, string>();

  constructor(
    private readonly config: ControllerConfig,
    private readonly env: NodeJS.ProcessEnv,
    private readonly store: Store,
    private readonly stateDir: string,
    private readonly sealer: SecretSealer,
  ) {}

  sourceOf(record: SourceRecord): DesiredStateSource {
    const fingerprint = JSON.stringify([record.location, record.policies.driftMode]);
    const cached = this.byId.get(record.id);
    if (cached?.fingerprint === fingerprint) return cached.source;
    // The operator's limits on secret references (OMNIA_SECRET_ENV_PREFIXES,
    // OMNIA_SECRETS_ROOT), never the repository's; the source's driftMode as default.
    const load = {
      env: this.env,
      ...secretAccessFrom({}, this.env),
      defaultDriftMode: record.policies.driftMode,
    };
    const source = sourceFromSpec(record, {
      stateDir: this.stateDir,
      stored: this.store,
      storedSecrets: storedSecretsPort(this.store, this.sealer),
      allowedProtocols: this.config.git.allowedProtocols,
      load,
      git: { env: this.env },
    });
    this.byId.set(record.id, { fingerprint, source });
    return source;
  }

  /** Reads the source and records the revision (and its problems) on the source's row. */
  async read(record: SourceRecord, signal?: AbortSignal) {
    const snapshot = await this.sourceOf(record).read(signal);
    const problems = snapshot.problems.map((p) => formatProblem(p));
    if (this.lastRead.get(record.id) !== snapshot.revision || record.lastRevision !== snapshot.revision) {
      await this.store.recordSourceRead(record.id, { revision: snapshot.revision, problems });
      this.lastRead.set(record.id, snapshot.revision);
    }
    return snapshot;
  }

  /** A git source fetches now; others are read on every reconcile anyway. */
  async refresh(record: SourceRecord): Promise<void> {
    const source = this.sourceOf(record);
    if (source instanceof GitSource) await source.fetch();
  }

  async close(): Promise<void> {
    this.byId.clear();
  }
}

/** One platform client per account and budget lane, sharing the account's concurrency. */
class ClientCache {
  private readonly clients = new Map<RateGate, OmniaClient>();
  private readonly concurrency = new Map<string, ReturnType<typeof pLimit>>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly options: Omit<ClientOptions, "limits">,
    private readonly perAccount: number,
    private readonly onCall: (
      account: string,
      r: { route: string; status: number; durationMs: number },
    ) => void,
  ) {}

  get(account: PlatformAccount, gate: RateGate): OmniaClient {
    let client = this.clients.get(gate);
    if (client) return client;
    const key = accountKey(account);
    let concurrency = this.concurrency.get(key);
    if (!concurrency) {
      concurrency = pLimit(this.perAccount);
      this.concurrency.set(key, concurrency);
    }
    const name = `${account.username}@${account.domain}`;
    client = new OmniaClient(
      {
        baseUrl: account.url.replace(/\/+$/, ""),
        domain: account.domain,
        username: account.username,
        password: resolveOperatorSecret(account.password, this.env),
      },
      {
        ...this.options,
        limits: { bucket: gate, concurrency },
        onResponse: (r) => {
          this.onCall(name, r);
          this.options.onResponse?.(r);
        },
      },
    );
    this.clients.set(gate, client);
    return client;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
    this.clients.clear();
  }
}

/** The plan of one tenant as the API shows it. */
async function planView(
  record: SourceRecord,
  tenant: string,
  deps: ReconcileDeps,
  source: DesiredStateSource,
  signal?: AbortSignal,
): Promise<TenantPlanView> {
  const snapshot = await source.read(signal);
  // A tenant the source neither declares nor owns is absent, whether or not the source's
  // present revision validates (a broken revision still owns what it applied before).
  try {
    tenantsOf([tenant], snapshot.desired, await deps.store.listInventory({ source: record.id }), record.id);
  } catch (err) {
    throw new Problem(404, "not-found", (err as Error).message);
  }
  if (snapshot.problems.length > 0)
    return {
      revision: snapshot.revision,
      problems: snapshot.problems.map((p) => formatProblem(p)),
      changes: [],
      refusals: [],
      warnings: [],
    };
  const out = await planTenants(
    { source, tenants: [tenant], mode: "plan", prune: record.policies.prune },
    deps,
    signal,
  );
  if (out.status !== "done") {
    // A tenant the source neither declares nor owns is absent (404); a platform that
    // cannot be read now is the upstream's fault (502); anything else refused is 422.
    if (out.reason.includes(errUnknownTenant)) throw new Problem(404, "not-found", out.reason);
    if (out.status === "retry") throw new Problem(502, "bad-gateway", out.reason);
    throw new Problem(422, "unprocessable", out.reason);
  }
  const p = out.result.plan;
  return {
    revision: out.result.revision,
    problems: [],
    changes: p.changes
      .filter((c) => c.action !== "noop")
      .map((c) => ({
        action: c.action,
        kind: c.kind,
        key: c.key,
        tenant: c.tenant,
        reason: c.reason,
        diffs: c.diffs,
      })),
    refusals: p.refusals,
    warnings: p.warnings,
  };
}

/** Every live object of `live`, tenants first. */
function allLive(live: LiveState): AnyLiveResource[] {
  return [...live.tenants, ...live.users, ...live.trunks, ...live.pbxs, ...live.numbers, ...live.extensions];
}

/** The live objects of `tenant` with their owners (`owners`: source by key), secrets as markers only. */
function liveObjects(live: LiveState, tenant: string, owners: ReadonlyMap<string, string>): LiveObjectView[] {
  return allLive(live)
    .filter((r) => r.tenant === tenant)
    .map((r) => liveView(r, owners.get(r.key) ?? null));
}

/**
 * What a plan left undone and why, one line each: its warnings, and each drift report
 * (`Tenant/HLM-STRESA: not on the platform; driftMode warn forbids writes`).
 */
function planNotes(plan: Plan | undefined): string[] {
  if (!plan) return [];
  const drift = plan.drift.map(
    (d) =>
      `${d.key}: ${d.missing ? "not on the platform" : `differs (${d.diffs.map((f) => f.path).join(", ")})`}; driftMode ${d.mode} forbids writes`,
  );
  return [...plan.warnings, ...drift];
}
