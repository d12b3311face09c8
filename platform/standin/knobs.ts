/**
 * The stand-in's fault and load knobs (settable by options, CLI flags and the admin
 * endpoint `/_standin/knobs`) and the counters it keeps for tests and benchmarks.
 */

/** A burst of injected failures: the next `count` matching requests answer `status`. */
export interface FailureBurst {
  status: number;
  count: number;
  /** Seconds for the `Retry-After` header (429/503). */
  retryAfterSec?: number;
  /** Only requests whose method matches (e.g. "POST"). */
  method?: string;
  /** Only requests whose URL contains this text. */
  urlContains?: string;
}

/** Everything that makes the stand-in slower or less reliable on purpose. */
export interface Knobs {
  /** Added to every `/rest/` request (ms). */
  latencyMs: number;
  /** Probability (0..1) per HTTP status that a request fails with it before running. */
  errorRates: Record<string, number>;
  /** Deterministic bursts, consumed in order. */
  failNext: FailureBurst[];
  /** Probability (0..1) that a response is cut mid-body (connection reset after the write). */
  resetRate: number;
  /** The next N responses are cut mid-body. */
  resetNext: number;
  /** Requests per second per partner (token bucket); null = unlimited. */
  rateLimit: { requestsPerSecond: number; burst: number } | null;
}

/** Knobs with nothing injected. */
export function defaultKnobs(): Knobs {
  return { latencyMs: 0, errorRates: {}, failNext: [], resetRate: 0, resetNext: 0, rateLimit: null };
}

/** Counters of what the stand-in served. */
export interface StandinStats {
  requests: number;
  /** By `METHOD /route/:param`. */
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  injectedFailures: number;
  resets: number;
  rateLimited: number;
  idempotentReplays: number;
}

/** Counters at zero. */
export function emptyStats(): StandinStats {
  return {
    requests: 0,
    byRoute: {},
    byStatus: {},
    injectedFailures: 0,
    resets: 0,
    rateLimited: 0,
    idempotentReplays: 0,
  };
}

/** Applies a partial knob update (from the admin endpoint or flags), in place. */
export function updateKnobs(knobs: Knobs, patch: Partial<Knobs>): Knobs {
  Object.assign(knobs, patch);
  return knobs;
}
