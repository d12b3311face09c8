/**
 * The scheduler's store port (controller/scheduler/ports.ts `SchedulerStore`) in memory,
 * faithful to the SQL it stands for (SERVE.md "Store methods"): one request per (source,
 * tenant, mode), merged by `enqueueRequest` (reasons merged, generation bumped, earlier
 * notBefore kept); claims of due requests that are unclaimed or expired, apply before
 * drift then oldest first; `completeRequest` re-queues when a newer generation arrived
 * during the run. Rows are copied in and out, as a database would. Time comes from `now`.
 */
import type {
  ControllerEvent,
  ControllerEventInput,
  ReconcileRequest,
  SourceRecord,
  SourceSpec,
  TenantStatus,
  TenantStatusPatch,
} from "../model/control.js";
import type { ClaimOptions, CompleteResult, EnqueueRequest, SchedulerStore } from "../scheduler/ports.js";

const keyOf = (r: { source: string; tenant: string; mode: string }) =>
  `${r.source}\u0000${r.tenant}\u0000${r.mode}`;
const copy = <T>(x: T): T => structuredClone(x);

/** Defaults of a source's policies, for `putSource`. */
export const testPolicies = {
  intervalMs: 5 * 60_000,
  driftIntervalMs: 60_000,
  prune: false,
  driftMode: "enforce",
  parallelism: 4,
  suspended: false,
} as const;

