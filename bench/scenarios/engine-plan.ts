/**
 * Plan CPU time and memory for 1k, 10k and 100k extensions: synthetic desired state,
 * live state and inventory built in memory (no I/O), 1% of extensions drifted so the
 * plan has updates to find. Tenants of 1,000 extensions each: 10 PBXs of 100 extensions,
 * one user per 4 extensions, 2 SIP trunks, 10 number blocks.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { countActions, plan } from "../../controller/engine/plan/plan.js";
import type { AnyDesiredResource } from "../../controller/model/desired-state.js";
import type { InventoryEntry } from "../../controller/model/inventory.js";
import type { AnyLiveResource } from "../../controller/model/live-state.js";
import {
  desiredStateOf,
  liveOf,
  liveStateOf,
  make,
  managedEntry,
  testHash,
} from "../../controller/test-support/fakes.js";
import type { Scenario } from "../scenario.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** The synthetic desired state, live state and inventory of `extensions` extensions (exported for profiling). */
export function world(extensions: number) {
  const desired: AnyDesiredResource[] = [];
  const live: AnyLiveResource[] = [];
  const inventory: InventoryEntry[] = [];
  const scope: string[] = [];
  const add = (d: AnyDesiredResource, drifted?: AnyDesiredResource) => {
    const id = `id-${desired.length}`;
    desired.push(d);
    live.push(liveOf(drifted ?? d, id));
    inventory.push(managedEntry(d, id));
  };
  for (let t = 0; t * 1000 < extensions; t++) {
    const code = `T${String(t).padStart(4, "0")}`;
    scope.push(code);
    add(make.tenant(code));
    for (const trunk of ["tim", "fastweb"]) add(make.trunk(code, trunk, `pw-${code}`));
    for (let p = 0; p < 10; p++) {
      const pbx = `pbx-${p}`;
      add(make.pbx(code, pbx));
      add(make.number(code, `+3902${String(t).padStart(4, "0")}${p}000`, pbx, p % 2 ? "tim" : "fastweb"));
      for (let e = 0; e < 100 && t * 1000 + p * 100 + e < extensions; e++) {
        const n = String(100 + e);
        const email = `u${p}-${Math.floor(e / 4)}@${code.toLowerCase()}.it`;
        if (e % 4 === 0) add(make.user(code, email));
        const ext = make.extension(code, pbx, n, `pin-${n}`, email);
        const drifted =
          e % 100 === 7 ? make.extension(code, pbx, n, "x", email, { spec: { license: "plus" } }) : ext;
        add(ext, drifted);
      }
    }
  }
  return { desired: desiredStateOf(desired), live: liveStateOf(live, scope), inventory };
}

const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

const scenario: Scenario = {
  name: "engine-plan",
  description: "plan() CPU time and memory for 1k, 10k and 100k extensions (in memory, 1% drifted)",
  async run() {
    const figures: Record<string, number> = {};
    plan(world(200).desired, world(200).live, world(200).inventory, { source: "repo", hashSecret: testHash });
    for (const [label, n] of [
      ["1k", 1_000],
      ["10k", 10_000],
      ["100k", 100_000],
    ] as const) {
      const w = world(n);
      gc();
      // What the input alone holds, so the plan's own share of the peak can be told apart.
      const rssBefore = process.memoryUsage().rss;
      const heapBefore = process.memoryUsage().heapUsed;
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      const p = plan(w.desired, w.live, w.inventory, { source: "repo", hashSecret: testHash });
      const wall = performance.now() - t0;
      const used = process.cpuUsage(cpu);
      const heapPeak = process.memoryUsage().heapUsed;
      gc();
      const heapAfter = process.memoryUsage().heapUsed;
      const counts = countActions(p);
      figures[`${label}_resources`] = w.inventory.length;
      figures[`${label}_plan_cpu_ms`] = Math.round((used.user + used.system) / 1000);
      figures[`${label}_plan_wall_ms`] = Math.round(wall);
      figures[`${label}_plan_heap_growth_MiB`] = mib(heapPeak - heapBefore);
      figures[`${label}_plan_retained_MiB`] = mib(heapAfter - heapBefore);
      figures[`${label}_rss_before_plan_MiB`] = Math.round(rssBefore / 2 ** 20);
      figures[`${label}_max_rss_MiB`] = Math.round(process.resourceUsage().maxRSS / 1024);
      figures[`${label}_updates`] = counts.update;
      figures[`${label}_noops`] = counts.noop;
    }
    return figures;
  },
};

export default scenario;
