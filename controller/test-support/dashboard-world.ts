/**
 * A partner's world for the dashboard's tests (issue 10), over the in-memory service deps:
 * partner `acme` with a drifted tenant changed by hand (actor, IP, time), a Failed one with
 * a manifest error at file:line:col, a tenant and a user whose names hold `<script>` and
 * quotes, as many more tenants as asked, runs with steps and the platform's figures; partner
 * `other` with a tenant acme must never see. Its `trigger` also completes the reconcile a
 * moment later, as the scheduler would: a run with a step, the tenant InSync, its drift
 * cleared, and the events a live page follows.
 */
import type { FastifyInstance } from "fastify";
import type { TenantPhase, TenantStatus, TokenScope } from "../model/control.js";
import type { ResourceStatus } from "../model/status.js";
import { buildApp, type ServiceOptions } from "../service/app.js";
import { createControllerMetrics } from "../service/metrics.js";
import { issueToken } from "../service/tokens.js";
import { type FakeServiceDeps, fakeServiceDeps } from "./memory-control.js";

/** A tenant code and a platform user made of markup and quotes: the dashboard must show them as text. */
export const hostileTenant = `EV"IL'<script>window.__pwned=1</script>`;
export const hostileActor = `"><script>window.__pwned=2</script><b title='x'>`;
export const hostileValue = `<img src=x onerror="window.__pwned=3">`;
/** The drifted tenant and its hand change. */
export const driftedTenant = "ACME001";
export const handActor = "mario.rossi@acme.example";
export const handIp = "203.0.113.7";
/** The Failed tenant and its manifest error. */
export const failedTenant = "ACME002";
export const failedReason = "tenants/acme002.yaml:12:7: spec.license must be one of start, plus";

/** Options of `dashboardWorld`. */
export interface DashboardWorldOptions extends ServiceOptions {
  /** Further tenants `T0001…` of acme with varied phases. Default 0. */
  extraTenants?: number;
  /** Delay before a triggered reconcile completes (ms). Default 100. */
  completeAfterMs?: number;
  /** "Now" of the seeded data. Default real time. */
  now?: Date;
}

/** The world and its app. */
export interface DashboardWorld {
  deps: FakeServiceDeps;
  app: FastifyInstance;
  tokens: { acmeWrite: string; acmeRead: string; acmeRevoked: string; otherAdmin: string };
  /** Reconciles the trigger completed, as `source/tenant`. */
  completed: string[];
}

const phases: TenantPhase[] = ["InSync", "Drifted", "Reconciling", "Failed", "Suspended"];

function status(
  partner: string,
  source: string,
  tenant: string,
  s: Partial<TenantStatus>,
  now: Date,
): TenantStatus {
  return {
    source,
    tenant,
    partner,
    phase: "InSync",
    reason: null,
    observedRevision: "4f2a9c1",
    lastRunId: null,
    lastRunAt: new Date(now.getTime() - 5 * 60_000),
    drifted: 0,
    attempts: 0,
    nextAttemptAt: null,
    updatedAt: now,
    ...s,
  };
}

function resource(
  tenant: string,
  key: string,
  kind: ResourceStatus["kind"],
  r: Partial<ResourceStatus>,
  now: Date,
): ResourceStatus {
  return {
    key,
    kind,
    tenant,
    lastOutcome: "ok",
    lastError: null,
    lastRunId: null,
    drift: "in_sync",
    driftDiffs: [],
    changedBy: null,
    updatedAt: now,
    ...r,
  };
}

