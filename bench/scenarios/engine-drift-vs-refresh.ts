/**
 * The no-op drift check against a Terraform-style refresh, at 1k, 10k and 100k extensions,
 * in one process against one stand-in at 20 ms latency per request.
 *
 * - drift: what `omnia drift` does: load the manifests, observe the platform with paged
 *   list calls, plan, and read the drift out of the plan. Nothing is written.
 * - refresh: what `terraform plan` does before it diffs: one single-object read per
 *   managed object (GET `/rest/customers/{id}`, `.../pbxs/{id}`, `.../extensions/{id}`),
 *   10 at a time, as Terraform's default `-parallelism=10`.
 *
 * The world is engine-noop-plan's (tenants of 1,000 extensions on 2 PBXs): 1,003 managed
 * objects per 1k extensions. Both sides use one client with room for 10 requests in
 * flight and a rate limit (1,000/s) that never binds, so the figures are the calls and
 * the latency, not the limiter. When the 100k refresh would take more than 6 minutes
 * (projected from the 10k one), it reads an even sample of the managed objects and
 * scales calls, wall and CPU time up by the sample's share: the figures say so.
 */

import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { observe } from "../../controller/engine/observe/observe.js";
import { driftOf } from "../../controller/engine/plan/drift-report.js";
import { plan } from "../../controller/engine/plan/plan.js";
import { loadDirectory } from "../../controller/load/index.js";
import type { AnyDesiredResource } from "../../controller/model/desired-state.js";
import { OmniaClient } from "../../platform/client/index.js";
import { startStandinProcess } from "../../platform/standin/process.js";
import { demoLogin } from "../../platform/standin/seeds/partners.js";
import type { Scenario } from "../scenario.js";
import { hashSecret as benchHash, managedInventory, world } from "./engine-noop-plan.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Latency the stand-in adds to every `/rest/` request (ms). */
const latencyMs = 20;
/** Terraform's default `-parallelism`. */
const parallelism = 10;
/** Longest refresh measured in full (ms); a longer one is sampled and scaled up. */
const fullRefreshBudgetMs = 6 * 60_000;

/** What one side cost: calls, time, memory. */
interface Cost {
  api_calls: number;
  wall_ms: number;
  cpu_ms: number;
  peak_rss_mib: number;
  /** Heap in use when the side started (after a full GC): the world both sides keep. */
  start_heap_mib: number;
  peak_heap_mib: number;
}

/**
 * Runs `work` and measures it: client requests, wall and CPU time of this process (the
 * stand-in runs in its own), and the highest RSS and heap seen by a 25 ms sampler (RSS
 * never falls much, so a later side inherits part of an earlier side's RSS; the heap
 * peak is its own).
 */
async function measured(client: OmniaClient, work: () => Promise<void>): Promise<Cost> {
  gc();
  let rss = process.memoryUsage().rss;
  let heap = process.memoryUsage().heapUsed;
  const startHeap = heap;
  const sample = () => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  };
  const timer = setInterval(sample, 25);
  const calls = client.stats().requests;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  sample();
  const used = process.cpuUsage(cpu);
  return {
    api_calls: client.stats().requests - calls,
    wall_ms: Math.round(performance.now() - t0),
    cpu_ms: Math.round((used.user + used.system) / 1000),
    peak_rss_mib: Math.round(rss / 2 ** 20),
    start_heap_mib: Math.round(startHeap / 2 ** 20),
    peak_heap_mib: Math.round(heap / 2 ** 20),
  };
}

/** One managed object as Terraform's state holds it: its kind, its customer and its id. */
interface Managed {
  kind: AnyDesiredResource["kind"];
  customerId: string;
  id: string;
}

/** The single-object read of the contract for each kind the world holds. */
function readOne(client: OmniaClient, m: Managed): Promise<unknown> {
  switch (m.kind) {
    case "Tenant":
      return client.customers.get(m.id);
    case "Pbx":
      return client.pbxs(m.customerId).get(m.id);
    case "Extension":
      return client.extensions(m.customerId).get(m.id);
    default:
      throw new Error(`bench world has no ${m.kind}`);
  }
}

/**
 * The stand-in seeded with the world, and what a previous apply left: the repository, the
 * inventory (everything managed, PIN hashes recorded) and Terraform's view of the same
 * objects. The world's in-memory platform state is dropped once saved, so that neither
 * side's memory figures carry it.
 */
