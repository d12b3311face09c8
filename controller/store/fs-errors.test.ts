import { execFile } from "node:child_process";
import { chmod, cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockDataDir } from "./data-dir-lock.js";
import {
  errStateCorrupt,
  errStateNoPermission,
  errStateNotFolder,
  errStateReadOnly,
  StoreError,
} from "./errors.js";
import { openStore } from "./index.js";

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

let scratch: string;
/** A state folder made and closed by a store, copied per case (initdb takes seconds). */
let pristine: string;
let n = 0;
async function caseDir(): Promise<string> {
  const dir = join(scratch, `case-${n++}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "omnia-fs-"));
  pristine = join(scratch, "pristine", "state");
  const store = await openStore({ dataDir: pristine, env: {} });
  await store.close();
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A copy of the pristine state folder at `<root>/.omnia/state`. */
async function madeState(root: string): Promise<string> {
  const dir = join(root, ".omnia", "state");
  await cp(pristine, dir, { recursive: true });
  return dir;
}

/**
 * Makes `dir` read-only until the returned undo runs. Root ignores modes, so as root a
 * read-only bind mount of the folder over itself; as another user, mode 0555.
 */
async function readOnly(dir: string): Promise<() => Promise<void>> {
  if (!isRoot) {
    await chmod(dir, 0o555);
    return () => chmod(dir, 0o755);
  }
  await run("mount", ["--bind", dir, dir]);
  await run("mount", ["-o", "remount,ro,bind", dir]);
  return async () => {
    await run("umount", [dir]);
  };
}

/**
 * Makes `dir` refuse new files until undone: as root the immutable flag (`chattr +i`),
 * which root respects too; as another user, mode 0555.
 */
async function unwritable(dir: string): Promise<() => Promise<void>> {
  if (!isRoot) {
    await chmod(dir, 0o555);
    return () => chmod(dir, 0o755);
  }
  await run("chattr", ["+i", dir]);
  return async () => {
    await run("chattr", ["-i", dir]);
  };
}

/** Overwrites every file under `dir` whose path contains `part` with bytes of garbage. */
async function garble(dir: string, part: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (!entry.isFile() || !path.includes(part)) continue;
    await writeFile(path, Buffer.alloc(Math.max(64, (await stat(path)).size), 0x5a));
    count++;
  }
  return count;
}

/** The StoreError `openStore` throws for `dataDir`, checked to be one plain line. */
async function openFailure(dataDir: string): Promise<StoreError> {
  const err = await openStore({ dataDir, env: {} }).then(
    async (s) => {
      await s.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  const message = (err as Error).message;
  expect(message).not.toContain("\n");
  expect(message).not.toMatch(/Aborted\(\)|ASSERTIONS|\bat .*:\d+:\d+/);
  return err as StoreError;
}

interface Case {
  name: string;
  /** Prepares the bad folder under `root`; returns the state folder and an undo. */
  make(root: string): Promise<{ dataDir: string; undo?: () => Promise<void> }>;
  want: string;
  says: string;
}

const cases: Case[] = [
  {
    name: "a file where the state folder should be",
    make: async (root) => {
      await mkdir(join(root, ".omnia"));
      await writeFile(join(root, ".omnia", "state"), "not a folder");
      return { dataDir: join(root, ".omnia", "state") };
    },
    want: errStateNotFolder,
    says: "move it away",
  },
  {
    name: "a file where .omnia should be",
    make: async (root) => {
      await writeFile(join(root, ".omnia"), "not a folder");
      return { dataDir: join(root, ".omnia", "state") };
    },
    want: errStateNotFolder,
    says: "--state-dir",
  },
  {
    name: "a read-only .omnia holding a state folder",
    make: async (root) => {
      const dataDir = await madeState(root);
      return { dataDir, undo: await readOnly(join(root, ".omnia")) };
    },
    want: isRoot ? errStateReadOnly : errStateNoPermission,
    says: "DATABASE_URL",
  },
  {
    name: "a read-only .omnia without a state folder",
    make: async (root) => {
      await mkdir(join(root, ".omnia"));
      return { dataDir: join(root, ".omnia", "state"), undo: await readOnly(join(root, ".omnia")) };
    },
    want: isRoot ? errStateReadOnly : errStateNoPermission,
    says: "--state-dir",
  },
  {
    name: "a state folder that refuses new files",
    make: async (root) => {
      const dataDir = await madeState(root);
      return { dataDir, undo: await unwritable(dataDir) };
    },
    want: errStateNoPermission,
    says: "owner or mode",
  },
  {
    name: "garbage in the control files",
    make: async (root) => {
      const dataDir = await madeState(root);
      expect(await garble(dataDir, "global")).toBeGreaterThan(0);
      return { dataDir };
    },
    want: errStateCorrupt,
    says: "move the folder away",
  },
  {
    // PGlite aborts in WASM here ("Aborted(). Build with -sASSERTIONS for more info").
    name: "garbage in the write-ahead log",
    make: async (root) => {
      const dataDir = await madeState(root);
      expect(await garble(dataDir, "pg_wal")).toBeGreaterThan(0);
      return { dataDir };
    },
    want: errStateCorrupt,
    says: "restore it from a backup",
  },
  {
    name: "garbage in every file",
    make: async (root) => {
      const dataDir = await madeState(root);
      expect(await garble(dataDir, "")).toBeGreaterThan(0);
      return { dataDir };
    },
    want: errStateCorrupt,
    says: "move the folder away",
  },
  {
    name: "a folder of something else",
    make: async (root) => {
      const dataDir = join(root, "photos");
      await mkdir(dataDir);
      await writeFile(join(dataDir, "cat.jpg"), "meow");
      return { dataDir };
    },
    want: errStateCorrupt,
    says: "no PG_VERSION",
  },
];

describe("openStore on a bad state folder", () => {
  it.each(cases)("reports $name in one line saying what to do", async ({ make, want, says }) => {
    const { dataDir, undo } = await make(await caseDir());
    try {
      const err = await openFailure(dataDir);
      expect(err.reason, err.message).toBe(want);
      expect(err.message).toContain(dataDir.split("/").slice(0, -1).join("/"));
      expect(err.message).toContain(says);
    } finally {
      await undo?.();
    }
  });

  it("gives the folder's lock back after a failed open", async () => {
    const dataDir = await madeState(await caseDir());
    await garble(dataDir, "global");
    await openFailure(dataDir);
    const lock = await lockDataDir(dataDir);
    await lock.release();
  });

  it("opens a pristine copy, so the failures above come from the damage", async () => {
    const store = await openStore({ dataDir: await madeState(await caseDir()), env: {} });
    await store.close();
  });
});