/** Builds the world and its app (not listening). */
export async function dashboardWorld(options: DashboardWorldOptions = {}): Promise<DashboardWorld> {
  const now = options.now ?? new Date();
  const deps = fakeServiceDeps(options.clock ? { clock: options.clock } : {});
  const store = deps.store;
  const completed: string[] = [];
  const make = async (partner: string, name: string, scopes: TokenScope[]) =>
    (await issueToken(store, { partner, name, scopes })).token;
  const tokens = {
    acmeWrite: await make("acme", "acme-ops", ["write"]),
    acmeRead: await make("acme", hostileActor.slice(0, 20), ["read"]),
    acmeRevoked: await make("acme", "acme-old", ["write"]),
    otherAdmin: await make("other", "other-admin", ["admin"]),
  };
  const revoked = [...store.tokens.values()].find((t) => t.name === "acme-old");
  if (revoked) await store.revokeToken(revoked.id, "acme");

  const policies = {
    intervalMs: 300_000,
    driftIntervalMs: 60_000,
    prune: false,
    driftMode: "enforce" as const,
    parallelism: 4,
    suspended: false,
  };
  const account = (p: string) => ({
    url: "https://omnia.example.it",
    domain: p,
    username: "api",
    password: { fromEnv: `OMNIA_SECRET_${p.toUpperCase()}` },
  });
  await store.upsertSource({
    id: "acme-git",
    partner: "acme",
    location: { type: "git", url: "https://git.example.it/acme/omnia.git", branch: "main" },
    account: account("acme"),
    policies,
  });
  await store.upsertSource({
    id: "other-git",
    partner: "other",
    location: { type: "git", url: "https://git.example.it/other/omnia.git", branch: "main" },
    account: account("other"),
    policies,
  });
  const src = store.sources.get("acme-git");
  if (src) src.problems = [failedReason];

  const put = (partner: string, source: string, tenant: string, s: Partial<TenantStatus>) =>
    store.putTenantStatus(status(partner, source, tenant, s, now));
  put("acme", "acme-git", driftedTenant, {
    phase: "Drifted",
    drifted: 1,
    reason: "1 resource differs from the source",
    lastRunId: "run-1",
  });
  put("acme", "acme-git", failedTenant, { phase: "Failed", reason: failedReason, attempts: 3 });
  put("acme", "acme-git", hostileTenant, { phase: "Drifted", drifted: 1, reason: hostileValue });
  put("other", "other-git", "OTHER01", {
    phase: "Drifted",
    drifted: 9,
    reason: "other partner's secret reason",
  });
  for (let i = 1; i <= (options.extraTenants ?? 0); i++) {
    const phase = phases[i % phases.length] ?? "InSync";
    put("acme", "acme-git", `T${String(i).padStart(4, "0")}`, {
      phase,
      drifted: phase === "Drifted" ? (i % 7) + 1 : 0,
      lastRunAt: new Date(now.getTime() - i * 60_000),
    });
  }

  const changedAt = new Date(now.getTime() - 42 * 60_000);
  store.resourceStatus.push(
    resource(
      driftedTenant,
      `Extension/${driftedTenant}/hq/201`,
      "Extension",
      {
        drift: "drifted",
        driftDiffs: [
          { path: "spec.license", before: "plus", after: "start" },
          { path: "spec.pin", sensitive: true },
        ],
        changedBy: {
          actor: handActor,
          at: changedAt,
          ip: handIp,
          log: "omnia-manager",
          operation: "Modifica interno 201",
        },
      },
      now,
    ),
    resource(driftedTenant, `Pbx/${driftedTenant}/hq`, "Pbx", {}, now),
    resource(
      failedTenant,
      `Extension/${failedTenant}/hq/300`,
      "Extension",
      { lastOutcome: "failed", lastError: failedReason },
      now,
    ),
    resource(
      hostileTenant,
      `Tenant/${hostileTenant}`,
      "Tenant",
      {
        drift: "drifted",
        driftDiffs: [{ path: "spec.businessName", before: `ACME "Srl"`, after: hostileValue }],
        changedBy: {
          actor: hostileActor,
          at: changedAt,
          ip: null,
          log: "admin-console",
          operation: hostileValue,
        },
      },
      now,
    ),
  );
  store.runs.push(
    {
      id: "run-1",
      mode: "drift",
      source: "acme-git",
      tenants: [driftedTenant],
      startedAt: new Date(now.getTime() - 5 * 60_000),
      finishedAt: new Date(now.getTime() - 5 * 60_000 + 1800),
      outcome: "changes",
      summary: { update: 1 },
      error: null,
      holder: null,
      heartbeatAt: null,
    },
    {
      id: "run-2",
      mode: "apply",
      source: "acme-git",
      tenants: [failedTenant],
      startedAt: new Date(now.getTime() - 9 * 60_000),
      finishedAt: new Date(now.getTime() - 9 * 60_000 + 700),
      outcome: "failed",
      summary: { failed: 1 },
      error: failedReason,
      holder: null,
      heartbeatAt: null,
    },
    {
      id: "run-other",
      mode: "apply",
      source: "other-git",
      tenants: ["OTHER01"],
      startedAt: new Date(now.getTime() - 60_000),
      finishedAt: now,
      outcome: "ok",
      summary: {},
      error: "other partner's run",
      holder: null,
      heartbeatAt: null,
    },
  );
  store.steps.push({
    runId: "run-2",
    seq: 1,
    action: "update",
    kind: "Extension",
    key: `Extension/${failedTenant}/hq/300`,
    tenant: failedTenant,
    state: "terminal",
    requestId: "req-9",
    platformId: null,
    adopted: false,
    startedAt: new Date(now.getTime() - 9 * 60_000),
    finishedAt: new Date(now.getTime() - 9 * 60_000 + 650),
    durationMs: 650,
    error: "422 license: must be one of start, plus",
    skipReason: null,
  });
  deps.figures.set("acme-git", {
    customersPerMonth: [
      { month: "2026-08", acquired: 4, growthPercent: null },
      { month: "2026-09", acquired: 6, growthPercent: 50 },
      { month: "2026-10", acquired: 3, growthPercent: -50 },
      { month: "2026-11", acquired: 9, growthPercent: 200 },
    ],
    totals: {
      customers: 22,
      customersGrowthPercent: 69.2,
      pbxs: 31,
      pbxsGrowthPercent: 10.7,
      licenses: { start: 120, plus: 45, total: 165 },
    },
  });

  // As the scheduler would: the run starts, applies the drifted resources and the tenant is InSync.
  const recordTrigger = deps.trigger;
  let runs = 0;
  deps.trigger = async (source, tenant, reason, mode) => {
    await recordTrigger(source, tenant, reason, mode);
    const current = await store.getTenantStatus(source, tenant);
    if (!current) return;
    setTimeout(async () => {
      const runId = `run-now-${++runs}`;
      const at = options.clock?.() ?? new Date();
      const base = { partner: current.partner, source, tenant, actor: "scheduler", ip: null };
      await store.appendEvent({ ...base, type: "run.started", data: { runId } });
      for (const r of store.resourceStatus.filter((x) => x.tenant === tenant && x.drift === "drifted")) {
        store.steps.push({
          runId,
          seq: 1,
          action: "update",
          kind: r.kind,
          key: r.key,
          tenant,
          state: "ok",
          requestId: null,
          platformId: null,
          adopted: false,
          startedAt: at,
          finishedAt: at,
          durationMs: 120,
          error: null,
          skipReason: null,
        });
        Object.assign(r, {
          drift: "in_sync",
          driftDiffs: [],
          changedBy: null,
          lastOutcome: "ok",
          lastRunId: runId,
        });
      }
      store.runs.push({
        id: runId,
        mode: "apply",
        source,
        tenants: [tenant],
        startedAt: at,
        finishedAt: at,
        outcome: "changes",
        summary: { update: 1 },
        error: null,
        holder: null,
        heartbeatAt: null,
      });
      store.putTenantStatus({
        ...current,
        phase: "InSync",
        drifted: 0,
        reason: null,
        lastRunId: runId,
        lastRunAt: at,
        attempts: 0,
        updatedAt: at,
      });
      await store.appendEvent({ ...base, type: "run.finished", data: { runId, outcome: "changes" } });
      await store.appendEvent({ ...base, type: "tenant.status", data: { phase: "InSync" } });
      completed.push(`${source}/${tenant}`);
    }, options.completeAfterMs ?? 100);
  };

  const { extraTenants: _e, completeAfterMs: _c, now: _n, ...serviceOptions } = options;
  const app = await buildApp(deps, {
    metrics: createControllerMetrics({ defaultMetrics: false }),
    rateLimitMax: 100_000,
    ...serviceOptions,
  });
  return { deps, app, tokens, completed };
}
