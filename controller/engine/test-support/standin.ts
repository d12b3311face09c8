/**
 * Engine tests against the real stand-in: a stand-in on a free port (no latency, nothing
 * pending), a client of partner `demo`, the adapters over it, and an `ApplyContext` whose
 * ids the test fills in as apply would.
 */
import { OmniaClient } from "../../../platform/client/index.js";
import { startTestStandin, type TestStandin } from "../../../platform/standin/testing.js";
import type { AnyDesiredResource } from "../../model/desired-state.js";
import type { AdapterSet } from "../apply.js";
import { adapters } from "../kinds/index.js";
import type { AnyLiveResource, ApplyContext, KindAdapter } from "../types.js";

/** A stand-in, a client and adapters over it. */
export interface EngineStandin {
  standin: TestStandin;
  client: OmniaClient;
  adapters: AdapterSet;
  /** Platform ids by natural key, as apply's context resolves them. */
  ids: Map<string, string>;
  ctx: ApplyContext;
  /** Creates each resource in order through its adapter and records its id. */
  create(...resources: AnyDesiredResource[]): Promise<string[]>;
  close(): Promise<void>;
}

/** Starts a stand-in and a client; `close()` in afterAll. */
export async function startEngineStandin(): Promise<EngineStandin> {
  const standin = await startTestStandin();
  const client = new OmniaClient(standin.settings, { requestsPerSecond: 1000, burst: 1000, maxRetries: 1 });
  const set = adapters(client);
  const ids = new Map<string, string>();
  const ctx: ApplyContext = { idOf: (key) => ids.get(key) };
  return {
    standin,
    client,
    adapters: set,
    ids,
    ctx,
    async create(...resources) {
      const out: string[] = [];
      for (const r of resources) {
        const adapter = set[r.kind] as KindAdapter<typeof r.kind, unknown, AnyLiveResource>;
        const { id } = await adapter.create(ctx, r);
        ids.set(r.key, id);
        out.push(id);
      }
      return out;
    },
    async close() {
      await client.close();
      await standin.close();
    },
  };
}
