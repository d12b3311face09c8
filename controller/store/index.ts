/**
 * The state store: inventory, runs and steps, per-resource status and tenant leases, and
 * the controller service's sources, request queue, tenant status, tokens and events (the
 * key of secret hashes is kept outside it: controller/runtime/secret-key.ts). `openStore` picks the database: a PostgreSQL server when a
 * database URL is given (option or `DATABASE_URL`), else embedded PGlite in
 * `.omnia/state/` so a first run needs no server. See README.md.
 */
import { resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { type DataDirLock, lockDataDir } from "./data-dir-lock.js";
import { type Driver, pgDriver, pgliteDriver } from "./driver.js";
import { errOpen, StoreError } from "./errors.js";
import { checkDataDir, damagedDataDir, makeDataDir } from "./fs-errors.js";
import { loadMigrations, migrate } from "./migrate.js";
import { SqlStore, type Store } from "./store.js";

export type { ControllerStore } from "./control-store.js";
export type { Driver, Queryable } from "./driver.js";
export * from "./errors.js";
export { type EventFilter, maxEventPage } from "./events.js";
export { loadMigrations, type Migration, migrate } from "./migrate.js";
export {
  type ClaimOptions,
  type CompleteOptions,
  type CompleteResult,
  type EnqueueRequest,
  maxClaimLimit,
  maxClaimMs,
} from "./queue.js";
export type { ReplicaBeat } from "./replicas.js";
export { interruptedRunError, type MarkInterruptedOptions } from "./runs.js";
export { type SourceFilter, type SourceRead, sourceIdPattern } from "./sources.js";
export type { Store } from "./store.js";
export type { StoredResource, StoredResourceInput } from "./stored-resources.js";
export type { SealedStoredSecret } from "./stored-secrets.js";
export {
  maxTenantStatusPage,
  type TenantStatusFilter,
  type TenantStatusSort,
  type TenantStatusWrite,
} from "./tenant-status.js";
export type { NewToken } from "./tokens.js";
export * from "./types.js";

/** Default folder of the embedded store, relative to the working directory. */
export const defaultDataDir = ".omnia/state";

/** Options of `openStore`; every field has a default. */
export interface OpenStoreOptions {
  /** PostgreSQL server URL. Default `env.DATABASE_URL`; unset or empty: embedded PGlite. */
  databaseUrl?: string;
  /** Folder of the embedded store. Default `.omnia/state`. */
  dataDir?: string;
  /** Embedded store in memory only (tests); ignores `databaseUrl` and `DATABASE_URL`. */
  memory?: boolean;
  /** An open PGlite instance to use instead (tests); the caller keeps it and closes it. */
  pglite?: PGlite;
  /** Where `DATABASE_URL` is read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Clock for timestamps and lease expiry. Default: the database's clock. */
  clock?: () => Date;
  /** Pool size on a server. Default 10. */
  maxConnections?: number;
  /** Folder of migration files. Default the `migrations/` beside this module. */
  migrationsDir?: string;
}

/** Opens (creating and migrating as needed) the state store. Throws `StoreError`. */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const migrations = await loadMigrations(options.migrationsDir);
  const { db, location, exclusive } = await openDriver(options);
  try {
    await migrate(db, migrations);
    const store = new SqlStore(db, { location, clock: options.clock });
    // The folder lock proves no other process runs: every unfinished run was interrupted.
    if (exclusive) await store.markInterruptedRuns({ staleBefore: endOfTime });
    return store;
  } catch (err) {
    await db.close().catch(() => {});
    if (err instanceof StoreError) throw err;
    throw new StoreError(errOpen, `${location}: ${(err as Error).message}`, { cause: err });
  }
}

/** Later than any heartbeat: every unfinished run is stale. */
const endOfTime = new Date(8.64e15);

/** The driver of `options`; `exclusive` when this process alone may use the database (a locked PGlite folder). */
async function openDriver(
  options: OpenStoreOptions,
): Promise<{ db: Driver; location: string; exclusive?: boolean }> {
  if (options.pglite)
    return { db: pgliteDriver(options.pglite, { owned: false }), location: "pglite (given instance)" };
  if (options.memory) return { db: pgliteDriver(await PGlite.create()), location: "pglite in memory" };
  const url = options.databaseUrl || (options.env ?? process.env).DATABASE_URL;
  if (url) {
    return { db: pgDriver(url, { maxConnections: options.maxConnections }), location: redactUrl(url) };
  }
  const dataDir = resolve(options.dataDir ?? defaultDataDir);
  await makeDataDir(dataDir);
  const lock: DataDirLock = await lockDataDir(dataDir);
  try {
    await checkDataDir(dataDir);
    // PGlite reports damaged files at create or at its first query (WASM "Aborted()").
    const pglite = await PGlite.create(dataDir).catch((err: unknown) => {
      throw damagedDataDir(err, dataDir);
    });
    await pglite.query("SELECT 1").catch(async (err: unknown) => {
      await pglite.close().catch(() => {});
      throw damagedDataDir(err, dataDir);
    });
    return {
      db: pgliteDriver(pglite, { onClose: () => lock.release() }),
      location: dataDir,
      exclusive: true,
    };
  } catch (err) {
    await lock.release();
    if (err instanceof StoreError) throw err;
    throw new StoreError(errOpen, `${dataDir}: ${(err as Error).message}`, { cause: err });
  }
}

/** `url` with its password replaced by `***`, safe for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    if (u.searchParams.has("password")) u.searchParams.set("password", "***");
    return u.toString();
  } catch {
    return "(unparsable database URL)";
  }
}
