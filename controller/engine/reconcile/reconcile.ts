/**
 * One reconcile, level-based (style.md §1): given only *which* source and tenants, it
 * re-reads everything — load the desired state, observe the live platform, read the
 * inventory, plan, and (mode "apply") apply and record. `omnia plan/apply/drift` call it
 * once; the controller service will call it per tenant on every trigger.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { type LoadOptions, loadDirectory, type Problem } from "../../load/index.js";
import type { DesiredState, KindName } from "../../model/desired-state.js";
import { adapters } from "../adapters/index.js";
import type { PlatformPort } from "../adapters/platform-port.js";
import { type ApplyProgress, type ApplyResult, apply } from "../apply/apply.js";
import type { ApplyRecorder } from "../apply/recorder.js";
import { describeError, EngineError } from "../errors.js";
import { observe } from "../observe/observe.js";
import { secretHashesOf } from "../plan/diff.js";
import { driftOf } from "../plan/drift-report.js";
import { isEmptyPlan, plan } from "../plan/plan.js";
import { createSecretHasher } from "../plan/policy.js";
import type { FieldDiff, InventoryEntry, LiveState, Plan } from "../types.js";
import { leaseHolder, withLeases } from "./leases.js";

/** The manifests have problems: nothing was observed or planned. */
export const errLoad = "the manifests have problems";
/**
 * Recorded as a secret's hash when the secret's value is not known (an object adopted by
 * `omnia export`: the platform never returns PINs or passwords). The next reconcile takes
 * the declared value as the one on the platform and records its real hash.
 */
export const unknownSecretHash = "unknown:adopted-by-export";

/** A load that found problems; `problems` says where and what. */
export class LoadError extends EngineError {
  constructor(readonly problems: Problem[]) {
    super(errLoad, `${problems.length} problem(s)`);
  }
}

/** What a reconcile run is recorded as. */
export interface RunRecord {
  id: string;
  mode: ReconcileMode;
  source: string;
  tenants: string[];
  startedAt: Date;
}

/** How a run ended. */
export interface RunOutcome {
  id: string;
  outcome: "ok" | "changes" | "failed" | "refused" | "cancelled";
  finishedAt: Date;
  /** Counts by action, failed and skipped steps: a short summary for the runs table. */
  summary: Record<string, number>;
  error?: string;
}

/** What reconcile needs of the state store (controller/store implements it). */
export interface ReconcileStore extends ApplyRecorder {
  /** Every inventory entry (every source: the planner detects ownership clashes). */
  readInventory(): Promise<InventoryEntry[]>;
  /** The salt of secret hashes; the same for the life of the store. */
  secretSalt(): Promise<string>;
  startRun(run: RunRecord): Promise<void>;
  finishRun(outcome: RunOutcome): Promise<void>;
  /** Takes a tenant's lease (one writer per tenant across processes); absent: no locking. */
  acquireLease?(
    tenant: string,
    holder: string,
    ttlMs: number,
  ): Promise<{ acquired: boolean; heldBy?: { holder: string; expiresAt: Date } }>;
  renewLease?(tenant: string, holder: string, ttlMs: number): Promise<unknown>;
  releaseLease?(tenant: string, holder: string): Promise<unknown>;
  /** Drift status of resources as last recorded (by key); absent: drift is not recorded. */
  readDriftStatus?(tenants: readonly string[]): Promise<Map<string, DriftStatus>>;
  /** Records a resource's drift status and the differences found. */
  setDriftStatus?(
    key: string,
    status: { kind: KindName; tenant: string; drift: DriftStatus; diffs: FieldDiff[] },
  ): Promise<void>;
}

/** Whether a resource's live object matches its source, as of the last drift check. */
export type DriftStatus = "in_sync" | "drifted" | "unknown";

/** plan: show what would change; apply: make it so; drift: report differences only. */
export type ReconcileMode = "plan" | "apply" | "drift";

/** Which source and tenants to reconcile, and how. */
export interface ReconcileRequest {
  /** Folder (or file) of manifests. */
  dir: string;
  mode: ReconcileMode;
  /** Customer codes in scope; default: every tenant the source declares or owns. */
  tenants?: readonly string[];
  /** Name of the source in the inventory. Default "default". */
  source?: string;
  prune?: boolean;
  allowMassDelete?: boolean;
  maxDeleteShare?: number;
  parallelism?: number;
}

/** What reconcile works with (style.md §5: tests inject fakes here). */
export interface ReconcileDeps {
  client: PlatformPort;
  store: ReconcileStore;
  logger: Logger;
  /** Loader options (the environment secrets are read from). */
  load?: LoadOptions;
  /** Asked before applying a plan with changes; false cancels. Default: apply. */
  confirm?: (plan: Plan) => Promise<boolean>;
  onProgress?: (progress: ApplyProgress) => void;
}

