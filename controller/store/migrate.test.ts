import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgDriver } from "./driver.js";
import { errMigrate, errMigrations, errSchemaTooNew } from "./errors.js";
import { openStore } from "./index.js";
import { loadMigrations, type Migration, migrate } from "./migrate.js";
import { createDatabase, driverTargets } from "./test-support/targets.js";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "omnia-migrations-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A folder holding the given files. */
async function folder(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(scratch, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  for (const [file, sql] of Object.entries(files)) await writeFile(join(dir, file), sql);
  return dir;
}

describe("loadMigrations", () => {
  it("reads the shipped migrations in version order, starting at 0001_init.sql", async () => {
    const got = await loadMigrations();
    expect(got[0]?.name).toBe("0001_init.sql");
    expect(got.map((m) => m.version)).toEqual([...got.map((m) => m.version)].sort((a, b) => a - b));
  });

  it.each<{ name: string; files: Record<string, string>; want: string }>([
    {
      name: "a README only",
      files: { "README.md": "# notes" },
      want: "no migration files",
    },
    {
      name: "a file not named NNNN_name.sql",
      files: { "0001_a.sql": "", "notes.txt": "" },
      want: "notes.txt: want a name like 0002_add_index.sql",
    },
    {
      name: "two files with one version",
      files: { "0001_a.sql": "", "0001_b.sql": "" },
      want: "0001_b.sql and 0001_a.sql have the same version 1",
    },
    { name: "an empty folder", files: {}, want: "no migration files" },
  ])("rejects $name", async ({ name, files, want }) => {
    const dir = await folder(name.replaceAll(" ", "-"), files);
    const err = (await loadMigrations(dir).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(errMigrations);
    expect(err.message).toContain(want);
  });

  it("names the folder it cannot read", async () => {
    const dir = join(scratch, "missing");
    await expect(loadMigrations(dir)).rejects.toThrow(`${errMigrations}: ${dir}`);
  });
});

const good: Migration[] = [
  { version: 1, name: "0001_a.sql", sql: "CREATE TABLE a (x int); CREATE TABLE a2 (y int);" },
  { version: 2, name: "0002_b.sql", sql: "ALTER TABLE a ADD COLUMN z text;" },
];
const broken: Migration = {
  version: 3,
  name: "0003_broken.sql",
  sql: "CREATE TABLE c (x int); SELECT no_such_column FROM a;",
};

describe.each(driverTargets)("migrate on $name", (target) => {
  it("applies each migration once, in order, and nothing on a second run", async () => {
    const { db, dispose } = await target.open();
    try {
      expect(await migrate(db, good)).toEqual([1, 2]);
      expect(await migrate(db, good)).toEqual([]);
      const { rows } = await db.query<{ version: number; name: string }>(
        "SELECT version, name FROM schema_migrations ORDER BY version",
      );
      expect(rows).toEqual([
        { version: 1, name: "0001_a.sql" },
        { version: 2, name: "0002_b.sql" },
      ]);
      await db.query("INSERT INTO a (x, z) VALUES (1, 'ok')");
    } finally {
      await dispose();
    }
  });

  it("rolls a failing migration back whole, keeps the ones before it, and names it", async () => {
    const { db, dispose } = await target.open();
    try {
      const err = (await migrate(db, [...good, broken]).catch((e: unknown) => e)) as Error;
      expect(err.message).toContain(`${errMigrate}: 0003_broken.sql:`);
      const { rows } = await db.query<{ version: number }>(
        "SELECT version FROM schema_migrations ORDER BY version",
      );
      expect(rows.map((r) => r.version)).toEqual([1, 2]);
      const { rows: tables } = await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'c'");
      expect(tables).toEqual([]);
    } finally {
      await dispose();
    }
  });

  it("refuses a database migrated by a newer omnia", async () => {
    const { db, dispose } = await target.open();
    try {
      await migrate(db, good);
      await expect(migrate(db, good.slice(0, 1))).rejects.toThrow(
        `${errSchemaTooNew}: schema version 2, this omnia knows up to 1`,
      );
    } finally {
      await dispose();
    }
  });
});

describe("concurrent opens on one server", () => {
  it("migrate once", async () => {
    const database = await createDatabase();
    try {
      const stores = await Promise.all(
        Array.from({ length: 5 }, () => openStore({ databaseUrl: database.url })),
      );
      await Promise.all(stores.map((s) => s.close()));
      const db = pgDriver(database.url);
      try {
        const { rows } = await db.query<{ version: number; n: number }>(
          "SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version",
        );
        const shipped = await loadMigrations();
        expect(rows).toEqual(shipped.map((m) => ({ version: m.version, n: 1 })));
      } finally {
        await db.close();
      }
    } finally {
      await database.drop();
    }
  });
});
