/**
 * A no-op `omnia plan` against the stand-in for 1k, 10k and 100k extensions: API calls and
 * wall time of load (YAML manifests with PINs from the environment), observe (paged list
 * calls) and plan, with an inventory that already manages everything. Tenants of 1,000
 * extensions (2 PBXs of 500). The stand-in runs in a child process, seeded from a state
 * file built directly (not by 100k HTTP creates); no latency, client limit 1,000
 * requests/s so the figures are the engine's own.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { observe } from "../../controller/engine/observe/observe.js";
import { secretHashesOf } from "../../controller/engine/plan/diff.js";
import { countActions, isEmptyPlan, plan } from "../../controller/engine/plan/plan.js";
import { renderManifestFile } from "../../controller/export/yaml.js";
import { loadDirectory } from "../../controller/load/index.js";
import type { AnyDesiredResource } from "../../controller/model/desired-state.js";
import type { InventoryEntry } from "../../controller/model/inventory.js";
import { createSecretHasher, secretKeyId } from "../../controller/runtime/secret-key.js";
import { OmniaClient } from "../../platform/client/index.js";
import { startStandinProcess } from "../../platform/standin/process.js";
import { demoLogin, seedPartners } from "../../platform/standin/seeds/partners.js";
import { StandinState, hashSecret as standinHash } from "../../platform/standin/state.js";
import type { Scenario } from "../scenario.js";

/** The benchmarks' secret hashing: the engine's keyed hasher with a fixed 32-byte key. */
export const hashSecret = ((key: Buffer) => createSecretHasher({ key, id: secretKeyId(key) }))(
  Buffer.alloc(32, 0x42),
);

/**
 * The inventory a previous apply would have left for world `w`: every tenant, PBX and
 * extension managed by source "default", with its platform id and PIN hashes.
 */
export async function managedInventory(
  w: { dir: string; env: Record<string, string>; tenants: string[] },
  client: OmniaClient,
  hash: (field: string, value: string) => string,
): Promise<InventoryEntry[]> {
  const first = await loadDirectory(w.dir, { env: w.env });
  if (first.problems.length > 0)
    throw new Error(`bench manifests have problems: ${first.problems[0]?.message}`);
  const live = await observe(client, { tenants: w.tenants });
  const ids = new Map([...live.tenants, ...live.pbxs, ...live.extensions].map((r) => [r.key, r.id]));
  const all: AnyDesiredResource[] = [...first.state.tenants, ...first.state.pbxs, ...first.state.extensions];
  return all.map((d) => ({
    key: d.key,
    kind: d.kind,
    tenant: d.tenant,
    platformId: ids.get(d.key) ?? null,
    source: "default",
    state: "managed",
    secretHashes: secretHashesOf(d.kind, d.spec, hash),
  }));
}

const perTenant = 1000;
const perPbx = 500;
const at = "2026-01-01T00:00:00.000Z";
const apiVersion = "omnia.kalliope.io/v1";

/**
 * A stand-in state and the matching repository for `extensions` extensions (exported for
 * engine-drift-vs-refresh, which measures the same world).
 */
