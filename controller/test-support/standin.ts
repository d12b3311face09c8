/**
 * Engine tests against the real stand-in: a stand-in on a free port (no latency, nothing
 * pending), a client of partner `demo`, the adapters over it, and an `ApplyContext` whose
 * ids the test fills in as apply would.
 */
import { afterAll, beforeAll } from "vitest";
import { OmniaClient } from "../../platform/client/index.js";
import { startTestStandin, type TestStandin } from "../../platform/standin/testing.js";
import type { ApplyContext, KindAdapter } from "../engine/adapters/adapter.js";
import { adapters } from "../engine/adapters/index.js";
import type { AdapterSet } from "../engine/apply/apply.js";
import type { AnyDesiredResource } from "../model/desired-state.js";
import type { AnyLiveResource } from "../model/live-state.js";
import { openStore, type Store } from "../store/index.js";

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

/** What `useStandinAndStore()` gives a test file once its `beforeAll` has run. */
export interface StandinAndStore {
  readonly e: EngineStandin;
  readonly store: Store;
}

/**
 * For end-to-end test files: registers `beforeAll`/`afterAll` that start a stand-in and
 * an in-memory state store (PGlite), shared by the file's tests, and close both.
 */
export function useStandinAndStore(): StandinAndStore {
  let e: EngineStandin | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    e = await startEngineStandin();
    store = await openStore({ memory: true });
  });
  afterAll(async () => {
    await store?.close();
    await e?.close();
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error("useStandinAndStore: used outside a test (before beforeAll)");
    return v;
  };
  return {
    get e() {
      return started(e);
    },
    get store() {
      return started(store);
    },
  };
}
