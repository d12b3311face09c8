/**
 * Issue 9, "Many replicas", end to end: two `omnia serve` child processes on one real
 * PostgreSQL database and one stand-in share a folder source of 50 tenants.
 *
 * - Both work, no tenant is ever written by two runs at once (from the steps table: the
 *   windows of apply runs of one tenant never overlap), every tenant ends `InSync`, and
 *   the stand-in holds exactly one object per declared resource.
 * - One replica SIGKILLed in the middle of an apply: the other takes its tenants over
 *   within the lease time (claims and leases of 3 s here, set in the config file), marks
 *   the dead runs interrupted, and nothing is duplicated on the platform.
 *
 * Timing (the claim and lease times, the stand-in's latency) comes from the config and the
 * stand-in's knobs; the takeover bound allows a scheduling margin on a loaded machine.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { startTestStandin, type TestStandin } from "../../platform/standin/testing.js";
import type { TenantStatus } from "../model/control.js";
import { openStore, type Store } from "../store/index.js";
import { createDatabase } from "../store/test-support/targets.js";
import {
  countOnPlatform,
  overlappingWrites,
  type ReplicaConfig,
  type ReplicaProcess,
  sharedSecretKey,
  startReplica,
  stepsByPid,
  tenantWorlds,
  writeReplicaConfig,
  writeTenants,
} from "../test-support/replicas.js";

const tenants = 50;
const extensions = 3;
/** Claim and lease time of both replicas (ms). */
const leaseMs = 3_000;
/** Worker loop's idle wait (ms). */
const pollMs = 100;
/** Allowed on top of the lease time for the survivor to notice, read the source and start (ms). */
const schedulingMarginMs = 3_000;

/** Everything a test started, closed after it whatever happened. */
interface World {
  standin: TestStandin;
  db: { url: string; drop(): Promise<void> };
  pool: pg.Pool;
  store: Store;
  replicas: ReplicaProcess[];
  folder: string;
  codes: string[];
}

let current: World | undefined;
afterEach(async () => {
  const w = current;
  current = undefined;
  if (!w) return;
  for (const r of w.replicas) await r.stop().catch(() => undefined);
  await w.store.close().catch(() => undefined);
  await w.pool.end().catch(() => undefined);
  await w.db.drop().catch(() => undefined);
  await w.standin.close();
  await rm(w.folder, { recursive: true, force: true });
});

/**
 * A stand-in answering after `latencyMs`, a database and two replicas started together on
 * a folder source of 50 tenants. Both queue every tenant at start (the queue merges the
 * two requests of a tenant) and again on their interval.
 */
async function twoReplicas(prefix: string, latencyMs: number): Promise<World> {
  const standin = await startTestStandin();
  standin.knobs.latencyMs = latencyMs;
  const db = await createDatabase();
  const base = await mkdtemp(join(tmpdir(), "omnia-replicas-"));
  const folder = join(base, "repo");
  const worlds = tenantWorlds(prefix, tenants, extensions);
  const pins = await writeTenants(folder, worlds);
  const config: ReplicaConfig = {
    platform: { url: standin.url, domain: standin.settings.domain, username: standin.settings.username },
    folder,
    scheduler: { concurrency: 4, pollMs, claimMs: leaseMs, leaseTtlMs: leaseMs, heartbeatMs: 500 },
    // Long enough that a tenant in sync is seen InSync between two rounds.
    policies: { intervalMs: 15_000, driftIntervalMs: 15_000, parallelism: 4 },
    requestsPerSecond: 2_000,
  };
  const env = {
    ...pins,
    DATABASE_URL: db.url,
    OMNIA_SECRET_KEY: sharedSecretKey(),
    OMNIA_SECRET_PLATFORM_PASSWORD: standin.settings.password,
  };
  const files = [await writeReplicaConfig(config), await writeReplicaConfig(config)];
  // Started together: migrations take an advisory lock, so one applies them.
  const [first, second] = await Promise.all(files.map((f) => startReplica(f, env)));
  const w: World = {
    standin,
    db,
    pool: new pg.Pool({ connectionString: db.url, max: 2 }),
    store: await openStore({ databaseUrl: db.url, maxConnections: 2 }),
    replicas: [first as ReplicaProcess, second as ReplicaProcess],
    folder: base,
    codes: worlds.map((x) => x.tenant),
  };
  current = w;
  return w;
}

