/**
 * Cancellation helpers of the client: a promise raced against an AbortSignal, for waits
 * whose own API takes no signal (p-limit's queue, an injected sleep, a shared salt fetch).
 */

/**
 * `p`, or a rejection with `signal.reason` as soon as the signal fires (at once when it
 * already has). `p` itself goes on; the caller must make sure it then has no effect.
 */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/** The signal that fires when either does; `undefined` stands for "never". */
export function eitherSignal(
  a: AbortSignal | undefined,
  b: AbortSignal | undefined,
): AbortSignal | undefined {
  if (!a) return b;
  if (!b) return a;
  return AbortSignal.any([a, b]);
}
