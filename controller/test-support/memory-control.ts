/**
 * The service's store port (controller/service/ports.ts `ServiceStore`) in memory, with
 * the semantics SERVE.md fixes for `Store`: sources keep what the controller learned on
 * replace, events get increasing `seq`, deliveries are remembered per source, tokens are
 * found by hash only, tenant status lists filter, sort and page like the SQL. For the
 * service's `app.inject` tests; the store's own tests prove the SQL.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type {
  ApiToken,
  ControllerEvent,
  ControllerEventInput,
  ReconcileRequest,
  SealedSecret,
  SecretReference,
  SourceRecord,
  SourceSpec,
  StoredSecretAddress,
  StoredSecretInfo,
  TenantStatus,
  TokenScope,
} from "../model/control.js";
import type { RunRecord, StepRecord } from "../model/run.js";
import type { Lease, ResourceStatus } from "../model/status.js";
import { secretKeyId } from "../runtime/secret-key.js";
import { createSecretSealer, type SecretSealer } from "../runtime/stored-secrets.js";
import { buildApp, type ServiceOptions } from "../service/app.js";
import { createControllerMetrics } from "../service/metrics.js";
import type {
  ApplyNowResult,
  InventoryFigures,
  LiveObjectView,
  ServiceDeps,
  ServiceRunFilter,
  ServiceStore,
  StoredResource,
  TenantPlanView,
  TenantStatusFilter,
} from "../service/ports.js";
import { issueToken } from "../service/tokens.js";

/** Options of `MemoryControlStore`. */
export interface MemoryControlOptions {
  /** Clock for timestamps the store assigns. Default: real time. */
  clock?: () => Date;
}

const phaseOrder = ["InSync", "Drifted", "Reconciling", "Failed", "Suspended"];

/** `ServiceStore` in memory; its fields are open so tests can seed and inspect them. */
export class MemoryControlStore implements ServiceStore {
  readonly sources = new Map<string, SourceRecord>();
  readonly tokens = new Map<string, ApiToken & { hash: string }>();
  readonly events: ControllerEvent[] = [];
  readonly deliveries = new Set<string>();
  readonly resources = new Map<string, StoredResource>();
  /** Sealed secrets by `source \0 tenant \0 name`. */
  readonly secrets = new Map<string, StoredSecretInfo & { sealed: SealedSecret }>();
  /** Inventory owners by natural key (seed it to test conflicts). */
  readonly inventory = new Map<string, { key: string; source: string; tenant: string }>();
  readonly statuses = new Map<string, TenantStatus>();
  readonly resourceStatus: ResourceStatus[] = [];
  readonly requests: ReconcileRequest[] = [];
  readonly runs: RunRecord[] = [];
  readonly steps: StepRecord[] = [];
  readonly leases: Lease[] = [];
  readonly #clock: () => Date;

  constructor(options: MemoryControlOptions = {}) {
    this.#clock = options.clock ?? (() => new Date());
  }

  async upsertSource(spec: SourceSpec): Promise<SourceRecord> {
    const now = this.#clock();
    const old = this.sources.get(spec.id);
    const record: SourceRecord = structuredClone({
      lastRevision: null,
      lastGoodRevision: null,
      problems: [],
      lastReadAt: null,
      ...old,
      ...spec,
      createdAt: old?.createdAt ?? now,
      updatedAt: now,
    });
    if (!spec.webhookSecret) delete record.webhookSecret;
    this.sources.set(spec.id, record);
    return structuredClone(record);
  }
  async getSource(id: string): Promise<SourceRecord | undefined> {
    const s = this.sources.get(id);
    return s && structuredClone(s);
  }
  async listSources(filter: { partner?: string } = {}): Promise<SourceRecord[]> {
    return [...this.sources.values()]
      .filter((s) => filter.partner === undefined || s.partner === filter.partner)
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((s) => structuredClone(s));
  }
  async deleteSource(id: string): Promise<boolean> {
    return this.sources.delete(id);
  }