/** Waits until every tenant is `InSync` (or `timeoutMs` passed); returns the last statuses. */
async function converged(w: World, timeoutMs: number): Promise<TenantStatus[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { items } = await w.store.listTenantStatus({ source: "replicas", limit: 1000 });
    if ((items.length === tenants && items.every((t) => t.phase === "InSync")) || Date.now() > deadline)
      return items;
    await sleep(250);
  }
}

/** Every tenant holds one customer, one PBX and its extensions once each. */
function expectNothingDuplicated(w: World): void {
  const counts = countOnPlatform(w.standin.state, w.codes);
  const wrong = [...counts].filter(
    ([, c]) =>
      c.customers !== 1 || c.pbxs !== 1 || c.extensions !== extensions || c.duplicateNumbers.length > 0,
  );
  expect(wrong, "tenants whose platform objects are missing or duplicated").toEqual([]);
}

describe("two omnia serve replicas on one PostgreSQL database", () => {
  it("share 50 tenants: every tenant converges, none is ever written by both at once, nothing is duplicated", async () => {
    // Slow enough that runs of both replicas are in flight together.
    const w = await twoReplicas("REP", 15);
    const t0 = Date.now();
    const statuses = await converged(w, 120_000);
    console.info(`replicas: ${tenants} tenants in sync ${Date.now() - t0} ms after both replicas listened`);
    expect(
      statuses.filter((t) => t.phase !== "InSync").map((t) => `${t.tenant} ${t.phase} ${t.reason}`),
      "tenants not InSync",
    ).toEqual([]);
    expect(statuses).toHaveLength(tenants);
    // One more round: both replicas queue every tenant again and contend for them.
    await sleep(17_000);
    const codes = await Promise.all(w.replicas.map((r) => r.stop()));
    expect(codes, "both replicas stop cleanly on SIGTERM").toEqual([0, 0]);

    expect(await overlappingWrites(w.pool)).toEqual([]);
    const byPid = await stepsByPid(w.pool);
    for (const r of w.replicas)
      expect(byPid.get(r.pid) ?? 0, `steps written by replica ${r.pid}`).toBeGreaterThan(0);
    expectNothingDuplicated(w);
    const { rows } = await w.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM runs WHERE finished_at IS NULL",
    );
    expect(Number(rows[0]?.n), "runs left unfinished after a graceful stop").toBe(0);
  }, 240_000);

  it("one replica SIGKILLed mid-apply: the other takes its tenants over within the lease time, nothing duplicated", async () => {
    const w = await twoReplicas("KIL", 150);
    const [victim, survivor] = w.replicas as [ReplicaProcess, ReplicaProcess];

    // Mid-apply: the victim has an unfinished apply run that already finished a write.
    let inFlight: { id: string; tenants: string[] }[] = [];
    const deadline = Date.now() + 60_000;
    while (inFlight.length === 0 && Date.now() < deadline) {
      await sleep(50);
      const { rows } = await w.pool.query<{ id: string; tenants: string[] }>(
        `SELECT r.id, r.tenants FROM runs r
          WHERE r.mode = 'apply' AND r.finished_at IS NULL AND split_part(r.holder, '/', 2) = $1
            AND EXISTS (SELECT 1 FROM steps s WHERE s.run_id = r.id AND s.state = 'ok')`,
        [String(victim.pid)],
      );
      inFlight = rows;
    }
    expect(inFlight.length, "the victim was caught in the middle of an apply").toBeGreaterThan(0);
    victim.child.kill("SIGKILL");
    const killedAt = Date.now();
    expect(await victim.exited).toBe("SIGKILL");
    // The victim's runs were in the middle of their writes: they are what must be taken over.
    const { rows: orphans } = await w.pool.query<{ id: string; tenants: string[] }>(
      `SELECT id, tenants FROM runs WHERE mode = 'apply' AND finished_at IS NULL AND split_part(holder, '/', 2) = $1`,
      [String(victim.pid)],
    );
    w.standin.knobs.latencyMs = 0;

    const statuses = await converged(w, 120_000);
    expect(
      statuses.filter((t) => t.phase !== "InSync").map((t) => `${t.tenant} ${t.phase} ${t.reason}`),
      "tenants not InSync after the takeover",
    ).toEqual([]);

    const orphanTenants = [...new Set(orphans.flatMap((r) => r.tenants))];
    const { rows: takeovers } = await w.pool.query<{ tenant: string; at: Date }>(
      `SELECT t.tenant, min(r.started_at) AS at
         FROM runs r CROSS JOIN LATERAL unnest(r.tenants) AS t(tenant)
        WHERE r.mode = 'apply' AND split_part(r.holder, '/', 2) = $1 AND r.started_at >= $2
          AND t.tenant = ANY($3::text[])
        GROUP BY t.tenant`,
      [String(survivor.pid), new Date(killedAt), orphanTenants],
    );
    expect(takeovers.map((t) => t.tenant).sort(), "the survivor ran each of the victim's tenants").toEqual(
      [...orphanTenants].sort(),
    );
    const slowest = Math.max(...takeovers.map((t) => t.at.getTime() - killedAt));
    console.info(
      `takeover: ${orphanTenants.length} tenants of the killed replica restarted by the survivor after at most ${slowest} ms (lease time ${leaseMs} ms)`,
    );
    expect(slowest, "ms from the kill to the survivor's run").toBeLessThanOrEqual(
      leaseMs + schedulingMarginMs,
    );

    const { rows: ended } = await w.pool.query<{ outcome: string | null }>(
      "SELECT outcome FROM runs WHERE id = ANY($1::text[])",
      [orphans.map((r) => r.id)],
    );
    expect(
      ended.map((r) => r.outcome),
      "the dead replica's runs are recorded interrupted",
    ).toEqual(orphans.map(() => "interrupted"));
    expect(await survivor.stop()).toBe(0);
    expect(await overlappingWrites(w.pool)).toEqual([]);
    expectNothingDuplicated(w);
  }, 240_000);
});