export async function world(extensions: number) {
  const state = new StandinState();
  const partner = seedPartners(state).demo;
  const dir = await mkdtemp(join(tmpdir(), `omnia-bench-noop-${extensions}-`));
  const env: Record<string, string> = {};
  const tenants: string[] = [];
  for (let t = 0; t < extensions / perTenant; t++) {
    const code = `BENCH${String(t).padStart(3, "0")}`;
    tenants.push(code);
    const customer = {
      id: state.newId("customers"),
      partnerId: partner.id,
      businessName: `${code} S.r.l.`,
      customerCode: code,
      vatNumber: "01234560017",
      fiscalCode: "01234560017",
      omniaManager: true,
      status: "active" as const,
      createdAt: at,
    };
    state.customers.set(customer.id, customer);
    const docs: object[] = [
      {
        apiVersion,
        kind: "Tenant",
        metadata: { name: code.toLowerCase() },
        spec: {
          businessName: customer.businessName,
          customerCode: code,
          vatNumber: customer.vatNumber,
          fiscalCode: customer.fiscalCode,
        },
      },
    ];
    for (let p = 0; p < perTenant / perPbx; p++) {
      const name = `pbx${p}`;
      const pbx = {
        id: state.newId("pbxs"),
        customerId: customer.id,
        name,
        kind: "single" as const,
        callCenter: false,
        hotel: false,
        status: "active" as const,
        activeAt: 0,
        createdAt: at,
      };
      state.pbxs.set(pbx.id, pbx);
      docs.push({ apiVersion, kind: "Pbx", metadata: { name, tenant: code }, spec: { kind: "single" } });
      for (let i = 0; i < perPbx; i++) {
        const number = String(1000 + i);
        const pin = String(100000 + i);
        const variable = `OMNIA_SECRET_PIN_${code}_${p}_${number}`;
        env[variable] = pin;
        const id = state.newId("extensions");
        state.extensions.set(id, {
          id,
          customerId: customer.id,
          pbxId: pbx.id,
          number,
          license: "start",
          meetingId: null,
          userId: null,
          pinHash: standinHash(pin),
          status: "active",
          createdAt: at,
        });
        docs.push({
          apiVersion,
          kind: "Extension",
          metadata: { name: `${name}-${number}`, tenant: code, pbx: name },
          spec: { number, license: "start", pin: { fromEnv: variable } },
        });
      }
    }
    await mkdir(join(dir, code), { recursive: true });
    await writeFile(join(dir, code, "all.yaml"), renderManifestFile(docs, "x"));
  }
  return { state, dir, env, tenants };
}

async function measure(extensions: number): Promise<Record<string, number>> {
  const w = await world(extensions);
  const stateFile = join(w.dir, "standin-state.json");
  await w.state.save(stateFile);
  const standin = await startStandinProcess({ stateFile, pendingDelayMs: 0 });
  const client = new OmniaClient(
    { baseUrl: standin.url, ...demoLogin },
    { requestsPerSecond: 1000, burst: 1000 },
  );
  try {
    // The inventory a previous apply would have left: everything managed, PIN hashes recorded.
    const inventory = await managedInventory(w, client, hashSecret);

    const requestsBefore = client.stats().requests;
    const servedBefore = Number((await standin.stats()).requests);
    const t0 = performance.now();
    const loaded = await loadDirectory(w.dir, { env: w.env });
    const t1 = performance.now();
    const live = await observe(client, { tenants: w.tenants });
    const t2 = performance.now();
    const cpu = process.cpuUsage();
    const p = plan(loaded.state, live, inventory, { hashSecret, source: "default" });
    const planCpu = process.cpuUsage(cpu);
    const t3 = performance.now();
    if (!isEmptyPlan(p)) throw new Error(`want a no-op plan, got ${JSON.stringify(countActions(p))}`);
    return {
      api_calls: client.stats().requests - requestsBefore,
      standin_requests: Number((await standin.stats()).requests) - servedBefore,
      wall_ms: Math.round(t3 - t0),
      load_ms: Math.round(t1 - t0),
      observe_ms: Math.round(t2 - t1),
      plan_cpu_ms: Math.round((planCpu.user + planCpu.system) / 1000),
      heap_used_mib: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    };
  } finally {
    await client.close();
    await standin.stop();
  }
}

const scenario: Scenario = {
  name: "engine-noop-plan",
  description:
    "no-op plan (load, observe, plan) against the stand-in: API calls and wall time for 1k, 10k, 100k extensions",
  async run() {
    const figures: Record<string, number> = {};
    for (const [label, n] of [
      ["1k", 1_000],
      ["10k", 10_000],
      ["100k", 100_000],
    ] as const) {
      for (const [k, v] of Object.entries(await measure(n))) figures[`${label}_${k}`] = v;
    }
    return figures;
  },
};
export default scenario;
