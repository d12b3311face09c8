/**
 * The client's rate limit, shared by every caller of one platform account.
 *
 * What "N requests/s" means here: in ANY window of 1 s (half-open, `[t, t + 1000 ms)`)
 * the bucket releases at most `ceil(N)` requests (N when N is whole), the first burst and
 * every retry included. That is what a server counting N per second accepts, whether it
 * counts with a sliding window, fixed one-second windows or a token bucket of rate N and
 * burst >= `burst` (the stand-in's, plugins/faults.ts). Two rules give it:
 *
 * 1. GCRA pacing (one "theoretical arrival time", a token bucket in disguise): one
 *    release every `1000 / N` ms, up to `burst` at once after a quiet period. It keeps
 *    the flow smooth, so that network jitter between client and server stays inside the
 *    server's own burst tolerance.
 * 2. A sliding window: a release never makes `[t - 1000 ms, t]` hold more than ceil(N).
 *    Pacing alone would let `burst - 1 + N` through in the first second (the figures of
 *    issue 7: 102-104% of the limit and answers of 429); the window takes the burst out
 *    of the same second's budget instead of adding it on top.
 *
 * Callers wait in one queue, FIFO within a priority: a `background` caller (the
 * scheduler's drift checks) waits while any `normal` caller (writes) waits, so writes
 * go first and both share one budget. `setRate` changes N in flight (the scheduler divides
 * an account's budget by the live replicas); the window rule uses the new N at once. The head is released when both rules allow it at the
 * clock's present time, and the release time recorded is that present time, so the
 * window holds on the moments requests actually leave, however late a timer fires. A
 * timer may also wake early (Node starts timers on the loop's cached time): the queue
 * just re-reads the clock and sleeps again. A caller whose signal fires while it waits
 * leaves the queue and never sends. Clock and sleep are injectable for tests.
 *
 * Why not a library: p-throttle 8 (the well-kept one) has a strict sliding window but
 * reads `Date.now()` itself (no injectable clock for the property test), aborts a whole
 * throttle rather than one waiting call, and releases each window's `limit` at once
 * instead of pacing them; `limiter` and `bottleneck` count fixed windows or go unmaintained.
 */
import { setTimeout as sleepTimer } from "node:timers/promises";

/** Window over which `requestsPerSecond` is counted (ms). */
export const windowMs = 1000;

/** Error text of bad limiter options. */
export const errRateLimitOptions = "rate limit: requestsPerSecond must be > 0 and burst >= 1";

/**
 * Who goes first: `normal` (default; the client's calls, an apply's writes) before
 * `background` (drift checks), FIFO within each.
 */
export type Priority = "normal" | "background";

/** What a caller of a limiter needs: wait for a slot (resolves with the wait, ms). */
export interface RateGate {
  take(signal?: AbortSignal): Promise<number>;
}

/** Options of a bucket. */
export interface TokenBucketOptions {
  /** Requests allowed in any window of 1 s, bursts included (> 0; may be fractional). */
  requestsPerSecond: number;
  /**
   * Requests released at the same moment after a quiet period (>= 1). Values above
   * `requestsPerSecond` act as `requestsPerSecond` (the window caps them). Default 2,
   * see `defaultBurst`.
   */
  burst?: number;
  /** Clock in ms. Default Date.now. */
  now?: () => number;
  /** Sleep (ms); may honour the signal. Default a timer that does. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Default burst: 2, the smallest that keeps the full rate. With 1, every timer that fires
 * late (a busy event loop: PGlite, JSON) pushes the whole schedule back and the rate
 * sinks below N; with 2 the next release catches up. A larger burst buys nothing for
 * throughput (the window lets N through per second either way) and sends requests to the
 * server in clumps, which its own bucket or network jitter can turn into answers of 429.
 */
export const defaultBurst = 2;

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  sleepTimer(ms, undefined, signal ? { signal } : undefined);

interface Waiter {
  since: number;
  resolve: (waitedMs: number) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  priority: Priority;
}

/** Token bucket limiter; `take()` resolves when the caller may send. */
export class TokenBucket {
  private interval = 0;
  /** GCRA tolerance: how far ahead of the theoretical time a release may be (ms). */
  private tolerance = 0;
  /** Most releases in any window. */
  private perWindow = 0;
  private readonly burst: number;
  private rate = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private tat = Number.NEGATIVE_INFINITY;
  /** Release times (ms), oldest first, from `head` on: those still inside the window. */
  private readonly released: number[] = [];
  private head = 0;
  private readonly queue: Waiter[] = [];
  /** The pending timer of the queue, when one runs. */
  private timer: AbortController | undefined;
  /** Total time callers waited (ms). */
  waitedMs = 0;

