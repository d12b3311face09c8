/**
 * Delays: exponential backoff with full jitter for retries (AWS Architecture Blog,
 * "Exponential Backoff And Jitter": a delay drawn uniformly from [0, min(cap, base·2^n)],
 * which spreads the retries of many tenants failing together), and ±10 % jitter of
 * the interval timers, so that replicas and sources started together drift apart.
 */

/** First backoff ceiling (ms): the 1st retry waits up to this. */
export const defaultBackoffBaseMs = 5_000;
/** Largest backoff (ms), SERVE.md: 15 min. */
export const defaultBackoffCapMs = 15 * 60_000;
/** Interval jitter: a timer fires within ±10 % of its interval. */
export const intervalJitter = 0.1;

/** Options of `backoffDelay`. */
export interface BackoffOptions {
  /** Ceiling of the first retry (ms). Default 5 s. */
  baseMs?: number;
  /** Ceiling of any retry (ms). Default 15 min. */
  capMs?: number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry), in ms: a whole number
 * drawn by `random` (in [0, 1)) from [0, min(capMs, baseMs·2^(attempt-1))], and never
 * less than `atLeastMs` (the outcome's own delay, e.g. a Retry-After), which may exceed
 * the cap: the platform's word wins. Attempts below 1 count as 1.
 */
export function backoffDelay(
  attempt: number,
  atLeastMs: number,
  random: () => number,
  options: BackoffOptions = {},
): number {
  const base = options.baseMs ?? defaultBackoffBaseMs;
  const cap = options.capMs ?? defaultBackoffCapMs;
  const n = Math.max(1, Math.floor(attempt));
  // 2^(n-1) overflows to Infinity past ~1024; min() with the cap keeps it finite.
  const ceiling = Math.min(cap, base * 2 ** Math.min(n - 1, 1023));
  const drawn = Math.floor(clamp01(random()) * (ceiling + 1));
  return Math.max(Math.max(0, Math.ceil(atLeastMs)), Math.min(drawn, ceiling));
}

/**
 * `intervalMs` with ±`fraction` jitter (default 10 %): a whole number of ms in
 * [intervalMs·(1-fraction), intervalMs·(1+fraction)], uniform by `random`.
 */
export function jittered(intervalMs: number, random: () => number, fraction = intervalJitter): number {
  const spread = intervalMs * fraction;
  const low = Math.ceil(intervalMs - spread);
  const high = Math.floor(intervalMs + spread);
  return Math.max(0, Math.min(high, low + Math.floor(clamp01(random()) * (high - low + 1))));
}

/** A random source may return exactly 1 or garbage: keep draws in [0, 1). */
function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(Math.max(x, 0), 1 - Number.EPSILON) : 0;
}