  async listRequests(filter: { source?: string } = {}): Promise<ReconcileRequest[]> {
    return this.requests.filter((r) => filter.source === undefined || r.source === filter.source);
  }
  async queueDepth(): Promise<{ apply: number; drift: number }> {
    const waiting = this.requests.filter((r) => r.claimedBy === null);
    return {
      apply: waiting.filter((r) => r.mode === "apply").length,
      drift: waiting.filter((r) => r.mode === "drift").length,
    };
  }

  async getTenantStatus(source: string, tenant: string): Promise<TenantStatus | undefined> {
    return this.statuses.get(`${source}\u0000${tenant}`);
  }
  /** Seeds a status (the scheduler's `setTenantStatus` in the real store). */
  putTenantStatus(s: TenantStatus): void {
    this.statuses.set(`${s.source}\u0000${s.tenant}`, s);
  }
  async listTenantStatus(f: TenantStatusFilter): Promise<{ items: TenantStatus[]; total: number }> {
    const q = f.q?.toLowerCase();
    const all = [...this.statuses.values()].filter(
      (s) =>
        (f.partner === undefined || s.partner === f.partner) &&
        (f.source === undefined || s.source === f.source) &&
        (f.phase === undefined || s.phase === f.phase) &&
        (q === undefined || s.tenant.toLowerCase().includes(q)),
    );
    const sort = f.sort ?? "tenant";
    const key = (s: TenantStatus): number | string =>
      sort === "tenant"
        ? s.tenant
        : sort === "phase"
          ? phaseOrder.indexOf(s.phase)
          : sort === "drifted"
            ? s.drifted
            : (s.lastRunAt?.getTime() ?? Number.NEGATIVE_INFINITY);
    const sign = f.order === "desc" ? -1 : 1;
    all.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const c = ka < kb ? -1 : ka > kb ? 1 : 0;
      // Ties by tenant then source, ascending, so pages are stable.
      return c !== 0 ? sign * c : a.tenant.localeCompare(b.tenant) || a.source.localeCompare(b.source);
    });
    const offset = f.offset ?? 0;
    return { items: all.slice(offset, offset + (f.limit ?? 50)), total: all.length };
  }
  async listResourceStatus(filter: { tenants?: readonly string[] } = {}): Promise<ResourceStatus[]> {
    return this.resourceStatus
      .filter((r) => filter.tenants === undefined || filter.tenants.includes(r.tenant))
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  async createToken(t: {
    partner: string;
    name: string;
    scopes: TokenScope[];
    hash: string;
  }): Promise<ApiToken> {
    const token = {
      id: randomUUID(),
      partner: t.partner,
      name: t.name,
      scopes: [...t.scopes],
      createdAt: this.#clock(),
      revokedAt: null,
      lastUsedAt: null,
      hash: t.hash,
    };
    this.tokens.set(token.id, token);
    return withoutHash(token);
  }
  async findTokenByHash(hash: string): Promise<ApiToken | undefined> {
    const t = [...this.tokens.values()].find((x) => x.hash === hash);
    return t && withoutHash(t);
  }
  async listTokens(partner: string): Promise<ApiToken[]> {
    return [...this.tokens.values()].filter((t) => t.partner === partner).map(withoutHash);
  }
  async revokeToken(id: string, partner: string): Promise<boolean> {
    const t = this.tokens.get(id);
    if (!t || t.partner !== partner) return false;
    t.revokedAt ??= this.#clock();
    return true;
  }
  async touchToken(id: string, at: Date): Promise<void> {
    const t = this.tokens.get(id);
    if (t) t.lastUsedAt = at;
  }

  async appendEvent(e: ControllerEventInput): Promise<ControllerEvent> {
    const event: ControllerEvent = {
      ...e,
      at: e.at ?? this.#clock(),
      seq: (this.events.at(-1)?.seq ?? 0) + 1,
    };
    this.events.push(event);
    return event;
  }
  async listEvents(f: { afterSeq?: number; partner?: string; limit?: number }): Promise<ControllerEvent[]> {
    return this.events
      .filter((e) => e.seq > (f.afterSeq ?? 0) && (f.partner === undefined || e.partner === f.partner))
      .slice(0, f.limit ?? 100);
  }

  async recordDelivery(source: string, deliveryId: string): Promise<boolean> {
    const id = `${source}\u0000${deliveryId}`;
    if (this.deliveries.has(id)) return false;
    this.deliveries.add(id);
    return true;
  }

  async putStoredResource(r: {
    source: string;
    tenant: string;
    kind: string;
    key: string;
    document: Record<string, unknown>;
  }): Promise<{ created: boolean }> {
    const id = `${r.source}\u0000${r.key}`;
    const created = !this.resources.has(id);
    this.resources.set(id, { ...structuredClone(r), updatedAt: this.#clock() });
    return { created };
  }
  async getStoredResource(source: string, key: string): Promise<StoredResource | undefined> {
    const r = this.resources.get(`${source}\u0000${key}`);
    return r && structuredClone(r);
  }
  async deleteStoredResource(source: string, key: string): Promise<boolean> {
    return this.resources.delete(`${source}\u0000${key}`);
  }
  async listStoredResources(source: string): Promise<Omit<StoredResource, "source">[]> {
    return [...this.resources.values()]
      .filter((r) => r.source === source)
      .map(({ source: _s, ...rest }) => structuredClone(rest));
  }

  async putStoredSecret(a: StoredSecretAddress, sealed: SealedSecret): Promise<{ created: boolean }> {
    const id = `${a.source}\u0000${a.tenant}\u0000${a.name}`;
    const old = this.secrets.get(id);
    const now = this.#clock();
    this.secrets.set(id, {
      ...a,
      keyId: sealed.keyId,
      sealed: structuredClone(sealed),
      createdAt: old?.createdAt ?? now,
      updatedAt: now,
    });
    return { created: !old };
  }
  async deleteStoredSecret(a: StoredSecretAddress): Promise<boolean> {
    return this.secrets.delete(`${a.source}\u0000${a.tenant}\u0000${a.name}`);
  }
  async listStoredSecrets(source: string, filter: { tenant?: string } = {}): Promise<StoredSecretInfo[]> {
    return [...this.secrets.values()]
      .filter((s) => s.source === source && (filter.tenant === undefined || s.tenant === filter.tenant))
      .sort((a, b) => (`${a.tenant}\0${a.name}` < `${b.tenant}\0${b.name}` ? -1 : 1))
      .map(({ sealed: _sealed, ...info }) => structuredClone(info));
  }
  async getInventory(key: string): Promise<{ key: string; source: string; tenant: string } | undefined> {
    const e = this.inventory.get(key);
    return e && { ...e };
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return this.runs.find((r) => r.id === id);
  }
  async listRuns(f: ServiceRunFilter = {}): Promise<RunRecord[]> {
    return this.runs
      .filter(
        (r) =>
          (f.source === undefined || r.source === f.source) &&
          (f.sources === undefined || f.sources.includes(r.source)) &&
          (f.tenant === undefined || r.tenants.includes(f.tenant)) &&
          (f.outcome === undefined || r.outcome === f.outcome) &&
          (f.mode === undefined || r.mode === f.mode) &&
          (f.before === undefined || r.startedAt < f.before),
      )
      .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())
      .slice(0, f.limit ?? 50);
  }
  async listSteps(runId: string): Promise<StepRecord[]> {
    return this.steps.filter((s) => s.runId === runId).sort((a, b) => a.seq - b.seq);
  }
  async listLeases(): Promise<Lease[]> {
    const now = this.#clock();
    return this.leases.filter((l) => l.expiresAt > now);
  }
}

function withoutHash(t: ApiToken & { hash: string }): ApiToken {
  const { hash: _hash, ...token } = t;
  return { ...token, scopes: [...token.scopes] };
}

/** A trigger the fake deps recorded. */
export interface RecordedTrigger {
  source: string;
  tenant: string;
  reason: string;
  mode: string;
}

/** Fake `ServiceDeps` around a `MemoryControlStore`, recording what the service asked for. */
export interface FakeServiceDeps extends ServiceDeps {
  store: MemoryControlStore;
  triggers: RecordedTrigger[];
  /** What `sourceProblems` answers; default none. */
  problemsOfSource: { file: string; text: string }[];
  /** What `applyTenantNow` answers next; default `done` with no live object. */
  applyResult: ApplyNowResult;
  applied: { source: string; tenant: string }[];
  planned: { source: string; tenant: string }[];
  /** Secrets `resolveSecret` knows, by `fromEnv` name or `fromFile` path. */
  secrets: Map<string, string>;
  readyAnswer: boolean;
  /** When set, `ready()` throws it. */
  readyError: Error | null;
  /** The platform's dashboard figures `inventoryFigures` answers, by source id (missing: it throws). */
  figures: Map<string, InventoryFigures>;
  /** What `observeTenant` answers (every tenant's objects alike), by full natural key. */
  live: Map<string, LiveObjectView>;
  /** When set, `observeTenant` throws it (the platform cannot be read). */
  liveError: Error | null;
  /** The `observeTenant` calls made. */
  observed: { source: string; tenant: string }[];
  /** The real sealer `sealSecret` uses, over a random key: tests open what was stored. */
  sealer: SecretSealer;
}

/** Fake deps over a fresh store (clock: `options.clock`). */
export function fakeServiceDeps(options: MemoryControlOptions = {}): FakeServiceDeps {
  const store = new MemoryControlStore(options);
  const deps: FakeServiceDeps = {
    store,
    triggers: [],
    applied: [],
    planned: [],
    secrets: new Map(),
    readyAnswer: true,
    readyError: null,
    figures: new Map(),
    live: new Map(),
    liveError: null,
    observed: [],
    sealer: fixtureSealer(),
    problemsOfSource: [],
    applyResult: { outcome: "done", runId: "run-now", reason: null, live: [] },
    async trigger(source, tenant, reason, mode) {
      deps.triggers.push({ source, tenant, reason, mode });
    },
    async planTenant(source, tenant): Promise<TenantPlanView> {
      deps.planned.push({ source, tenant });
      return {
        revision: "sha256:abc",
        problems: [],
        changes: [
          {
            action: "update",
            kind: "Extension",
            key: `Extension/${tenant}/hq/201`,
            tenant,
            reason: "differs",
            diffs: [
              { path: "spec.license", before: "start", after: "plus" },
              { path: "spec.pin", sensitive: true },
            ],
          },
        ],
        refusals: [],
        warnings: [],
      };
    },
    async sourceProblems() {
      return deps.problemsOfSource;
    },
    async applyTenantNow(source, tenant) {
      deps.applied.push({ source, tenant });
      return deps.applyResult;
    },
    async observeTenant(source, tenant) {
      deps.observed.push({ source, tenant });
      if (deps.liveError) throw deps.liveError;
      return [...deps.live.values()].map((v) => structuredClone(v));
    },
    sealSecret(address, value) {
      return deps.sealer.seal(address, value);
    },
    async resolveSecret(ref: SecretReference) {
      const name = "fromEnv" in ref ? ref.fromEnv : ref.fromFile;
      const value = deps.secrets.get(name);
      if (value === undefined) throw new Error(`secret ${name} is not set`);
      return value;
    },
    async ready() {
      if (deps.readyError) throw deps.readyError;
      return deps.readyAnswer;
    },
    async inventoryFigures(source) {
      const figures = deps.figures.get(source);
      if (!figures) throw new Error(`no platform figures for source ${source}`);
      return structuredClone(figures);
    },
  };
  return deps;
}

/** A sealer over a fresh random 32-byte key. */
function fixtureSealer(): SecretSealer {
  const key = randomBytes(32);
  return createSecretSealer({ key, id: secretKeyId(key) });
}

/** The tokens `serviceFixture` makes: partner `acme` with each scope, a revoked one, and partner `other`. */
export interface FixtureTokens {
  acmeAdmin: string;
  acmeWrite: string;
  acmeRead: string;
  acmeRevoked: string;
  otherAdmin: string;
}

/** A test app: fake deps, two partners with tokens and sources, and the built app. */
export interface ServiceFixture {
  deps: FakeServiceDeps;
  app: FastifyInstance;
  tokens: FixtureTokens;
  /** `{authorization: "Bearer …"}` for a token. */
  auth(token: string): { authorization: string };
}

/** Webhook secret of the `acme-git` source in the fixture. */
export const fixtureWebhookSecret = "hook-secret-of-acme";

/**
 * Builds the app over fake deps seeded with partner `acme` (sources `acme-git`, a git source
 * with a webhook secret, and `acme-api`, an api source) and partner `other` (`other-git`).
 */
export async function serviceFixture(options: ServiceOptions = {}): Promise<ServiceFixture> {
  const deps = fakeServiceDeps(options.clock ? { clock: options.clock } : {});
  const make = async (partner: string, name: string, scopes: TokenScope[]) =>
    (await issueToken(deps.store, { partner, name, scopes })).token;
  const tokens: FixtureTokens = {
    acmeAdmin: await make("acme", "acme-admin", ["admin"]),
    acmeWrite: await make("acme", "acme-ci", ["write"]),
    acmeRead: await make("acme", "acme-dashboard", ["read"]),
    acmeRevoked: await make("acme", "acme-old", ["admin"]),
    otherAdmin: await make("other", "other-admin", ["admin"]),
  };
  const revoked = [...deps.store.tokens.values()].find((t) => t.name === "acme-old");
  if (revoked) await deps.store.revokeToken(revoked.id, "acme");
  const account = (partner: string) => ({
    url: "https://omnia.example.it",
    domain: partner,
    username: "api",
    password: { fromEnv: `OMNIA_SECRET_${partner.toUpperCase()}` },
  });
  const policies = {
    intervalMs: 300_000,
    driftIntervalMs: 60_000,
    prune: false,
    driftMode: "enforce" as const,
    parallelism: 4,
    suspended: false,
  };
  await deps.store.upsertSource({
    id: "acme-git",
    partner: "acme",
    location: { type: "git", url: "https://git.example.it/acme/omnia.git", branch: "main" },
    account: account("acme"),
    policies,
    webhookSecret: { fromEnv: "OMNIA_SECRET_ACME_HOOK" },
  });
  await deps.store.upsertSource({
    id: "acme-api",
    partner: "acme",
    location: { type: "api" },
    account: account("acme"),
    policies,
  });
  await deps.store.upsertSource({
    id: "other-git",
    partner: "other",
    location: { type: "git", url: "https://git.example.it/other/omnia.git", branch: "main" },
    account: account("other"),
    policies,
    webhookSecret: { fromEnv: "OMNIA_SECRET_OTHER_HOOK" },
  });
  deps.secrets.set("OMNIA_SECRET_ACME_HOOK", fixtureWebhookSecret);
  deps.secrets.set("OMNIA_SECRET_OTHER_HOOK", "hook-secret-of-other");
  const app = await buildApp(deps, {
    metrics: createControllerMetrics({ defaultMetrics: false }),
    ...options,
  });
  return { deps, app, tokens, auth: (token) => ({ authorization: `Bearer ${token}` }) };
}
