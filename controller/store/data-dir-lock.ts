/**
 * A lock file beside the embedded store's data folder. PGlite runs inside one process and
 * nothing stops a second process from opening the same files, which would corrupt them:
 * the second `omnia` instead gets a clear error naming the first one's pid.
 */
import { open, readFile, rm } from "node:fs/promises";
import { errDataDirInUse, StoreError } from "./errors.js";

/** A held lock; `release()` removes the file. */
export interface DataDirLock {
  readonly path: string;
  release(): Promise<void>;
}

/** Path of the lock file of `dataDir`. */
export function lockPathOf(dataDir: string): string {
  return `${dataDir.replace(/[\\/]+$/, "")}.lock`;
}

/**
 * Takes the lock of `dataDir` for this process. A lock file left by a process that is no
 * longer running is taken over; one held by a live process (this one included) throws
 * `StoreError(errDataDirInUse)`.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = lockPathOf(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, "wx");
      await file.writeFile(`${process.pid}\n`);
      await file.close();
      return { path, release: () => rm(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const pid = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
    if (Number.isInteger(pid) && pid > 0 && isRunning(pid)) {
      throw new StoreError(
        errDataDirInUse,
        `${dataDir} is open in process ${pid} (lock file ${path}); wait for it, or set DATABASE_URL to share a PostgreSQL server`,
      );
    }
    await rm(path, { force: true });
  }
  throw new StoreError(errDataDirInUse, `${dataDir}: another process keeps taking the lock file ${path}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
