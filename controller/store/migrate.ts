/**
 * Schema migrations: plain numbered SQL files in `migrations/` (`0001_init.sql`, ...),
 * applied in order at open, each in its own transaction together with its row in
 * `schema_migrations`. On a shared server the whole check-and-apply runs under an
 * advisory lock, so two processes opening at once apply each migration exactly once.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Driver } from "./driver.js";
import { errMigrate, errMigrations, errSchemaTooNew, StoreError } from "./errors.js";

/** One migration file. */
export interface Migration {
  version: number;
  /** File name, e.g. `0001_init.sql`. */
  name: string;
  sql: string;
}

/**
 * Where the migrations live: beside this module, in source and in `dist/` alike
 * (`npm run build` copies the folder).
 */
export const defaultMigrationsDir = fileURLToPath(new URL("./migrations/", import.meta.url));

/** Advisory lock key of migrations ("omni" in ASCII); any fixed number works. */
export const migrationLockKey = 0x6f6d6e69;

const fileName = /^(\d{4})_[a-z0-9_]+\.sql$/;

/** Reads the migrations of `dir` in version order; rejects stray files and duplicate versions. */
export async function loadMigrations(dir: string = defaultMigrationsDir): Promise<Migration[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new StoreError(errMigrations, `${dir}: ${(err as Error).message}`, { cause: err });
  }
  const migrations: Migration[] = [];
  for (const name of names.sort()) {
    if (name === "README.md") continue;
    const match = fileName.exec(name);
    if (!match) {
      throw new StoreError(errMigrations, `${join(dir, name)}: want a name like 0002_add_index.sql`);
    }
    const version = Number(match[1]);
    const previous = migrations.at(-1);
    if (previous?.version === version) {
      throw new StoreError(errMigrations, `${name} and ${previous.name} have the same version ${version}`);
    }
    migrations.push({ version, name, sql: await readFile(join(dir, name), "utf8") });
  }
  if (migrations.length === 0) throw new StoreError(errMigrations, `${dir}: no migration files`);
  return migrations;
}

/** Applies the migrations `db` lacks, in order; returns the versions it applied. */
export async function migrate(db: Driver, migrations: readonly Migration[]): Promise<number[]> {
  return db.exclusive(migrationLockKey, async (locked) => {
    await locked.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
    const { rows } = await locked.query<{ version: number }>("SELECT version FROM schema_migrations");
    const done = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...done);
    const known = migrations.at(-1)?.version ?? 0;
    if (newest > known) {
      throw new StoreError(errSchemaTooNew, `schema version ${newest}, this omnia knows up to ${known}`);
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      try {
        await locked.transaction(async (tx) => {
          await tx.exec(m.sql);
          await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
            m.version,
            m.name,
          ]);
        });
      } catch (err) {
        throw new StoreError(errMigrate, `${m.name}: ${(err as Error).message}`, { cause: err });
      }
      applied.push(m.version);
    }
    return applied;
  });
}
