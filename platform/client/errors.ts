/**
 * `PlatformError`: every failure of a platform call, classified. `retryable` says
 * whether trying again may help (5xx, 429, timeouts, resets); the engine maps a
 * non-retryable one to a TerminalError (style.md §2). Messages never carry secrets.
 */

/** Machine codes the client itself produces (the server's are in the contract). */
export const clientCodes = {
  network: "network",
  timeout: "timeout",
  badResponse: "bad_response",
  /** The caller's AbortSignal fired (`client.withSignal`); never retried. */
  aborted: "aborted",
} as const;

/** HTTP statuses worth retrying. */
export const retryableStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** A failed platform call. */
export class PlatformError extends Error {
  /** HTTP status; 0 when no response arrived (network, timeout). */
  readonly status: number;
  /** Machine code: the server's (`conflict`, `not_found`, ...) or the client's (`network`, `timeout`). */
  readonly code: string;
  /** The platform's request id, when it answered. */
  readonly requestId: string | undefined;
  /** Whether a retry may succeed. */
  readonly retryable: boolean;
  /** The server's `details` (e.g. `existingId` of a conflict). */
  readonly details: Record<string, unknown> | undefined;
  /** `Retry-After` of a 429/503, in ms. */
  readonly retryAfterMs: number | undefined;
  /** `METHOD /route` of the call. */
  readonly route: string;

  constructor(init: {
    message: string;
    status: number;
    code: string;
    route: string;
    requestId?: string | undefined;
    retryable?: boolean;
    details?: Record<string, unknown> | undefined;
    retryAfterMs?: number | undefined;
    cause?: unknown;
  }) {
    super(`${init.route}: ${init.message}`, { cause: init.cause });
    this.name = "PlatformError";
    this.status = init.status;
    this.code = init.code;
    this.route = init.route;
    this.requestId = init.requestId;
    this.retryable = init.retryable ?? (init.status === 0 || retryableStatuses.has(init.status));
    this.details = init.details;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** True when the request surely never reached the server (safe to resend any write). */
  get notSent(): boolean {
    const code = (this.cause as { code?: string } | undefined)?.code;
    return code === "ECONNREFUSED" || this.status === 429;
  }
}

const networkCodes = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN"]);

/** Wraps a thrown transport error (no HTTP answer, or a body cut short) as a PlatformError. */
export function networkError(route: string, err: unknown): PlatformError {
  const e = err as { name?: string; code?: string; message?: string };
  const timeout =
    e.name === "TimeoutError" || e.code === "UND_ERR_HEADERS_TIMEOUT" || e.code === "UND_ERR_BODY_TIMEOUT";
  const known =
    timeout ||
    networkCodes.has(e.code ?? "") ||
    (e.code ?? "").startsWith("UND_ERR") ||
    e.name === "AbortError";
  return new PlatformError({
    message: timeout ? "request timed out" : `connection failed (${e.code ?? e.name ?? "error"})`,
    status: 0,
    code: timeout ? clientCodes.timeout : clientCodes.network,
    route,
    retryable: known || e.message === "terminated" || e.name === "SocketError",
    cause: err,
  });
}

/**
 * The `Retry-After` (ms) a failure carries: that of the first `PlatformError` along
 * `err` and its `cause` chain (the engine wraps platform errors once per layer), or
 * undefined when there is none or it gave no Retry-After (429, 503). For a scheduler
 * deciding when to try a tenant again.
 */
export function retryAfterOf(err: unknown): number | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 16 && cur instanceof Error; depth++) {
    if (cur instanceof PlatformError) return cur.retryAfterMs;
    cur = cur.cause;
  }
  return undefined;
}

/** Error text of a call stopped by the caller's signal. */
export const errAborted = "call aborted";

/** The error of a call whose signal fired: status 0, code `aborted`, not retryable, the reason as cause. */
export function abortedError(route: string, reason: unknown): PlatformError {
  return new PlatformError({
    message: errAborted,
    status: 0,
    code: clientCodes.aborted,
    route,
    retryable: false,
    cause: reason,
  });
}

/** Parses `Retry-After` (seconds or an HTTP date) into ms. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
