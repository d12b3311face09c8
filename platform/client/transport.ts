/**
 * HTTP to the platform: keep-alive connections (undici Agent), a fresh X-authenticate
 * header per attempt, per-request timeout, retries with exponential backoff and full
 * jitter (p-retry) honouring Retry-After, a process-wide token bucket and concurrency
 * limit per platform account, and counters. Writes carry an `Idempotency-Key` that stays
 * the same across the retries of one call, so a retried write never writes twice.
 */
import { randomUUID } from "node:crypto";
import pLimit, { type LimitFunction } from "p-limit";
import pRetry from "p-retry";
import { Agent, type Dispatcher, request } from "undici";
import { eitherSignal, raceAbort } from "./abort.js";
import { digestPassword, signRequest } from "./auth.js";
import { abortedError, clientCodes, networkError, PlatformError, parseRetryAfter } from "./errors.js";
import { defaultBurst, type RateGate, TokenBucket } from "./rate-limit.js";
import type { ClientSettings } from "./settings.js";

/** Options of the client; every field has a default. */
export interface ClientOptions {
  /** Per-attempt timeout, headers and body (ms). Default 15000. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 4. */
  maxRetries?: number;
  /** First backoff step (ms); doubles per retry, full jitter. Default 200. */
  minBackoffMs?: number;
  /** Largest backoff (ms); Retry-After may ask for more. Default 10000. */
  maxBackoffMs?: number;
  /** A Retry-After longer than this (ms) is not waited for: the error goes to the caller. Default 60000. */
  maxRetryAfterMs?: number;
  /**
   * Requests in any window of 1 s, bursts and retries included, shared by every client of
   * the same account (rate-limit.ts says how). Default 20.
   */
  requestsPerSecond?: number;
  /** Requests released at once after a quiet period; capped by `requestsPerSecond`. Default 2 (`defaultBurst`). */
  burst?: number;
  /** Requests in flight at once, shared likewise. Default 8. */
  concurrency?: number;
  /** Items per list page (1..500). Default 500. */
  pageSize?: number;
  /** Send Idempotency-Key on writes, which makes them safe to retry. Default true. */
  idempotencyKeys?: boolean;
  /** Keep-alive connection pool. Default: a pooled Agent per client. */
  dispatcher?: Dispatcher;
  /** Limiter shared by callers; default one per account (and limit settings) in the process. */
  limits?: SharedLimits;
  /** Clock for `Created` and Retry-After. Default real time. */
  clock?: () => Date;
  /** Sleep used by the retry backoff; may honour the signal (it is raced with it anyway). Default a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Random in [0,1) for jitter. Default Math.random. */
  random?: () => number;
  /** Called after every HTTP attempt that got an answer (for logs and step records). */
  onResponse?: (event: ResponseEvent) => void;
}

/** One answered attempt, as `onResponse` sees it. */
export interface ResponseEvent {
  /** `METHOD /route/{param}`. */
  route: string;
  status: number;
  /** The platform's `X-Request-Id`. */
  requestId: string | undefined;
  durationMs: number;
}

/** The limits every caller of one account shares. */
export interface SharedLimits {
  /** Any gate: a `TokenBucket`, or one lane of it (`bucket.lane("background")`). */
  bucket: RateGate;
  concurrency: LimitFunction;
}

/** Counters of a client (`client.stats()`). */
export interface ClientStats {
  /** Logical calls (one per method call, whatever the retries). */
  calls: number;
  /** HTTP attempts sent. */
  requests: number;
  retries: number;
  failures: number;
  /** Answers 429 received. */
  rateLimited: number;
  /** Time spent waiting for the local rate limit (ms). */
  throttledMs: number;
  /** Attempts by `METHOD /route/{param}`. */
  byRoute: Record<string, number>;
}

/** One call: method, path template with params, query and body. */
export interface CallSpec {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** Template under the base URL, e.g. `/rest/customers/{customerId}`. */
  path: string;
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  accept?: string;
}

/** What the sub-APIs (resources.ts) need of a transport: calls, and the page size. */
export interface CallPort {
  call<T>(spec: CallSpec): Promise<T>;
  readonly pageSize: number;
}

const sharedByAccount = new Map<string, SharedLimits>();

/** Clients with the same account and limit settings share one limiter in the process. */
export function limitsKey(
  settings: ClientSettings,
  o: Required<Pick<ClientOptions, "requestsPerSecond" | "burst" | "concurrency">>,
): string {
  return [
    settings.baseUrl,
    settings.domain,
    settings.username,
    o.requestsPerSecond,
    o.burst,
    o.concurrency,
  ].join("|");
}

/**
 * The process-wide limits of an account (created on first use with these options). The
 * bucket runs on real time: the `clock` option is the signing clock, not the limiter's.
 * Clients of one account with different limit settings get different limiters: give
 * them the same settings (or one `limits`) to keep the account under its limit.
 */
