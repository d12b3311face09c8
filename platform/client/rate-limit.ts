/**
 * A token bucket (as GCRA: one "theoretical arrival time") shared by every caller of a
 * client: `take()` reserves the next slot synchronously, so concurrent callers queue in
 * order, and waits until it is due. Clock and sleep are injectable for tests.
 */

/** Options of a bucket. */
export interface TokenBucketOptions {
  /** Sustained rate. */
  requestsPerSecond: number;
  /** Requests allowed at once after a quiet period. */
  burst: number;
  /** Clock in ms. Default Date.now. */
  now?: () => number;
  /** Sleep. Default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

/** Token bucket limiter; `take()` resolves when the caller may send. */
export class TokenBucket {
  private readonly interval: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private tat = 0;
  /** Total time callers waited (ms). */
  waitedMs = 0;

  constructor(options: TokenBucketOptions) {
    if (!(options.requestsPerSecond > 0) || !(options.burst >= 1)) {
      throw new RangeError("rate limit: requestsPerSecond must be > 0 and burst >= 1");
    }
    this.interval = 1000 / options.requestsPerSecond;
    this.burst = options.burst;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Waits for a token; resolves with how long this caller waited (ms). */
  async take(): Promise<number> {
    const now = this.now();
    this.tat = Math.max(this.tat, now);
    const wait = this.tat - now - (this.burst - 1) * this.interval;
    this.tat += this.interval;
    if (wait <= 0) return 0;
    this.waitedMs += wait;
    await this.sleep(wait);
    return wait;
  }
}
