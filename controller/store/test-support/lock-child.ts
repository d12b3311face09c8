/**
 * A process that takes and gives back a data-folder lock when its parent says so (IPC),
 * for the lock tests' races across real processes. Messages in: `{take: dataDir}`,
 * `{release: true}`, `{exit: true}`; out: `{ready}`, `{took: boolean, error?}`, `{released}`.
 */
import { type DataDirLock, lockDataDir } from "../data-dir-lock.js";

let held: DataDirLock | undefined;

process.on("message", async (m: { take?: string; release?: boolean; exit?: boolean }) => {
  if (m.take) {
    try {
      held = await lockDataDir(m.take);
      process.send?.({ took: true });
    } catch (err) {
      process.send?.({ took: false, error: (err as Error).message });
    }
  } else if (m.release) {
    await held?.release();
    held = undefined;
    process.send?.({ released: true });
  } else if (m.exit) {
    process.disconnect();
  }
});
process.send?.({ ready: true });