export function sharedLimits(
  key: string,
  options: Required<Pick<ClientOptions, "requestsPerSecond" | "burst" | "concurrency">>,
): SharedLimits {
  let limits = sharedByAccount.get(key);
  if (!limits) {
    limits = {
      bucket: new TokenBucket({ requestsPerSecond: options.requestsPerSecond, burst: options.burst }),
      concurrency: pLimit(options.concurrency),
    };
    sharedByAccount.set(key, limits);
  }
  return limits;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends calls to one platform account. */
export class Transport {
  private readonly o: Required<Omit<ClientOptions, "dispatcher" | "limits" | "onResponse">>;
  private readonly onResponse: ClientOptions["onResponse"];
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly limits: SharedLimits;
  private passwordDigest: Promise<string> | undefined;
  readonly counters: ClientStats = {
    calls: 0,
    requests: 0,
    retries: 0,
    failures: 0,
    rateLimited: 0,
    throttledMs: 0,
    byRoute: {},
  };

  constructor(
    private readonly settings: ClientSettings,
    options: ClientOptions = {},
  ) {
    this.o = {
      timeoutMs: 15_000,
      maxRetries: 4,
      minBackoffMs: 200,
      maxBackoffMs: 10_000,
      maxRetryAfterMs: 60_000,
      requestsPerSecond: 20,
      burst: defaultBurst,
      concurrency: 8,
      pageSize: 500,
      idempotencyKeys: true,
      clock: () => new Date(),
      sleep: defaultSleep,
      random: Math.random,
      ...stripUndefined(options),
    } as Required<Omit<ClientOptions, "dispatcher" | "limits" | "onResponse">>;
    this.onResponse = options.onResponse;
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connections: this.o.concurrency * 2 });
    this.limits = options.limits ?? sharedLimits(limitsKey(settings, this.o), this.o);
  }

  /** Items per list page. */
  get pageSize(): number {
    return this.o.pageSize;
  }

  /**
   * Performs one logical call with retries; returns the parsed JSON (or text for CSV).
   * When `signal` fires, the call stops wherever it is (queued for a concurrency slot or
   * the rate limit, in flight, in a backoff sleep), sends nothing more and throws a
   * PlatformError `aborted` (status 0, not retryable, the signal's reason as cause).
   */
  async call<T>(spec: CallSpec, signal?: AbortSignal): Promise<T> {
    const route = `${spec.method} ${spec.path}`;
    const write = spec.method !== "GET";
    const idempotencyKey = write && this.o.idempotencyKeys ? randomUUID() : undefined;
    this.counters.calls++;
    try {
      if (signal?.aborted) throw signal.reason;
      return await pRetry(() => this.attempt<T>(spec, route, idempotencyKey, signal), {
        retries: this.o.maxRetries,
        // The delay is ours (Retry-After, jitter, injectable sleep): p-retry's own is zero.
        minTimeout: 0,
        maxTimeout: 0,
        signal,
        shouldRetry: ({ error }) => this.worthRetrying(error, write, idempotencyKey),
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft === 0 || !this.worthRetrying(error, write, idempotencyKey)) return;
          this.counters.retries++;
          const ms = this.backoffMs(attemptNumber, (error as PlatformError).retryAfterMs);
          await raceAbort(this.o.sleep(ms, signal), signal);
        },
      });
    } catch (err) {
      this.counters.failures++;
      // Whatever was interrupted (a wait, the request, the body), the caller asked for it.
      if (signal?.aborted) throw abortedError(route, signal.reason);
      throw err;
    }
  }

  /** This transport with every call bound to `signal` (same limits, counters, pool). */
  bound(signal: AbortSignal): CallPort {
    return {
      call: <T>(spec: CallSpec) => this.call<T>(spec, signal),
      pageSize: this.pageSize,
    };
  }

  /**
   * Whether to try again: a retryable error; for a write, only when it carries an
   * Idempotency-Key or surely never reached the server; never past `maxRetryAfterMs`.
   */
  private worthRetrying(error: unknown, write: boolean, idempotencyKey: string | undefined): boolean {
    if (!(error instanceof PlatformError) || !error.retryable) return false;
    if ((error.retryAfterMs ?? 0) > this.o.maxRetryAfterMs) return false;
    return !write || idempotencyKey !== undefined || error.notSent;
  }

  /** Delay before retry `attempt` (1-based): Retry-After when given, else full jitter. */
  backoffMs(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return retryAfterMs;
    const cap = Math.min(this.o.maxBackoffMs, this.o.minBackoffMs * 2 ** (attempt - 1));
    return Math.round(this.o.random() * cap);
  }

  /**
   * One attempt: a concurrency slot first, then the rate limit, then the request at once.
   * In that order the moment the bucket releases is the moment the request leaves; the
   * other way round, requests released while the slots were busy would leave together
   * when slots free up, above the rate.
   */
  private attempt<T>(
    spec: CallSpec,
    route: string,
    idempotencyKey: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    // p-limit's queue takes no signal: race it; a slot reached after the abort sends nothing.
    return raceAbort(
      this.limits.concurrency(async () => {
        signal?.throwIfAborted();
        const digest = await raceAbort(this.digest(), signal);
        this.counters.throttledMs += await this.limits.bucket.take(signal);
        return this.send<T>(spec, route, idempotencyKey, digest, signal);
      }),
      signal,
    );
  }

  private async send<T>(
    spec: CallSpec,
    route: string,
    idempotencyKey: string | undefined,
    digest: string,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const headers: Record<string, string> = {
      accept: spec.accept ?? "application/json",
      // Fresh nonce and Created on every attempt: nonces are single-use.
      "x-authenticate": signRequest(this.settings.username, this.settings.domain, digest, this.o.clock()),
    };
    if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
    let body: string | undefined;
    if (spec.body !== undefined) {
      body = JSON.stringify(spec.body);
      headers["content-type"] = "application/json";
    }
    this.counters.requests++;
    this.counters.byRoute[route] = (this.counters.byRoute[route] ?? 0) + 1;
    let status: number;
    let text: string;
    let responseHeaders: Record<string, string | string[] | undefined>;
    const started = performance.now();
    try {
      const res = await request(this.url(spec), {
        method: spec.method,
        headers,
        body,
        dispatcher: this.dispatcher,
        // Covers the body too: undici aborts the read when the signal fires.
        signal: eitherSignal(AbortSignal.timeout(this.o.timeoutMs), signal),
      });
      status = res.statusCode;
      responseHeaders = res.headers;
      text = await res.body.text();
    } catch (err) {
      throw networkError(route, err);
    }
    const requestId = headerValue(responseHeaders["x-request-id"]);
    this.onResponse?.({ route, status, requestId, durationMs: performance.now() - started });
    if (status >= 200 && status < 300) {
      if (status === 204 || text === "") return undefined as T;
      if (!String(responseHeaders["content-type"] ?? "").includes("json")) return text as T;
      try {
        return JSON.parse(text) as T;
      } catch (err) {
        throw new PlatformError({
          message: "response is not JSON",
          status,
          code: clientCodes.badResponse,
          route,
          cause: err,
        });
      }
    }
    if (status === 429) this.counters.rateLimited++;
    throw this.failure(route, status, text, responseHeaders);
  }

  private failure(
    route: string,
    status: number,
    text: string,
    headers: Record<string, string | string[] | undefined>,
  ): PlatformError {
    let parsed: { code?: string; message?: string; requestId?: string; details?: Record<string, unknown> } =
      {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // A non-JSON error body (a proxy's page): keep the status alone.
    }
    return new PlatformError({
      message: parsed.message ?? `HTTP ${status}`,
      status,
      code: parsed.code ?? `http_${status}`,
      route,
      requestId: parsed.requestId ?? headerValue(headers["x-request-id"]),
      details: parsed.details,
      retryAfterMs: parseRetryAfter(headers["retry-after"], this.o.clock().getTime()),
    });
  }

  private url(spec: CallSpec): string {
    const path = spec.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
      encodeURIComponent(spec.params?.[name] ?? ""),
    );
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) query.set(k, String(v));
    const qs = query.toString();
    return `${this.settings.baseUrl}${path}${qs ? `?${qs}` : ""}`;
  }

  /** The password digest, from the domain's salt (fetched once, unauthenticated, under the rate limit). */
  private digest(): Promise<string> {
    this.passwordDigest ??= (async () => {
      const route = "GET /rest/salt/{domain}";
      this.counters.throttledMs += await this.limits.bucket.take();
      try {
        const res = await request(
          `${this.settings.baseUrl}/rest/salt/${encodeURIComponent(this.settings.domain)}`,
          {
            dispatcher: this.dispatcher,
            signal: AbortSignal.timeout(this.o.timeoutMs),
            headers: { accept: "application/json" },
          },
        );
        const text = await res.body.text();
        if (res.statusCode !== 200) throw this.failure(route, res.statusCode, text, res.headers);
        return digestPassword(this.settings.password, (JSON.parse(text) as { salt: string }).salt);
      } catch (err) {
        throw err instanceof PlatformError ? err : networkError(route, err);
      }
    })();
    this.passwordDigest.catch(() => {
      this.passwordDigest = undefined;
    });
    return this.passwordDigest;
  }

  /** Closes the connection pool (when the client created it). */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}

const headerValue = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
