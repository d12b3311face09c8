/**
 * Apply throughput: 1,000 extension creates (one tenant, two PBXs) against a stand-in that
 * admits 50 requests/s per partner, with the client limited to 50/s as well (its default
 * burst), through the whole engine (load, observe, plan, apply recording every step in an
 * embedded PGlite store; the stand-in in a child process). Figures: requests and creates
 * per second as a share of the 50/s limit (target 90-100%), and the answers of 429 as the
 * stand-in counted them (target 0: the client never sends above its limit).
 *
 * Memory: the process's peak RSS (bench/child.ts) includes the embedded store. Profiled
 * (issue 7, 2026-11-29): the JS heap stays under 70 MB through the whole apply; the peak
 * is reached while `PGlite.create()` runs initdb in WASM (about 650 MB of WebAssembly
 * memory and compiled code that never shrink), before the first request. So the figures
 * also give the RSS right after the store opened, and the peak RSS and heap sampled
 * during the reconcile. `BENCH_STORE` picks the store:
 * - `memory` (default, as the baseline of 2026-11-26): PGlite in memory, initdb in this
 *   process on every run;
 * - `folder`: PGlite in a data folder that another process created first, as every
 *   `omnia` run after a partner's first one finds `.omnia/state` (no initdb here);
 * - `postgres`: a throwaway PostgreSQL cluster (another process, like the stand-in), to
 *   measure the engine and the client alone.
 */
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pino from "pino";
import { applyPlan, planToApply } from "../../controller/engine/reconcile/apply-plan.js";
import { planTenants } from "../../controller/engine/reconcile/plan-tenants.js";
import { renderManifestFile } from "../../controller/export/yaml.js";
import { FolderSource } from "../../controller/sources/folder.js";
import { openStore, type Store } from "../../controller/store/index.js";
import { startTestCluster, type TestCluster } from "../../controller/store/test-support/postgres.js";
import { testSecrets } from "../../controller/test-support/fakes.js";
import { OmniaClient } from "../../platform/client/index.js";
import { startStandinProcess } from "../../platform/standin/process.js";
import { demoLogin } from "../../platform/standin/seeds/partners.js";
import type { Scenario } from "../scenario.js";

const limitPerSecond = 50;
const extensions = 1000;
const apiVersion = "omnia.kalliope.io/v1";

/** The benchmark's repository: one tenant, two PBXs, `count` extensions, and the PINs' environment. */
export function repository(count: number): { docs: object[]; env: Record<string, string> } {
  const env: Record<string, string> = {};
  const docs: object[] = [
    {
      apiVersion,
      kind: "Tenant",
      metadata: { name: "tput" },
      spec: {
        businessName: "Throughput S.r.l.",
        customerCode: "TPUT",
        vatNumber: "01234560017",
        fiscalCode: "01234560017",
      },
    },
    { apiVersion, kind: "Pbx", metadata: { name: "a", tenant: "TPUT" }, spec: { kind: "single" } },
    { apiVersion, kind: "Pbx", metadata: { name: "b", tenant: "TPUT" }, spec: { kind: "single" } },
  ];
  for (let i = 0; i < count; i++) {
    const pbx = i % 2 === 0 ? "a" : "b";
    const number = String(1000 + Math.floor(i / 2));
    const variable = `OMNIA_SECRET_PIN_TPUT_${pbx}_${number}`.toUpperCase();
    env[variable] = String(100000 + i);
    docs.push({
      apiVersion,
      kind: "Extension",
      metadata: { name: `${pbx}-${number}`, tenant: "TPUT", pbx },
      spec: { number, license: i % 5 === 0 ? "plus" : "start", pin: { fromEnv: variable } },
    });
  }
  return { docs, env };
}