describe("overlappingWrites", () => {
  it("finds two apply runs of one tenant whose steps overlap, and only those", async () => {
    const db = await createDatabase();
    const store = await openStore({ databaseUrl: db.url, maxConnections: 1 });
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
      const run = (id: string, holder: string, tenant: string) =>
        pool.query(
          "INSERT INTO runs (id, mode, source, tenants, started_at, finished_at, holder) VALUES ($1, 'apply', 's', $2, $3, $4, $5)",
          [id, [tenant], at(0), at(59), holder],
        );
      const step = (runId: string, seq: number, tenant: string, from: number, to: number | null) =>
        pool.query(
          `INSERT INTO steps (run_id, seq, key, kind, tenant, action, state, started_at, finished_at)
           VALUES ($1, $2, $3, 'Extension', $4, 'create', 'ok', $5, $6)`,
          [runId, seq, `${tenant}/x${seq}`, tenant, at(from), to === null ? null : at(to)],
        );
      await run("a", "h/1/a", "T1");
      await run("b", "h/2/b", "T1");
      await run("c", "h/2/c", "T2");
      await run("d", "h/1/d", "T2");
      await step("a", 1, "T1", 1, 2);
      await step("a", 2, "T1", 5, 6);
      await step("b", 1, "T1", 4, 5); // inside a's window: both wrote T1 at once
      await step("c", 1, "T2", 1, 3);
      await step("d", 1, "T2", 3, 4); // starts when c ended: one after the other
      expect(await overlappingWrites(pool)).toEqual([
        { tenant: "T1", runs: ["a", "b"], holders: ["h/1/a", "h/2/b"] },
      ]);
      expect(Object.fromEntries(await stepsByPid(pool))).toEqual({ 1: 3, 2: 2 });
    } finally {
      await pool.end();
      await store.close();
      await db.drop();
    }
  });
});
