/**
 * Types of the part of fs-native-extensions (which ships none) that data-dir-lock.ts uses.
 * Source: the package's README and index.js, version 1.5.
 */
declare module "fs-native-extensions" {
  /** Takes an exclusive (or `shared`) lock on the open file `fd` without waiting; false when another open file holds it. */
  export function tryLock(fd: number, options?: { shared?: boolean }): boolean;
  /** Drops the lock of the open file `fd`. */
  export function unlock(fd: number): void;
  const fsx: { tryLock: typeof tryLock; unlock: typeof unlock };
  export default fsx;
}