const scenario: Scenario = {
  name: "engine-apply-throughput",
  description: `apply of ${extensions} extension creates against a stand-in limited to ${limitPerSecond} requests/s (client limited likewise)`,
  async run() {
    const dir = await mkdtemp(join(tmpdir(), "omnia-bench-apply-"));
    const { docs, env } = repository(extensions);
    await writeFile(join(dir, "repo.yaml"), renderManifestFile(docs, "x"));

    const standin = await startStandinProcess({
      pendingDelayMs: 0,
      knobs: { rateLimit: { requestsPerSecond: limitPerSecond, burst: limitPerSecond } },
    });
    // When each create was answered (ms), for the rate while the apply sends.
    const createAnswers: number[] = [];
    const client = new OmniaClient(
      { baseUrl: standin.url, ...demoLogin },
      {
        requestsPerSecond: limitPerSecond,
        concurrency: 8,
        onResponse: ({ route }) => {
          if (route.startsWith("POST ")) createAnswers.push(performance.now());
        },
      },
    );
    const storeKind = process.env.BENCH_STORE ?? "memory";
    let cluster: TestCluster | undefined;
    let store: Store | undefined;
    const sampler = memorySampler();
    try {
      if (storeKind === "postgres") {
        cluster = await startTestCluster();
        store = await openStore({ databaseUrl: cluster.url });
      } else if (storeKind === "folder") {
        const dataDir = join(dir, "state");
        await createStoreElsewhere(dataDir);
        store = await openStore({ dataDir, env: {} });
      } else if (storeKind === "memory") {
        store = await openStore({ memory: true });
      } else {
        throw new Error(`BENCH_STORE: want memory, folder or postgres, got ${JSON.stringify(storeKind)}`);
      }
      const rssAfterStoreOpen = mib(process.memoryUsage.rss());
      sampler.start();
      const t0 = performance.now();
      const source = new FolderSource(dir, { load: { env } });
      const secrets = testSecrets;
      const deps = { client, store, logger: pino({ level: "silent" }), secrets, options: { parallelism: 8 } };
      const planned = await planTenants({ source }, deps);
      if (planned.status !== "done") throw new Error(`plan failed: ${planned.reason}`);
      const r = await applyPlan(planToApply(planned.result), deps);
      const seconds = (performance.now() - t0) / 1000;
      sampler.stop();
      const applied = r.result?.applied;
      if (!applied || applied.failed + applied.skipped > 0) {
        throw new Error(`apply failed: ${JSON.stringify(applied?.steps.find((s) => s.outcome !== "ok"))}`);
      }
      const stats = client.stats();
      const served = (await standin.stats()) as { rateLimited: number };
      const creates = applied.ok;
      const perSecond = creates / seconds;
      const requestsPerSecond = stats.requests / seconds;
      return {
        creates,
        wall_s: Number(seconds.toFixed(1)),
        creates_per_s: Number(perSecond.toFixed(1)),
        requests: stats.requests,
        requests_per_s: Number(requestsPerSecond.toFixed(1)),
        share_of_limit_pct: Math.round((requestsPerSecond / limitPerSecond) * 100),
        creates_share_of_limit_pct: Math.round((perSecond / limitPerSecond) * 100),
        // Over the span of the creates alone (load, observe and plan left out).
        apply_share_of_limit_pct: Math.round((spanRate(createAnswers) / limitPerSecond) * 100),
        rate_limited_429: stats.rateLimited,
        standin_rate_limited_429: served.rateLimited,
        retries: stats.retries,
        store: storeKind,
        rss_after_store_open_mib: rssAfterStoreOpen,
        rss_peak_during_reconcile_mib: sampler.peakRss,
        heap_used_peak_during_reconcile_mib: sampler.peakHeap,
      };
    } finally {
      sampler.stop();
      await client.close();
      await store?.close();
      await cluster?.stop();
      await standin.stop();
    }
  },
};
export default scenario;

/** Creates and migrates a PGlite data folder in a child process (initdb happens there). */
async function createStoreElsewhere(dataDir: string): Promise<void> {
  const storeModule = new URL("../../controller/store/index.ts", import.meta.url).href;
  const script = `const { openStore } = await import(${JSON.stringify(storeModule)});
await (await openStore({ dataDir: ${JSON.stringify(dataDir)}, env: {} })).close();`;
  await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script]);
}

/** Events per second between the first and the last of `times` (ms). */
function spanRate(times: number[]): number {
  if (times.length < 2) return 0;
  return ((times.length - 1) * 1000) / ((times.at(-1) as number) - (times[0] as number));
}

const mib = (bytes: number) => Math.round(bytes / 1048576);

/** Samples RSS and used heap every 100 ms (MiB). */
function memorySampler() {
  let timer: NodeJS.Timeout | undefined;
  const peaks = { peakRss: 0, peakHeap: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peaks.peakRss = Math.max(peaks.peakRss, mib(m.rss));
    peaks.peakHeap = Math.max(peaks.peakHeap, mib(m.heapUsed));
  };
  return {
    get peakRss() {
      return peaks.peakRss;
    },
    get peakHeap() {
      return peaks.peakHeap;
    },
    start() {
      sample();
      timer = setInterval(sample, 100);
    },
    stop() {
      if (timer) sample();
      clearInterval(timer);
      timer = undefined;
    },
  };
}
