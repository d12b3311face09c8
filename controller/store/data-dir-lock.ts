/**
 * The lock of the embedded store's data folder. PGlite runs inside one process and nothing
 * stops a second process from opening the same files, which would corrupt them: the second
 * `omnia` instead gets a clear error naming the first one's pid.
 *
 * The lock is an OS lock on the open lock file `<dataDir>.lock` (fs-native-extensions:
 * open-file-description locks on Linux, flock on macOS, LockFileEx on Windows), not the
 * file's existence or the pid written in it:
 * - taking it is one atomic call, so of many racing processes exactly one gets it;
 * - the kernel drops it when its holder exits or is killed, so a dead holder's lock is
 *   free at once and no pid (reused or not) is ever trusted;
 * - it belongs to one open file, so a second open in the same process is refused too;
 * - `release()` unlocks this open file only: a lock held by another can never be released.
 * The file itself is never deleted (deleting a locked file lets a third process lock a new
 * file of the same name while the second still waits on the old one); the pid in it is
 * only for the message.
 */
import { constants } from "node:fs";
import { type FileHandle, open, readFile, stat } from "node:fs/promises";
import fsx from "fs-native-extensions";
import { errDataDirInUse, StoreError } from "./errors.js";
import { fsProblem } from "./fs-errors.js";

/** A held lock; `release()` unlocks it and closes the file (idempotent). */
export interface DataDirLock {
  readonly path: string;
  release(): Promise<void>;
}

/** Path of the lock file of `dataDir`. */
export function lockPathOf(dataDir: string): string {
  return `${dataDir.replace(/[\\/]+$/, "")}.lock`;
}

// Attempts when the lock file is replaced between its open and its lock (someone deleted
// it): each attempt is two system calls, so the bound only guards against a loop.
const maxAttempts = 3;

/**
 * Takes the lock of `dataDir` for this open file. Throws `StoreError(errDataDirInUse)`
 * naming the holder's pid when another open file holds it (in this process or another),
 * and the `fs-errors.ts` errors when the lock file cannot be opened.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = lockPathOf(dataDir);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    let file: FileHandle;
    try {
      // Read-write, created if missing, never truncated before the lock is held.
      file = await open(path, constants.O_RDWR | constants.O_CREAT, 0o644);
    } catch (err) {
      throw fsProblem(err, path, "the lock file of the embedded store");
    }
    // Closing the file drops a lock taken on it: every path that does not return closes.
    let keep = false;
    try {
      if (!fsx.tryLock(file.fd)) {
        const pid = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
        const who = Number.isInteger(pid) && pid > 0 ? `process ${pid}` : "another process";
        throw new StoreError(
          errDataDirInUse,
          `${dataDir} is open in ${who} (lock file ${path}); wait for it, or set DATABASE_URL to share a PostgreSQL server`,
        );
      }
      // The lock is on the file opened; make sure the name still leads to it.
      const [opened, named] = await Promise.all([file.stat(), stat(path).catch(() => undefined)]);
      if (!named || named.ino !== opened.ino || named.dev !== opened.dev) continue;
      await file.truncate(0);
      await file.write(`${process.pid}\n`, 0);
      keep = true;
      return heldLock(path, file);
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw fsProblem(err, path, "the lock file of the embedded store");
    } finally {
      if (!keep) await file.close().catch(() => {});
    }
  }
  throw new StoreError(errDataDirInUse, `${dataDir}: the lock file ${path} keeps being replaced`);
}

function heldLock(path: string, file: FileHandle): DataDirLock {
  let released: Promise<void> | undefined;
  return {
    path,
    release: () => {
      released ??= (async () => {
        // Unlocking our own open file cannot touch a lock another file holds.
        fsx.unlock(file.fd);
        await file.close();
      })();
      return released;
    },
  };
}