/** Everything one run learned and did. */
export interface ReconcileResult {
  runId: string;
  desired: DesiredState;
  live: LiveState;
  plan: Plan;
  /** Present when the mode was apply and the plan was applied. */
  applied?: ApplyResult;
  cancelled?: boolean;
}

/** Default source name: one repository per store needs no name. */
export const defaultSourceName = "default";

/** Runs one reconcile. Throws `LoadError` for bad manifests; platform and store failures as `EngineError`s. */
export async function reconcile(req: ReconcileRequest, deps: ReconcileDeps): Promise<ReconcileResult> {
  const source = req.source ?? defaultSourceName;
  const runId = randomUUID();
  const log = deps.logger.child({ runId, mode: req.mode, source });

  const loaded = await loadDirectory(req.dir, deps.load);
  if (loaded.problems.length > 0) throw new LoadError(loaded.problems);
  const desired = loaded.state;
  const inventory = await deps.store.readInventory();
  const tenants = [...new Set(req.tenants ?? scopeOf(desired, inventory, source))].sort();

  await deps.store.startRun({ id: runId, mode: req.mode, source, tenants, startedAt: new Date() });
  log.info({ tenants, files: loaded.files, documents: loaded.documents }, "run started");
  // An apply holds its tenants' leases from observe to the last step, so no other writer
  // changes them between the plan and its execution.
  const run = async (): Promise<ReconcileResult> => {
    const live = await observe(deps.client, { tenants });
    const hashSecret = createSecretHasher(await deps.store.secretSalt());
    const { entries, resolved } = resolveUnknownSecrets(inventory, desired, source, hashSecret);
    const p = plan(desired, live, entries, {
      hashSecret,
      source,
      prune: req.prune,
      allowMassDelete: req.allowMassDelete,
      maxDeleteShare: req.maxDeleteShare,
    });
    const result: ReconcileResult = { runId, desired, live, plan: p };
    if (req.mode !== "apply" || isEmptyPlan(p) || p.refusals.length > 0) {
      if (req.mode === "apply") await recordResolved(deps.store, resolved, p);
      if (req.mode === "drift") await recordDrift(deps.store, tenants, p);
      const outcome = p.refusals.length > 0 ? "refused" : isEmptyPlan(p) ? "ok" : "changes";
      await finish(deps.store, runId, outcome, p);
      log.info({ outcome }, "run finished");
      return result;
    }
    if (deps.confirm && !(await deps.confirm(p))) {
      await finish(deps.store, runId, "cancelled", p);
      return { ...result, cancelled: true };
    }
    const applied = await apply(
      p,
      {
        adapters: adapters(deps.client),
        store: deps.store,
        logger: deps.logger.child({ mode: req.mode, source }),
      },
      { parallelism: req.parallelism, onProgress: deps.onProgress, source, runId },
    );
    await recordResolved(deps.store, resolved, p);
    await markAdoptedSecretsUnknown(deps.store, p, applied, source);
    const failed = applied.failed + applied.skipped > 0;
    await finish(deps.store, runId, failed ? "failed" : "ok", p, applied);
    log.info({ ok: applied.ok, failed: applied.failed, skipped: applied.skipped }, "run finished");
    return { ...result, applied };
  };
  try {
    return req.mode === "apply"
      ? await withLeases(deps.store, tenants, leaseHolder(runId), run)
      : await run();
  } catch (err) {
    await deps.store
      .finishRun({
        id: runId,
        outcome: "failed",
        finishedAt: new Date(),
        summary: {},
        error: describeError(err),
      })
      .catch((recordErr: unknown) =>
        log.error({ err: describeError(recordErr) }, "cannot record the run's end"),
      );
    log.error({ err: describeError(err) }, "run failed");
    throw err;
  }
}

/** The tenants a source speaks for: the ones it declares, and the ones it owns objects of. */
export function scopeOf(
  desired: DesiredState,
  inventory: readonly InventoryEntry[],
  source: string,
): string[] {
  const codes = new Set<string>();
  for (const list of Object.values(desired))
    for (const r of list as { tenant: string }[]) codes.add(r.tenant);
  for (const e of inventory) if (e.source === source) codes.add(e.tenant);
  return [...codes];
}

/**
 * Replaces `unknownSecretHash` markers (left by `omnia export`) with the hash of the
 * declared secret, so adopting an exported tenant plans no change: the value the user
 * provides is taken as the one on the platform, since it cannot be read back. Returns the
 * inventory to plan with and the entries whose hashes were filled in.
 */