async function setUp(extensions: number, hashSecret: (field: string, value: string) => string) {
  const w = await world(extensions);
  const stateFile = join(w.dir, "standin-state.json");
  await w.state.save(stateFile);
  const customerOf = new Map([...w.state.customers.values()].map((c) => [c.customerCode, c.id]));
  const standin = await startStandinProcess({ stateFile, pendingDelayMs: 0, knobs: { latencyMs } });
  const client = new OmniaClient(
    { baseUrl: standin.url, ...demoLogin },
    { requestsPerSecond: 1000, burst: 1000, concurrency: parallelism },
  );
  try {
    return { standin, client, ...(await recorded(w, client, customerOf, hashSecret)) };
  } catch (err) {
    await client.close();
    await standin.stop();
    throw err;
  }
}

/** The inventory a previous apply left, and Terraform's state of the same objects. */
async function recorded(
  w: Awaited<ReturnType<typeof world>>,
  client: OmniaClient,
  customerOf: Map<string, string>,
  hashSecret: (field: string, value: string) => string,
) {
  const inventory = await managedInventory(w, client, hashSecret);
  const managed: Managed[] = inventory.map((e) => ({
    kind: e.kind,
    customerId: customerOf.get(e.tenant) ?? "",
    id: e.platformId ?? "",
  }));
  if (managed.some((m) => !m.customerId || !m.id))
    throw new Error("bench inventory has an object without id");
  return { dir: w.dir, env: w.env, tenants: w.tenants, inventory, managed };
}

async function measure(extensions: number, projectedRefreshMs: number | undefined) {
  const hashSecret = benchHash;
  const { standin, client, dir, env, tenants, inventory, managed } = await setUp(extensions, hashSecret);
  try {
    let driftItems = -1;
    const drift = await measured(client, async () => {
      const loaded = await loadDirectory(dir, { env });
      const live = await observe(client, { tenants });
      driftItems = driftOf(plan(loaded.state, live, inventory, { hashSecret, source: "default" })).length;
    });
    if (driftItems !== 0) throw new Error(`want no drift, got ${driftItems} items`);

    // Sample evenly when the full refresh would not fit the budget.
    const share =
      projectedRefreshMs !== undefined && projectedRefreshMs > fullRefreshBudgetMs
        ? fullRefreshBudgetMs / 2 / projectedRefreshMs
        : 1;
    const step = Math.max(1, Math.round(1 / share));
    const targets = managed.filter((_, i) => i % step === 0);
    // Ten workers, as Terraform's walker: each reads the next object when its read is done.
    // The answers are kept, as Terraform keeps the refreshed state until it plans.
    const answers: unknown[] = new Array(targets.length);
    const refreshed = await measured(client, async () => {
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < targets.length; i = next++)
          answers[i] = await readOne(client, targets[i] as Managed);
      };
      await Promise.all(Array.from({ length: parallelism }, worker));
    });
    if (answers.some((a) => a === undefined)) throw new Error("refresh missed an object");
    const scale = managed.length / targets.length;
    const refresh: Cost =
      scale === 1
        ? refreshed
        : {
            ...refreshed,
            api_calls: Math.round(refreshed.api_calls * scale),
            wall_ms: Math.round(refreshed.wall_ms * scale),
            cpu_ms: Math.round(refreshed.cpu_ms * scale),
          };
    return { managed: managed.length, sampled: targets.length, drift, refresh };
  } finally {
    await client.close();
    await standin.stop();
  }
}

const scenario: Scenario = {
  name: "engine-drift-vs-refresh",
  description: `no-op drift check (load, paged lists, plan) vs a Terraform-style refresh (one GET per managed object, parallelism ${parallelism}), stand-in at ${latencyMs} ms`,
  async run() {
    const figures: Record<string, number | string> = {};
    let perObjectMs: number | undefined;
    for (const [label, n] of [
      ["1k", 1_000],
      ["10k", 10_000],
      ["100k", 100_000],
    ] as const) {
      const projected = perObjectMs === undefined ? undefined : perObjectMs * (n * 1.003);
      const r = await measure(n, projected);
      perObjectMs = r.refresh.wall_ms / r.managed;
      figures[`${label}_managed_objects`] = r.managed;
      for (const [k, v] of Object.entries(r.drift)) figures[`${label}_drift_${k}`] = v;
      for (const [k, v] of Object.entries(r.refresh)) figures[`${label}_refresh_${k}`] = v;
      if (r.sampled < r.managed)
        figures[`${label}_refresh_note`] =
          `sampled ${r.sampled} of ${r.managed} objects (every ${Math.round(r.managed / r.sampled)}th); calls, wall and CPU scaled up`;
      figures[`${label}_refresh_over_drift_calls`] = round1(r.refresh.api_calls / r.drift.api_calls);
      figures[`${label}_refresh_over_drift_wall`] = round1(r.refresh.wall_ms / r.drift.wall_ms);
      figures[`${label}_refresh_over_drift_cpu`] = round1(r.refresh.cpu_ms / Math.max(1, r.drift.cpu_ms));
    }
    return figures;
  },
};

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

export default scenario;
