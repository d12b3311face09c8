/**
 * The controller service under load (issue 9's bench): `BENCH_TENANTS` tenants (default
 * 100) of `BENCH_EXTENSIONS` extensions each (default 100, on one PBX), from fully drifted
 * to in sync, against the stand-in limited to 50 requests/s per partner, with the
 * controller's account budget at 50 requests/s, while 100 clients (`autocannon`) read the
 * status API.
 *
 * 1. Setup (not measured): a controller with an unlimited account creates everything,
 *    on a throwaway PostgreSQL cluster; it is stopped once every tenant is InSync.
 * 2. Drift: every extension is turned into a Plus one on the stand-in (its state changed
 *    directly, as a person in the console would, without spending the rate limit).
 * 3. Measured: a new controller process (budget 50/s) reconciles every tenant back. The
 *    wall time is from its first apply run's start to its last one's end (runs table);
 *    the share of the limit is the stand-in's requests over that span / (50/s × span);
 *    429s are the stand-in's. Meanwhile autocannon sends `GET /v1/tenants?limit=50` with
 *    100 connections for `BENCH_LOAD_S` seconds (default 20): latency p50/p99 and
 *    requests/s (target p99 ≤ 50 ms); then the same load once every tenant is in sync,
 *    as the baseline of the same session (`idle_`). The controller's RSS is read from /proc,
 *    and its event loop's delay (p99, max over its life) is what every API request waits behind.
 *
 * The stand-in and autocannon share this process; the controller and PostgreSQL have
 * their own. On 2 shared cores all four compete, so the figures are upper bounds.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import autocannon from "autocannon";
import pg from "pg";
import type { ControllerConfig } from "../../controller/runtime/controller-config.js";
import { defaultPolicies } from "../../controller/service/routes/sources.js";
import { newToken } from "../../controller/service/tokens.js";
import { openStore, type Store } from "../../controller/store/index.js";
import { startTestCluster } from "../../controller/store/test-support/postgres.js";
import { tenantWorlds, writeTenants } from "../../controller/test-support/replicas.js";
import { demoLogin } from "../../platform/standin/seeds/partners.js";
import { startStandin } from "../../platform/standin/server.js";
import { type ControllerProcess, startControllerProcess } from "../controller-process.js";
import type { Scenario } from "../scenario.js";

const limitPerSecond = 50;
const sourceId = "bench";

function intFromEnv(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1)
    throw new Error(`${name}: want a whole number >= 1, got ${JSON.stringify(v)}`);
  return Number(v);
}

const tenants = intFromEnv("BENCH_TENANTS", 100);
const extensions = intFromEnv("BENCH_EXTENSIONS", 100);
const loadSeconds = intFromEnv("BENCH_LOAD_S", 20);

/** Waits until every tenant is InSync; throws after `timeoutMs`. */
async function allInSync(store: Store, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { items } = await store.listTenantStatus({ source: sourceId, limit: 1000 });
    if (items.length === tenants && items.every((t) => t.phase === "InSync")) return;
    if (Date.now() > deadline) {
      const late = items.filter((t) => t.phase !== "InSync").slice(0, 3);
      throw new Error(
        `not in sync after ${timeoutMs} ms: ${items.length} tenants, e.g. ${JSON.stringify(late)}`,
      );
    }
    await sleep(500);
  }
}