export function resolveUnknownSecrets(
  inventory: readonly InventoryEntry[],
  desired: DesiredState,
  source: string,
  hashSecret: (field: string, value: string) => string,
): { entries: InventoryEntry[]; resolved: InventoryEntry[] } {
  const marked = inventory.filter(
    (e) => e.source === source && Object.values(e.secretHashes).includes(unknownSecretHash),
  );
  if (marked.length === 0) return { entries: [...inventory], resolved: [] };
  const byKey = new Map<string, { kind: InventoryEntry["kind"]; spec: unknown }>();
  for (const list of Object.values(desired))
    for (const d of list as { key: string; kind: InventoryEntry["kind"]; spec: unknown }[])
      byKey.set(d.key, d);
  const resolved = new Map<string, InventoryEntry>();
  for (const e of marked) {
    const d = byKey.get(e.key);
    const hashes = d ? secretHashesOf(d.kind, d.spec, hashSecret) : {};
    const secretHashes: Record<string, string> = {};
    for (const [path, hash] of Object.entries(e.secretHashes)) {
      const known = hash === unknownSecretHash ? hashes[path] : hash;
      if (known !== undefined) secretHashes[path] = known;
    }
    resolved.set(e.key, { ...e, secretHashes });
  }
  return {
    entries: inventory.map((e) => (e.source === source ? (resolved.get(e.key) ?? e) : e)),
    resolved: [...resolved.values()],
  };
}

/**
 * Records each declared resource's drift status from a plan (drifted: changed or gone on
 * the platform; in sync: nothing to do), writing only the statuses that changed.
 */
async function recordDrift(store: ReconcileStore, tenants: string[], p: Plan): Promise<void> {
  if (!store.readDriftStatus || !store.setDriftStatus) return;
  const before = await store.readDriftStatus(tenants);
  const drifted = new Map(
    driftOf(p)
      .filter((i) => i.kind === "changed" || i.kind === "missing")
      .map((i) => [i.key, i]),
  );
  for (const c of p.changes) {
    const item = drifted.get(c.key);
    const now: DriftStatus = item ? "drifted" : c.action === "noop" ? "in_sync" : "unknown";
    if (now === "unknown" || (now === "in_sync" && before.get(c.key) === "in_sync")) continue;
    await store.setDriftStatus(c.key, {
      kind: c.kind,
      tenant: c.tenant,
      drift: now,
      diffs: item?.diffs ?? [],
    });
  }
}

/**
 * An object adopted under driftMode warn or observe keeps the platform's secrets (nothing
 * is written), which can never be read back: record them as `unknownSecretHash`, like an
 * export does, so later plans do not report the declared PIN or password as drift forever.
 */
async function markAdoptedSecretsUnknown(
  store: ReconcileStore,
  p: Plan,
  applied: ApplyResult,
  source: string,
) {
  const ok = new Set(
    applied.steps.filter((s) => s.outcome === "ok" && s.action === "adopt").map((s) => s.key),
  );
  for (const c of p.changes) {
    if (c.action !== "adopt" || !ok.has(c.key) || !c.id || c.policy?.driftMode === "enforce") continue;
    const facts = c.live?.facts ?? {};
    const held = (path: string) =>
      path === "spec.password"
        ? facts.hasPassword === true
        : path === "spec.pin"
          ? facts.hasPin !== false
          : false;
    // The secret fields the document declares (the plan carries no hashes for warn/observe).
    const declared = Object.keys(secretHashesOf(c.kind, c.desired?.spec, () => ""));
    const paths = declared.filter(held);
    if (paths.length === 0) continue;
    await store.upsertManaged({
      key: c.key,
      kind: c.kind,
      tenant: c.tenant,
      platformId: c.id,
      source,
      state: "managed",
      secretHashes: Object.fromEntries(paths.map((path) => [path, unknownSecretHash])),
      deletionPolicy: c.policy?.deletionPolicy ?? "delete",
    });
  }
}

/** Records the filled-in hashes of entries that the plan leaves alone (apply records the others). */
async function recordResolved(store: ReconcileStore, resolved: InventoryEntry[], p: Plan): Promise<void> {
  const untouched = new Set(p.changes.filter((c) => c.action === "noop").map((c) => c.key));
  for (const e of resolved) if (untouched.has(e.key)) await store.upsertManaged(e);
}

async function finish(
  store: ReconcileStore,
  id: string,
  outcome: RunOutcome["outcome"],
  p: Plan,
  applied?: ApplyResult,
): Promise<void> {
  const summary: Record<string, number> = {};
  for (const c of p.changes) summary[c.action] = (summary[c.action] ?? 0) + 1;
  summary.refusals = p.refusals.length;
  summary.drift = p.drift.length;
  if (applied) Object.assign(summary, { ok: applied.ok, failed: applied.failed, skipped: applied.skipped });
  await store.finishRun({ id, outcome, finishedAt: new Date(), summary });
}