/** In-memory `SchedulerStore`. */
export class MemoryQueue implements SchedulerStore {
  readonly requests = new Map<string, ReconcileRequest>();
  readonly statuses = new Map<string, TenantStatus>();
  readonly events: ControllerEvent[] = [];
  readonly sources = new Map<string, SourceRecord>();
  readonly replicas = new Map<string, Date>();
  /** Every method call by name, in order (for tests that count queries). */
  readonly calls: string[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Registers (or replaces) a source, with test defaults for what `spec` leaves out. */
  putSource(spec: Partial<SourceSpec> & { id: string }, learned: Partial<SourceRecord> = {}): SourceRecord {
    const at = new Date(this.now());
    const record: SourceRecord = {
      partner: "p1",
      location: { type: "folder", path: "/repo" },
      account: { url: "https://omnia.test", domain: "d", username: "u", password: { fromEnv: "PW" } },
      ...spec,
      policies: { ...testPolicies, ...spec.policies },
      createdAt: at,
      updatedAt: at,
      lastRevision: "r1",
      lastGoodRevision: "r1",
      problems: [],
      lastReadAt: at,
      ...learned,
    };
    this.sources.set(record.id, record);
    return copy(record);
  }

  async listSources(filter: { partner?: string } = {}): Promise<SourceRecord[]> {
    this.calls.push("listSources");
    return [...this.sources.values()]
      .filter((s) => !filter.partner || s.partner === filter.partner)
      .map(copy);
  }

  async getSource(id: string): Promise<SourceRecord | undefined> {
    this.calls.push("getSource");
    const s = this.sources.get(id);
    return s && copy(s);
  }

  async enqueueRequest(r: EnqueueRequest): Promise<void> {
    this.calls.push("enqueueRequest");
    const now = new Date(this.now());
    const notBefore = r.notBefore ?? now;
    const old = this.requests.get(keyOf(r));
    if (old) {
      if (!old.reasons.includes(r.reason)) old.reasons.push(r.reason);
      old.generation++;
      if (notBefore < old.notBefore) old.notBefore = new Date(notBefore);
      return;
    }
    this.requests.set(keyOf(r), {
      source: r.source,
      tenant: r.tenant,
      mode: r.mode,
      reasons: [r.reason],
      generation: 1,
      notBefore: new Date(notBefore),
      attempts: 0,
      requestedAt: now,
      claimedBy: null,
      claimedUntil: null,
    });
  }

  async claimRequests(o: ClaimOptions): Promise<ReconcileRequest[]> {
    this.calls.push("claimRequests");
    const now = o.now ?? new Date(this.now());
    const modes = o.modes ?? ["apply", "drift"];
    const due = [...this.requests.values()]
      .filter(
        (r) =>
          modes.includes(r.mode) &&
          r.notBefore <= now &&
          (r.claimedBy === null || (r.claimedUntil !== null && r.claimedUntil <= now)),
      )
      .sort(
        (a, b) =>
          Number(a.mode === "drift") - Number(b.mode === "drift") ||
          a.notBefore.getTime() - b.notBefore.getTime(),
      )
      .slice(0, Math.max(0, o.limit));
    for (const r of due) {
      r.claimedBy = o.worker;
      r.claimedUntil = new Date(now.getTime() + o.claimMs);
    }
    return due.map(copy);
  }

  async completeRequest(r: ReconcileRequest, o: { retryAt?: Date; worker: string }): Promise<CompleteResult> {
    this.calls.push("completeRequest");
    const stored = this.requests.get(keyOf(r));
    if (!stored) return "deleted";
    if (stored.generation > r.generation) {
      stored.claimedBy = null;
      stored.claimedUntil = null;
      return "requeued";
    }
    if (o.retryAt) {
      stored.notBefore = new Date(o.retryAt);
      stored.attempts++;
      stored.claimedBy = null;
      stored.claimedUntil = null;
      return "retrying";
    }
    this.requests.delete(keyOf(r));
    return "deleted";
  }

  async extendClaim(r: ReconcileRequest, worker: string, claimMs: number): Promise<boolean> {
    this.calls.push("extendClaim");
    const stored = this.requests.get(keyOf(r));
    if (!stored || stored.claimedBy !== worker) return false;
    stored.claimedUntil = new Date(this.now() + claimMs);
    return true;
  }

  async queueDepth(): Promise<{ apply: number; drift: number }> {
    this.calls.push("queueDepth");
    const all = [...this.requests.values()];
    return {
      apply: all.filter((r) => r.mode === "apply").length,
      drift: all.filter((r) => r.mode === "drift").length,
    };
  }

  async listRequests(filter: { source?: string } = {}): Promise<ReconcileRequest[]> {
    this.calls.push("listRequests");
    return [...this.requests.values()].filter((r) => !filter.source || r.source === filter.source).map(copy);
  }

  async setTenantStatus(
    source: string,
    tenant: string,
    patch: TenantStatusPatch & { partner: string },
  ): Promise<TenantStatus> {
    this.calls.push("setTenantStatus");
    const key = `${source}\u0000${tenant}`;
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const next: TenantStatus = {
      source,
      tenant,
      phase: "Reconciling",
      reason: null,
      observedRevision: null,
      lastRunId: null,
      lastRunAt: null,
      drifted: 0,
      attempts: 0,
      nextAttemptAt: null,
      ...this.statuses.get(key),
      ...defined,
      updatedAt: new Date(this.now()),
    } as TenantStatus;
    this.statuses.set(key, next);
    return copy(next);
  }

  async getTenantStatus(source: string, tenant: string): Promise<TenantStatus | undefined> {
    this.calls.push("getTenantStatus");
    const s = this.statuses.get(`${source}\u0000${tenant}`);
    return s && copy(s);
  }

  async appendEvent(e: ControllerEventInput): Promise<ControllerEvent> {
    this.calls.push("appendEvent");
    const event: ControllerEvent = {
      ...copy(e),
      seq: this.events.length + 1,
      at: e.at ?? new Date(this.now()),
    };
    this.events.push(event);
    return copy(event);
  }

  async heartbeatReplica(id: string, at?: Date): Promise<void> {
    this.calls.push("heartbeatReplica");
    this.replicas.set(id, at ?? new Date(this.now()));
  }

  async listReplicas(since: Date): Promise<{ id: string; heartbeatAt: Date }[]> {
    this.calls.push("listReplicas");
    return [...this.replicas.entries()]
      .filter(([, at]) => at >= since)
      .map(([id, heartbeatAt]) => ({ id, heartbeatAt: new Date(heartbeatAt) }));
  }

  async removeReplica(id: string): Promise<void> {
    this.calls.push("removeReplica");
    this.replicas.delete(id);
  }

  /** The status of one tenant (test helper). */
  status(source: string, tenant: string): TenantStatus | undefined {
    return this.statuses.get(`${source}\u0000${tenant}`);
  }
}
