/**
 * The one seam between the store's SQL and the database that runs it: a `Driver` runs a
 * parameterised query, a multi-statement script, or a function inside a transaction.
 * `pgDriver` speaks to a PostgreSQL server through a `pg` pool; `pgliteDriver` to an
 * embedded PGlite (Postgres in WASM). The store writes its SQL once, for both.
 */
import type { PGlite, Transaction } from "@electric-sql/pglite";
import pg from "pg";
import { errQuery, StoreError } from "./errors.js";

/** Rows of a query, as plain objects keyed by column name. */
export interface QueryResult<R> {
  rows: R[];
}

/** Runs SQL. Implementations: `pgDriver`, `pgliteDriver`, and the transaction views of both. */
export interface Queryable {
  /** One statement with `$1..$n` parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** A script of several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** A database the store can use. */
export interface Driver extends Queryable {
  /** Which engine runs the SQL, for messages and `Store.describe()`. */
  readonly kind: "postgres" | "pglite";
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` while holding the cross-process advisory lock `lockKey` (pg: a session lock
   * on one connection; PGlite: one process owns the data, so no lock is needed).
   */
  exclusive<T>(lockKey: number, fn: (db: Driver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Options of `pgDriver`. */
export interface PgDriverOptions {
  /** Largest number of pooled connections. Default 10. */
  maxConnections?: number;
  /** Name shown in pg_stat_activity. Default "omnia". */
  applicationName?: string;
}

/** A driver over a `pg` pool connected to `connectionString`. */
export function pgDriver(connectionString: string, options: PgDriverOptions = {}): Driver {
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? "omnia",
  });
  // An idle client that loses its server emits here; without a listener the process dies.
  pool.on("error", () => {});
  return pgPoolDriver(pool);
}

function pgPoolDriver(pool: pg.Pool): Driver {
  const driver: Driver = {
    kind: "postgres",
    query: (sql, params) => pgQuery(pool, sql, params),
    exec: async (sql) => {
      await pool.query(sql);
    },
    transaction: async (fn) => {
      const client = await pool.connect();
      const session = { broken: undefined as Error | undefined };
      try {
        return await inPgTransaction(client, fn, session);
      } finally {
        client.release(session.broken);
      }
    },
    exclusive: async (lockKey, fn) => {
      const client = await pool.connect();
      // A connection whose unlock failed is destroyed, not pooled: that drops its lock.
      let broken: Error | undefined;
      try {
        await client.query("SELECT pg_advisory_lock($1)", [lockKey]);
        try {
          return await fn(pgClientDriver(client));
        } finally {
          await client.query("SELECT pg_advisory_unlock($1)", [lockKey]).catch((err: Error) => {
            broken = err;
          });
        }
      } finally {
        client.release(broken);
      }
    },
    close: async () => {
      if (!pool.ended) await pool.end();
    },
  };
  return driver;
}

/** A driver bound to one checked-out client (inside `exclusive`). */
function pgClientDriver(client: pg.PoolClient): Driver {
  return {
    kind: "postgres",
    query: (sql, params) => pgQuery(client, sql, params),
    exec: async (sql) => {
      await client.query(sql);
    },
    transaction: (fn) => inPgTransaction(client, fn),
    exclusive: (_lockKey, fn) => fn(pgClientDriver(client)),
    close: async () => {},
  };
}

async function pgQuery<R>(
  target: pg.Pool | pg.PoolClient,
  sql: string,
  params?: readonly unknown[],
): Promise<QueryResult<R>> {
  const result = await target.query(sql, params ? [...params] : undefined);
  return { rows: result.rows as R[] };
}

/** Runs `fn` in BEGIN/COMMIT on `client`; a failed ROLLBACK marks the session broken. */
async function inPgTransaction<T>(
  client: pg.PoolClient,
  fn: (tx: Queryable) => Promise<T>,
  session: { broken?: Error | undefined } = {},
): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await fn({
      query: (sql, params) => pgQuery(client, sql, params),
      exec: async (sql) => {
        await client.query(sql);
      },
    });
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch((rollbackErr: Error) => {
      session.broken = rollbackErr;
    });
    throw err;
  }
}

/** Options of `pgliteDriver`. */
export interface PgliteDriverOptions {
  /** Close the instance with the driver. Default true; false when the caller owns it. */
  owned?: boolean;
  /** Called after close (releases the data folder's lock). */
  onClose?: () => Promise<void>;
}

/** A driver over an open PGlite instance. */
export function pgliteDriver(db: PGlite, options: PgliteDriverOptions = {}): Driver {
  let closed = false;
  const open = () => {
    if (closed) throw new Error("the store is closed");
  };
  const view = (q: PGlite | Transaction): Queryable => ({
    query: async <R>(sql: string, params?: readonly unknown[]) => {
      open();
      const result = await q.query<R>(sql, params ? [...params] : undefined);
      return { rows: result.rows };
    },
    exec: async (sql) => {
      open();
      await q.exec(sql);
    },
  });
  const driver: Driver = {
    kind: "pglite",
    ...view(db),
    transaction: async (fn) => {
      open();
      return db.transaction((tx) => fn(view(tx)));
    },
    // NO-OP lock: PGlite runs inside this process and serialises every query itself.
    exclusive: (_lockKey, fn) => fn(driver),
    close: async () => {
      if (closed) return;
      closed = true;
      if ((options.owned ?? true) && !db.closed) await db.close();
      await options.onClose?.();
    },
  };
  return driver;
}

/** What PostgreSQL's `text` and `jsonb` cannot hold: NUL, and a UTF-16 surrogate without its pair. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what PostgreSQL cannot store.
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A value as PostgreSQL can store it. Neither `text` nor `jsonb` holds a NUL character
 * (U+0000), and a lone UTF-16 surrogate is refused by `jsonb` (22P02) and turned into
 * U+FFFD by `text`; each becomes its six visible characters (`\u0000`, `\ud800`), so
 * the stored value says what the platform sent. Live values come from the platform and
 * may hold either (issue 8: one NUL in a live name failed `omnia drift` on both databases).
 */
export function storableText(text: string): string {
  return text.replace(unstorable, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** `JSON.stringify(value)` with every string made storable (`storableText`). */
export function storableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "string" ? storableText(v) : v));
}

/**
 * `db` with every database failure wrapped once as `StoreError(errQuery)` (style.md §4);
 * a `StoreError` thrown inside a transaction passes unchanged.
 */
export function guardDriver(db: Driver): Driver {
  const wrap = (err: unknown): never => {
    if (err instanceof StoreError) throw err;
    throw new StoreError(errQuery, (err as Error).message, { cause: err });
  };
  const guardView = (q: Queryable): Queryable => ({
    query: <R>(sql: string, params?: readonly unknown[]) =>
      q
        .query<R>(
          sql,
          params?.map((v) => (typeof v === "string" ? storableText(v) : v)),
        )
        .catch(wrap),
    exec: (sql) => q.exec(sql).catch(wrap),
  });
  return {
    kind: db.kind,
    ...guardView(db),
    transaction: (fn) => db.transaction((tx) => fn(guardView(tx))).catch(wrap),
    exclusive: (lockKey, fn) => db.exclusive(lockKey, (locked) => fn(guardDriver(locked))).catch(wrap),
    close: () => db.close(),
  };
}
