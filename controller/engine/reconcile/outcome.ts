/**
 * What a reconcile call tells its caller (style.md §2, controller-runtime's Result and
 * TerminalError): `done`; `retry` after a delay (the platform is unavailable or rate
 * limits us, another run holds the tenant, the run was cancelled); or `terminal` (record
 * it and do not retry: bad manifests, refused credentials, a 4xx the platform will give
 * again, a refused plan). A scheduler acts on the status alone; people read `reason`.
 */
import type { Problem } from "../../load/index.js";
import { describeError, EngineError, isTerminal, platformFacts } from "../errors.js";

/** The manifests have problems: nothing was observed, planned or written. */
export const errLoad = "the manifests have problems";
/** The platform refused the account's credentials (401) or its rights (403). */
export const errAuth = "the platform refused the account";
/** The platform rate limited the account (429). */
export const errRateLimited = "the platform rate limited the account";
/** The platform was unavailable: a 5xx, a timeout or a dropped connection. */
export const errUnavailable = "the platform is unavailable";
/** The platform refused a request as it will refuse it again (a 4xx). */
export const errRefused = "the platform refused a request";
/**
 * The abort reason of a process that is shutting down (the controller on SIGTERM): a run
 * stopped by it ends `interrupted`, not `cancelled`, and is retried by another replica.
 */
export class ShutdownError extends Error {
  override readonly name = "ShutdownError";
}

/** How a run stopped by its signal ends: `interrupted` on a shutdown, else `cancelled`. */
export function stoppedOutcome(signal: AbortSignal | undefined): "interrupted" | "cancelled" {
  return signal?.reason instanceof ShutdownError ? "interrupted" : "cancelled";
}

/** The run was cancelled (its AbortSignal fired: shutdown, or a lost lease). */
export const errCancelled = "the run was cancelled";
/** Some steps failed with errors a later run may not hit (retryable). */
export const errStepsFailed = "some steps failed";
/** Every failed step failed for good (terminal). */
export const errStepsTerminal = "some steps failed and retrying cannot fix them";

/** Delay before a retry when nothing says how long to wait (ms). The scheduler backs off from here. */
export const defaultRetryDelayMs = 5_000;
/** Longest delay this module asks for (ms): a Retry-After or lease expiry further out is capped. */
export const maxRetryDelayMs = 10 * 60_000;

/** The manifests have problems; `problems` says where and what. */
export class LoadError extends EngineError {
  constructor(readonly problems: Problem[]) {
    super(errLoad, `${problems.length} problem(s)`);
  }
}

/** An error the engine asks to retry after `delayMs` (e.g. a lease held by a live run until then). */
export class RetryLaterError extends EngineError {
  constructor(
    text: string,
    subject: string,
    /** How long to wait before retrying (ms). */
    readonly delayMs: number,
    options?: { cause?: unknown },
  ) {
    super(text, subject, options);
  }
}

/** How a reconcile call ended, with what it produced (`result`) when it got that far. */
export type Outcome<T> =
  | { status: "done"; result: T }
  | {
      status: "retry";
      /** What went wrong, in one line (an `err*` text and its subject). */
      reason: string;
      /** Wait at least this long before the next attempt (ms). */
      delayMs: number;
      error?: unknown;
      result?: T;
    }
  | {
      status: "terminal";
      reason: string;
      /** Manifest problems, when the source was the cause. */
      problems?: Problem[];
      error?: unknown;
      result?: T;
    };

function find<E extends Error>(err: unknown, type: abstract new (...a: never[]) => E): E | undefined {
  let cur: unknown = err;
  for (let depth = 0; cur instanceof Error && depth < 8; depth++) {
    if (cur instanceof type) return cur;
    cur = cur.cause;
  }
  return undefined;
}

const capped = (ms: number) => Math.min(Math.max(0, Math.round(ms)), maxRetryDelayMs);

/**
 * Classifies a thrown error into a `retry` or `terminal` outcome (never `done`).
 * Rules, first match wins: manifest problems, terminal; an abort (signal or the client's
 * `aborted` code), retry at once; 401/403, terminal; 429, retry after its Retry-After;
 * a retryable platform error (5xx, timeout, network), retry after its Retry-After or the
 * default; another 4xx, terminal; a `TerminalError`, terminal; a `RetryLaterError`, retry
 * after its delay; anything else (store outage, bug), retry after the default.
 */
export function failureOutcome<T>(err: unknown, result?: T): Exclude<Outcome<T>, { status: "done" }> {
  const reason = describeError(err);
  const load = find(err, LoadError);
  if (load) return { status: "terminal", reason, problems: load.problems, error: err, result };
  const p = platformFacts(err);
  if (isCancellation(err)) return { status: "retry", reason, delayMs: 0, error: err, result };
  if (p) {
    if (p.status === 401 || p.status === 403)
      return { status: "terminal", reason: `${errAuth}: ${reason}`, error: err, result };
    if (p.status === 429)
      return {
        status: "retry",
        reason: `${errRateLimited}: ${reason}`,
        delayMs: capped(p.retryAfterMs ?? defaultRetryDelayMs),
        error: err,
        result,
      };
    if (p.retryable)
      return {
        status: "retry",
        reason: `${errUnavailable}: ${reason}`,
        delayMs: capped(p.retryAfterMs ?? defaultRetryDelayMs),
        error: err,
        result,
      };
    return { status: "terminal", reason: `${errRefused}: ${reason}`, error: err, result };
  }
  if (isTerminal(err)) return { status: "terminal", reason, error: err, result };
  const later = find(err, RetryLaterError);
  if (later) return { status: "retry", reason, delayMs: capped(later.delayMs), error: err, result };
  return { status: "retry", reason, delayMs: defaultRetryDelayMs, error: err, result };
}

/** True when `err` says the run was cancelled (its signal fired, or the client's call was aborted). */
export function isCancellation(err: unknown): boolean {
  return isAbort(err) || platformFacts(err)?.code === "aborted";
}

/** True for an AbortSignal's error (DOMException AbortError, or our cancellation). */
function isAbort(err: unknown): boolean {
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 8; depth++) {
    const e = cur as { name?: unknown; text?: unknown; cause?: unknown };
    if (e.name === "AbortError" || e.text === errCancelled) return true;
    cur = e.cause;
  }
  return false;
}
