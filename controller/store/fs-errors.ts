/**
 * Filesystem failures of the embedded store at start, each as one `StoreError` line that
 * says what to do: the raw errors (an errno with a stack, PGlite's "failed to initialize
 * properly", WebAssembly's "Aborted(). Build with -sASSERTIONS") say neither what is wrong
 * nor how to fix it. `checkDataDir` runs before PGlite opens the folder, so that PGlite's
 * own failures left over mean damaged files, not a folder it may not write.
 */
import { mkdir, open, readdir, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  errStateCorrupt,
  errStateNoPermission,
  errStateNotFolder,
  errStateReadOnly,
  errStateUnusable,
  StoreError,
} from "./errors.js";

/** What to do instead, said once for every case. */
const elsewhere =
  "pass --state-dir with a folder omnia may write, or set DATABASE_URL to use a PostgreSQL server";

/**
 * The `StoreError` for a filesystem error `err` met on `path` (`what` names it for the
 * reader, e.g. "the state folder"). A `StoreError` passes unchanged.
 */
export function fsProblem(err: unknown, path: string, what: string): StoreError {
  if (err instanceof StoreError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? "";
  const opts = { cause: err };
  switch (code) {
    case "EROFS":
      return new StoreError(
        errStateReadOnly,
        `${path} (${what}) is on a read-only file system; ${elsewhere}`,
        opts,
      );
    case "EACCES":
    case "EPERM":
      return new StoreError(
        errStateNoPermission,
        `${path} (${what}): this user (uid ${process.getuid?.() ?? "?"}) may not write there (or the file is immutable: lsattr); fix its owner or mode, or ${elsewhere}`,
        opts,
      );
    case "ENOTDIR":
    case "EEXIST":
    case "EISDIR":
      return new StoreError(
        errStateNotFolder,
        `${path} (${what}): a file stands where a folder should be, or a folder where a file should; move it away, or ${elsewhere}`,
        opts,
      );
    case "ENOSPC":
    case "EDQUOT":
      return new StoreError(errStateUnusable, `${path} (${what}): the disk is full; free some space`, opts);
    default:
      return new StoreError(
        errStateUnusable,
        `${path} (${what}): ${code || (err as Error).message}; ${elsewhere}`,
        opts,
      );
  }
}

/** Makes `dataDir` (and its parents) when missing; throws `fsProblem`'s errors. */
export async function makeDataDir(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true });
    const info = await stat(dataDir);
    if (!info.isDirectory()) throw Object.assign(new Error("not a folder"), { code: "ENOTDIR" });
  } catch (err) {
    throw fsProblem(await mkdirCause(dataDir, err), dataDir, "the state folder");
  }
}

/**
 * The real error of a failed recursive mkdir: Node reports ENOENT for a parent it could
 * not make (a read-only file system, say), so make the first missing folder alone.
 */
async function mkdirCause(dir: string, err: unknown): Promise<unknown> {
  if ((err as NodeJS.ErrnoException).code !== "ENOENT") return err;
  let missing = dir;
  while (dirname(missing) !== missing && !(await exists(dirname(missing)))) missing = dirname(missing);
  return mkdir(missing).then(
    () => err,
    (cause: unknown) => cause,
  );
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Makes sure the existing folder `dataDir` is one this process can create files in, and
 * that a non-empty one looks like a PGlite data folder. Call it holding the folder's lock
 * (another omnia may be making the folder). Throws the `StoreError`s of `fsProblem`, or
 * `errStateCorrupt` for a folder of something else.
 */
export async function checkDataDir(dataDir: string): Promise<void> {
  // Creating a file is what PGlite does first; trying it here names the real cause.
  const probe = join(dataDir, `.omnia-write-check-${process.pid}`);
  try {
    await (await open(probe, "wx")).close();
  } catch (err) {
    throw fsProblem(err, dataDir, "the state folder");
  } finally {
    await rm(probe, { force: true }).catch(() => {});
  }
  const entries = (await readdir(dataDir)).filter((e) => !e.startsWith(".omnia-write-check-"));
  if (entries.length > 0 && !entries.includes("PG_VERSION")) {
    throw new StoreError(
      errStateCorrupt,
      `${dataDir} holds files but no PG_VERSION, so it is not an omnia state folder; pass --state-dir with an empty or omnia folder`,
    );
  }
}

/** The `StoreError` for PGlite failing to open (or migrate) a folder `checkDataDir` passed. */
export function damagedDataDir(err: unknown, dataDir: string): StoreError {
  if (err instanceof StoreError) return err;
  return new StoreError(
    errStateCorrupt,
    `${dataDir}: PGlite cannot open its files (${oneLine(err)}); move the folder away (keep it for support) and run again to start empty, or restore it from a backup`,
    { cause: err },
  );
}

/** The first line of an error's message, with WASM's "Aborted(). Build with ..." said plainly. */
function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = (text.split("\n")[0] ?? "").trim();
  if (/^Aborted\(/.test(line)) return "it aborted while reading them";
  return line || "unknown error";
}