  constructor(options: TokenBucketOptions) {
    const rate = options.requestsPerSecond;
    const burst = options.burst ?? defaultBurst;
    if (!(burst >= 1)) throw new RangeError(errRateLimitOptions);
    this.burst = burst;
    this.configure(rate);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** The present rate (requests/s). */
  get requestsPerSecond(): number {
    return this.rate;
  }

  /**
   * Changes the rate from now on (> 0, else RangeError `errRateLimitOptions`). Releases
   * already made stay in the window, so a lower rate holds at once.
   */
  setRate(requestsPerSecond: number): void {
    if (requestsPerSecond === this.rate) return;
    this.configure(requestsPerSecond);
    this.timer?.abort();
    this.timer = undefined;
    this.pump();
  }

  private configure(rate: number): void {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(errRateLimitOptions);
    this.rate = rate;
    this.interval = windowMs / rate;
    this.perWindow = Math.ceil(rate);
    this.tolerance = (Math.min(Math.floor(this.burst), this.perWindow) - 1) * this.interval;
  }

  /** A gate that takes from this bucket with `priority` (e.g. for a client's `limits`). */
  lane(priority: Priority): RateGate {
    return { take: (signal) => this.take(signal, priority) };
  }

  /** Callers waiting in the queue. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Waits for a slot, after every waiting caller of a higher or the same `priority` (default
   * `normal`); resolves with how long this caller waited (ms). Rejects with the
   * signal's reason when `signal` fires first: the caller has then left the queue and
   * must not send.
   */
  take(signal?: AbortSignal, priority: Priority = "normal"): Promise<number> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = { since: this.now(), resolve, reject, signal, onAbort: undefined, priority };
      if (signal) {
        waiter.onAbort = () => this.leave(waiter);
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      // A normal caller goes ahead of every background one, behind the normal ones.
      const at = priority === "normal" ? this.queue.findIndex((w) => w.priority === "background") : -1;
      if (at < 0) this.queue.push(waiter);
      else this.queue.splice(at, 0, waiter);
      this.pump();
    });
  }

  /** Releases every waiter the rules allow now, then sleeps until the next may go. */
  private pump(): void {
    if (this.timer) return;
    for (;;) {
      const head = this.queue[0];
      if (!head) return;
      const now = this.now();
      const due = this.dueAt(now);
      if (due > now) {
        const timer = new AbortController();
        this.timer = timer;
        const wake = () => {
          if (this.timer === timer) this.timer = undefined;
          this.pump();
        };
        this.sleep(due - now, timer.signal).then(wake, wake);
        return;
      }
      this.queue.shift();
      this.tat = Math.max(this.tat, now) + this.interval;
      this.record(now);
      if (head.signal && head.onAbort) head.signal.removeEventListener("abort", head.onAbort);
      const waited = now - head.since;
      this.waitedMs += waited;
      head.resolve(waited);
    }
  }

  /** Earliest time (ms) the head of the queue may leave, under both rules. */
  private dueAt(now: number): number {
    let due = this.tat - this.tolerance;
    const n = this.released.length;
    if (n - this.head >= this.perWindow) {
      const oldest = this.released[n - this.perWindow] as number;
      // Measured by difference, as a server does: `oldest` is out once `now - oldest >= windowMs`.
      if (now - oldest < windowMs) {
        const free = oldest + windowMs;
        due = Math.max(due, free > now ? free : now + 0.001);
      }
    }
    return due;
  }

  /** Notes a release; forgets those that have left the window. */
  private record(now: number): void {
    this.released.push(now);
    while (now - (this.released[this.head] as number) >= windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.released.length) {
      this.released.splice(0, this.head);
      this.head = 0;
    }
  }

  /** A waiter whose signal fired: out of the queue, rejected with the reason. */
  private leave(waiter: Waiter): void {
    const i = this.queue.indexOf(waiter);
    if (i < 0) return;
    this.queue.splice(i, 1);
    waiter.reject(waiter.signal?.reason);
    if (this.queue.length === 0) {
      this.timer?.abort();
      this.timer = undefined;
    }
  }
}