const scenario: Scenario = {
  name: "controller-reconcile",
  description: `${tenants} tenants × ${extensions} extensions from fully drifted to in sync by the controller, stand-in and account budget at ${limitPerSecond} requests/s, 100 status API clients meanwhile`,
  async run() {
    const dir = await mkdtemp(join(tmpdir(), "omnia-bench-controller-"));
    const standin = await startStandin({ pendingDelayMs: 0 });
    const cluster = await startTestCluster();
    const worlds = tenantWorlds("BEN", tenants, extensions);
    const codes = new Set(worlds.map((w) => w.tenant));
    const pins = await writeTenants(join(dir, "repo"), worlds);
    const token = newToken();
    const env = {
      ...pins,
      DATABASE_URL: cluster.url,
      OMNIA_SECRET_KEY: randomBytes(32).toString("hex"),
      OMNIA_SECRET_PLATFORM_PASSWORD: demoLogin.password,
      OMNIA_SECRET_BENCH_TOKEN: token,
    };
    const config = (requestsPerSecond: number): ControllerConfig => ({
      file: "(bench)",
      listen: { host: "127.0.0.1", port: 0 },
      state: { dir: join(dir, "state"), databaseUrl: { fromEnv: "DATABASE_URL" } },
      git: { allowedProtocols: ["https"] },
      scheduler: { pollMs: 100 },
      sources: [
        {
          id: sourceId,
          partner: "demo",
          location: { type: "folder", path: join(dir, "repo") },
          account: {
            url: standin.url,
            domain: demoLogin.domain,
            username: demoLogin.username,
            password: { fromEnv: "OMNIA_SECRET_PLATFORM_PASSWORD" },
            requestsPerSecond,
          },
          // Only the start queues the tenants: no interval or drift round within the bench.
          policies: { ...defaultPolicies, intervalMs: 3_600_000, driftIntervalMs: 3_600_000 },
        },
      ],
      tokens: [
        { name: "bench", partner: "demo", scopes: ["read"], secret: { fromEnv: "OMNIA_SECRET_BENCH_TOKEN" } },
      ],
    });
    // The API's per-token limit (600/min by default) would answer most of the load with 429.
    const options = { service: { rateLimitMax: 1_000_000_000 } };
    const store = await openStore({ databaseUrl: cluster.url, maxConnections: 2 });
    const pool = new pg.Pool({ connectionString: cluster.url, max: 1 });
    let controller: ControllerProcess | undefined;
    let sampler: NodeJS.Timeout | undefined;
    try {
      // 1. Setup: everything created with no limit.
      const setupStart = performance.now();
      controller = await startControllerProcess(config(100_000), env, options);
      await allInSync(store, 60 * 60_000);
      await controller.stop();
      controller = undefined;
      const setupSeconds = (performance.now() - setupStart) / 1000;

      // 2. Drift: every extension of the bench's tenants becomes a Plus one.
      const customers = new Set(
        [...standin.state.customers.values()].filter((c) => codes.has(c.customerCode)).map((c) => c.id),
      );
      let drifted = 0;
      for (const x of standin.state.extensions.values()) {
        if (!customers.has(x.customerId)) continue;
        x.license = "plus";
        x.meetingId = randomBytes(21).toString("hex");
        drifted++;
      }
      if (drifted !== tenants * extensions)
        throw new Error(`drifted ${drifted} extensions, want ${tenants * extensions}`);

      // 3. Measured: the limit on both sides, a new controller, the status API under load.
      standin.knobs.rateLimit = { requestsPerSecond: limitPerSecond, burst: limitPerSecond };
      const before = { requests: standin.stats.requests, rateLimited: standin.stats.rateLimited };
      const measuredFrom = new Date();
      // The stand-in's request counter over time, to count the requests within the span.
      const samples: [number, number][] = [];
      sampler = setInterval(() => samples.push([Date.now(), standin.stats.requests]), 100);
      controller = await startControllerProcess(config(limitPerSecond), env, options);
      const statusLoad = (url: string) =>
        autocannon({
          url: `${url}/v1/tenants?limit=50`,
          connections: 100,
          duration: loadSeconds,
          headers: { authorization: `Bearer ${token}` },
        });
      const load = await statusLoad(controller.url);
      const rssDuringLoad = await controller.memory();
      await allInSync(store, 60 * 60_000);
      clearInterval(sampler);
      // The baseline of the same session: the same load on the idle controller.
      const idle = await statusLoad(controller.url);
      const memory = await controller.memory();
      const loop = await controller.stop();
      controller = undefined;

      const { rows } = await pool.query<{ first: Date; last: Date; runs: string }>(
        `SELECT min(started_at) AS first, max(finished_at) AS last, count(*) AS runs
           FROM runs WHERE mode = 'apply' AND started_at >= $1`,
        [measuredFrom],
      );
      const span = rows[0];
      if (!span?.first || !span.last) throw new Error("no apply run after the drift");
      const wallSeconds = (span.last.getTime() - span.first.getTime()) / 1000;
      const requests = standin.stats.requests - before.requests;
      const countAt = (t: number) => samples.filter(([at]) => at <= t).at(-1)?.[1] ?? before.requests;
      const inSpan = countAt(span.last.getTime() + 100) - countAt(span.first.getTime() - 100);
      const stillPlus = [...standin.state.extensions.values()].filter(
        (x) => customers.has(x.customerId) && x.license === "plus",
      ).length;
      if (stillPlus > 0) throw new Error(`${stillPlus} extensions still drifted after the reconcile`);
      return {
        tenants,
        extensions_per_tenant: extensions,
        drifted_extensions: drifted,
        setup_create_s: Number(setupSeconds.toFixed(1)),
        reconcile_wall_s: Number(wallSeconds.toFixed(1)),
        apply_runs: Number(span.runs),
        platform_requests: requests,
        platform_requests_per_s: Number((inSpan / wallSeconds).toFixed(1)),
        share_of_limit_pct: Math.round((inSpan / wallSeconds / limitPerSecond) * 100),
        standin_rate_limited_429: standin.stats.rateLimited - before.rateLimited,
        status_api_clients: 100,
        status_api_load_s: loadSeconds,
        status_api_p50_ms: load.latency.p50,
        status_api_p99_ms: load.latency.p99,
        status_api_max_ms: load.latency.max,
        status_api_requests_per_s: Math.round(load.requests.average),
        status_api_non_2xx: load.non2xx,
        status_api_errors: load.errors + load.timeouts,
        idle_status_api_p50_ms: idle.latency.p50,
        idle_status_api_p99_ms: idle.latency.p99,
        idle_status_api_requests_per_s: Math.round(idle.requests.average),
        idle_status_api_non_2xx: idle.non2xx,
        controller_event_loop_delay_p99_ms: Number((loop?.loopDelayP99Ms ?? Number.NaN).toFixed(1)),
        controller_event_loop_delay_max_ms: Number((loop?.loopDelayMaxMs ?? Number.NaN).toFixed(1)),
        controller_rss_during_load_mib: rssDuringLoad.rssMiB,
        controller_rss_end_mib: memory.rssMiB,
        controller_rss_peak_mib: memory.peakRssMiB,
      };
    } finally {
      clearInterval(sampler);
      await controller?.stop();
      await pool.end();
      await store.close();
      await cluster.stop();
      await standin.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
export default scenario;
