/**
 * The databases the store tests run on, as a table for `describe.each`: embedded PGlite
 * and the PostgreSQL server of `OMNIA_TEST_DATABASE_URL` (see postgres-global-setup.ts).
 * Each `fresh()` is an empty, isolated database, so tests never see each other's rows.
 */
import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { type Driver, pgDriver, pgliteDriver } from "../driver.js";
import { type OpenStoreOptions, openStore, type Store } from "../index.js";
import { loadMigrations, migrate } from "../migrate.js";

/** One isolated database; `open` may be called more than once on a server. */
export interface FreshDatabase {
  open(options?: Omit<OpenStoreOptions, "databaseUrl" | "dataDir" | "memory" | "pglite">): Promise<Store>;
  /** Server URL of this database (postgres target only). */
  url?: string;
  /** Closes the stores it opened and drops the database. */
  dispose(): Promise<void>;
}

/** A database engine the suite runs on. */
export interface StoreTarget {
  name: "pglite" | "postgres";
  fresh(): Promise<FreshDatabase>;
}

/** The server URL the global setup provides; a clear error when it is missing. */
export function testDatabaseUrl(): string {
  const url = process.env.OMNIA_TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      "OMNIA_TEST_DATABASE_URL is not set: run the tests through vitest (its globalSetup starts a server)",
    );
  }
  return url;
}

/** A new empty database on the test server; returns its URL and how to drop it. */
export async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = testDatabaseUrl();
  const name = `omnia_test_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

// A migrated PGlite image, made once per test file: initdb in WASM takes seconds, a
// clone of the image well under one.
let pgliteImage: Promise<Blob> | undefined;
async function migratedPgliteImage(): Promise<Blob> {
  pgliteImage ??= (async () => {
    const db = await PGlite.create();
    await migrate(pgliteDriver(db), await loadMigrations());
    const image = await db.dumpDataDir("none");
    await db.close();
    return image;
  })();
  return pgliteImage;
}

// Instances whose test has ended, emptied and handed to the next test of the file.
const idlePglites: PGlite[] = [];

/** Empties every table but `schema_migrations`. */
async function emptyTables(db: PGlite): Promise<void> {
  const { rows } = await db.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'",
  );
  if (rows.length > 0) await db.exec(`TRUNCATE ${rows.map((r) => `"${r.name}"`).join(", ")}`);
}

/** PGlite: an in-memory clone of the migrated image, reused once emptied (one store per database). */
export const pgliteTarget: StoreTarget = {
  name: "pglite",
  fresh: async () => {
    const pglite = idlePglites.pop() ?? (await PGlite.create({ loadDataDir: await migratedPgliteImage() }));
    await emptyTables(pglite);
    let store: Store | undefined;
    return {
      open: async (options = {}) => {
        if (store) throw new Error("a PGlite test database serves one store");
        store = await openStore({ ...options, pglite });
        return store;
      },
      dispose: async () => {
        await store?.close();
        idlePglites.push(pglite);
      },
    };
  },
};

/** PostgreSQL: a new database on the test server; every `open` is another pool on it. */
export const postgresTarget: StoreTarget = {
  name: "postgres",
  fresh: async () => {
    const db = await createDatabase();
    const opened: Store[] = [];
    return {
      url: db.url,
      open: async (options = {}) => {
        const store = await openStore({ ...options, databaseUrl: db.url, maxConnections: 4 });
        opened.push(store);
        return store;
      },
      dispose: async () => {
        for (const s of opened) await s.close().catch(() => {});
        await db.drop();
      },
    };
  },
};

/** Both targets, for `describe.each(storeTargets)`. */
export const storeTargets: StoreTarget[] = [pgliteTarget, postgresTarget];

/** A database reached through a bare driver (no store): for migrations and table dumps. */
export interface RawDatabase {
  db: Driver;
  /** A store over the same database (migrating it to the newest version). */
  openStore(
    options?: Omit<OpenStoreOptions, "databaseUrl" | "dataDir" | "memory" | "pglite">,
  ): Promise<Store>;
  /** Closes the driver and the stores opened, and drops the database. */
  dispose(): Promise<void>;
}

/** A database engine reached through a bare driver. */
export interface DriverTarget {
  name: "pglite" | "postgres";
  open(): Promise<RawDatabase>;
}

/** Empty, unmigrated databases on both engines, for `describe.each(driverTargets)`. */
export const driverTargets: DriverTarget[] = [
  {
    name: "pglite",
    open: async () => {
      const pglite = await PGlite.create();
      const db = pgliteDriver(pglite);
      const stores: Store[] = [];
      return {
        db,
        openStore: async (options = {}) => {
          const store = await openStore({ ...options, pglite });
          stores.push(store);
          return store;
        },
        dispose: async () => {
          for (const s of stores) await s.close().catch(() => {});
          await db.close();
        },
      };
    },
  },
  {
    name: "postgres",
    open: async () => {
      const database = await createDatabase();
      const db = pgDriver(database.url);
      const stores: Store[] = [];
      return {
        db,
        openStore: async (options = {}) => {
          const store = await openStore({ ...options, databaseUrl: database.url, maxConnections: 2 });
          stores.push(store);
          return store;
        },
        dispose: async () => {
          for (const s of stores) await s.close().catch(() => {});
          await db.close();
          await database.drop();
        },
      };
    },
  },
];
