/**
 * Concurrent calls for the same key share one call in flight (Go's `singleflight`): a
 * Terraform refresh asks the controller for hundreds of objects of one tenant at once, and
 * each answer comes out of the same observe of the platform. Nothing is kept once the
 * shared call settles: the next caller starts a new one, so an answer is never older than
 * the request that received it.
 *
 * Cancelling: each caller may pass its own signal; its promise rejects with that signal's
 * reason when it fires, but the shared call goes on for the others. The shared call's own
 * signal fires only when every caller waiting for it has gone.
 */

/** The work of one key: gets a signal that fires when no caller waits any more. */
export type Flight<V> = (signal: AbortSignal) => Promise<V>;

interface InFlight<V> {
  promise: Promise<V>;
  abort: AbortController;
  waiting: number;
}

/** Calls in flight by key; see the module comment. */
export class SingleFlight<K, V> {
  readonly #inFlight = new Map<K, InFlight<V>>();

  /** Keys with a call in flight now (tests, metrics). */
  get size(): number {
    return this.#inFlight.size;
  }

  /**
   * The answer of `work` for `key`: joins the call in flight for `key`, or starts one.
   * Rejects with what `work` rejects with, or with `signal`'s reason when it fires first.
   */
  do(key: K, work: Flight<V>, signal?: AbortSignal): Promise<V> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    let flight = this.#inFlight.get(key);
    if (!flight) {
      const abort = new AbortController();
      const started: InFlight<V> = { promise: Promise.resolve(undefined as V), abort, waiting: 0 };
      // Removed as soon as it settles, before any caller sees the answer: a caller that
      // arrives later starts a fresh call.
      started.promise = (async () => {
        try {
          return await work(abort.signal);
        } finally {
          if (this.#inFlight.get(key) === started) this.#inFlight.delete(key);
        }
      })();
      // Every caller may have left before it settles: its failure is then nobody's.
      started.promise.catch(() => undefined);
      this.#inFlight.set(key, started);
      flight = started;
    }
    return this.#wait(key, flight, signal);
  }

  async #wait(key: K, flight: InFlight<V>, signal?: AbortSignal): Promise<V> {
    flight.waiting++;
    if (!signal) return flight.promise;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        flight.waiting--;
        // The last caller left: nobody wants the answer; stop the work and forget it.
        if (flight.waiting === 0) {
          if (this.#inFlight.get(key) === flight) this.#inFlight.delete(key);
          flight.abort.abort(signal.reason);
        }
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([flight.promise, aborted]);
    } finally {
      if (onAbort) signal.removeEventListener("abort", onAbort);
    }
  }
}
