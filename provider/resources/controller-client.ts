/**
 * A small typed HTTP client of the controller API, the only way the provider reaches the
 * platform (../shared/architecture.md: one rate limit, one lock, one step log per tenant).
 * Routes (controller/service/routes/resources.ts, and the secrets and live routes of issue
 * 11):
 *
 * - `PUT    /v1/tenants/{tenant}/resources/{Kind}/{key}?wait=true` body: the document;
 * - `GET    /v1/tenants/{tenant}/resources/{Kind}/{key}` → `{resource, status}`;
 * - `DELETE /v1/tenants/{tenant}/resources/{Kind}/{key}?wait=true` → 204;
 * - `PUT    /v1/tenants/{tenant}/secrets/{name}` body `{value}`;
 * - `GET    /v1/tenants/{tenant}/live/{Kind}/{key}` → `{kind, key, id, spec,
 *   status: {phase, facts}, owner: {source} | null}`;
 * - `GET    /v1/tenants/{tenant}/live` → `{items: [...]}`, the same objects for the tenant;
 * - `GET    /v1/tenants/{tenant}/resources` → `{items: [{key, document}]}`, the stored ones.
 *
 * Reads of live objects and stored resources (`liveObject`, `storedResource`: refresh,
 * import, data sources) go through one listing of each per tenant for the life of the client (one provider process, i.e. one
 * Terraform command's walk): Terraform refreshes every resource of a plan in one process,
 * and each single read would cost the controller an observe of the whole tenant. The
 * listing is shared by concurrent callers, kept until the client writes (PUT or DELETE)
 * to the tenant, and read again after; a controller without the list route is read one
 * object at a time.
 *
 * `{key}` is the natural key after the kind, URL-encoded. Failures are RFC 9457 problems;
 * they become a `ControllerError` whose `diagnostic()` Terraform shows. A 503 (the
 * reconcile
 * must be retried, the controller is busy) is retried a few times, honouring `Retry-After`.
 * A secret's value is sent only in the body of the secrets route and never appears in an
 * error.
 */
import pRetry from "p-retry";
import type { Diagnostic } from "../plugin/contract.js";

/** The `fetch` the client uses (undici's, or one a test injects). */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Options of `ControllerClient`; all but `url` and `token` have defaults. */
export interface ControllerClientOptions {
  /** Base URL of the controller, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** API token, `omn_...`; sent as `Authorization: Bearer`. */
  token: string;
  /** The partner's api source (`?source=` on the resource routes) when it has several. */
  source?: string | undefined;
  /** Default: undici's `fetch`, loaded on first use (start-up stays light). */
  fetch?: FetchLike | undefined;
  /** How long a read may wait for the controller's answer (ms). Default 60 000. */
  readTimeoutMs?: number;
  /** How long a write (which waits for the tenant's reconcile) may wait (ms). Default 900 000. */
  writeTimeoutMs?: number;
  /** Retries of a 503 or 429 answer. Default 3. */
  retries?: number;
  /** Wait before a retry when the answer has no `Retry-After` (ms). Default 1000. */
  retryDelayMs?: number;
  /** A `Retry-After` longer than this (ms) is not waited for: the error is returned. Default 60 000 (a rate limit's minute). */
  maxRetryAfterMs?: number;
  /** How to wait (ms); tests pass a fake. Default a timer that the signal cancels. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** An RFC 9457 problem document as the controller answers it. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  /** Extension members: `runId`, `field`, `owner`, `source`... */
  [member: string]: unknown;
}

/** The document of a resource, as stored by the controller. */
export interface ResourceDocument {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
}

/** The source that owns a key (the controller's inventory), and where its manifests are. */
export interface Owner {
  source: string;
  /** `folder /srv/acme`, `git https://...#main`, `api`. */
  location?: string;
}

/**
 * A live object (`GET /v1/tenants/{tenant}/live/{Kind}/{key}`, and `apply.live` of a PUT
 * with `?wait=true`; controller/service/live-view.ts): a secret the platform says is set
 * shows in `spec` as `{sensitive: true}`, never a value.
 */
export interface LiveObject {
  kind: string;
  /** Full natural key, `Extension/ACME001/hq/201`. */
  key: string;
  /** Platform id. */
  id: string;
  spec: Record<string, unknown>;
  /** The platform's status (`active`, `pending`, `suspended`) and facts (`meetingId`). */
  status?: { phase: string; facts?: Record<string, unknown> } | null;
  /** The source whose inventory owns the key; null when none manages it. */
  owner?: Owner | null;
}

/** `PUT ...?wait=true`'s answer: the stored resource and what the reconcile did. */
export interface PutAnswer {
  resource: { source: string; tenant: string; kind: string; key: string; document: ResourceDocument };
  apply: {
    outcome: "done" | "retry" | "terminal";
    runId: string | null;
    live: LiveObject | null;
    /** What the run's plan left undone and why (e.g. a driftMode that forbids writes). */
    notes?: string[];
  } | null;
}

/** The controller answered a problem, or could not be reached. */
export const errController = "the controller refused the request";
/** 409: another source owns the resource. */
export const errConflict = "the resource is owned by another source";
/** 422: the engine's reconcile failed for good. */
export const errReconcileFailed = "the controller could not apply the change";
/** The controller accepted the connection but did not answer in time. */
export const errNoAnswer = "the controller did not answer";
/** 503 after the retries. */
export const errReconcileRetry = "the controller could not apply the change yet; run again later";
/** 401/403. */
export const errAuth = "the controller refused the token";
/** The controller has no such route: older than the provider, or `controller_url` has a wrong path. */
export const errRouteMissing =
  "the controller does not have this API route: check controller_url, or upgrade the controller";
/** How the controller's errors plugin starts the detail of a 404 for an unknown route. */
const noRoutePrefix = "no route ";
/** No answer at all (connection refused, DNS). */
export const errUnreachable = "cannot reach the controller";

/** A failed call: the HTTP status (0 when no answer came) and the problem document. */
export class ControllerError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemDetails | undefined,
    /** `PUT /v1/tenants/ACME001/resources/Extension/...`, without the host. */
    readonly route: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${summaryOf(status)}: ${route}: ${problem?.detail ?? problem?.title ?? `HTTP ${status}`}`,
      options,
    );
    this.name = "ControllerError";
  }

  /** This error as "the controller has no such route" (status 404 kept, summary `errRouteMissing`). */
  asRouteMissing(): ControllerError {
    const err = new ControllerError(this.status, this.problem, this.route);
    err.routeMissing = true;
    return err;
  }

  /** The controller answered that it has no such route. */
  routeMissing = false;

  /** `Retry-After` of a 503, in ms, when the answer had one. */
  retryAfterMs?: number;

  /** What Terraform shows: the summary by status, the problem's title and detail, and its owner or run. */
  diagnostic(attribute?: Diagnostic["attribute"]): Diagnostic {
    const p = this.problem;
    const lines: string[] = [];
    if (p?.title || p?.detail) lines.push([p.title, p.detail].filter(Boolean).join(": "));
    if (this.status === 0 && this.cause instanceof Error) lines.push(this.cause.message);
    // A 422 of documents that do not load lists each problem in `detail` already; an older
    // controller (or a longer list) gives them as members only: show those not shown.
    for (const q of problemsOf(p)) if (!p?.detail?.includes(q)) lines.push(q);
    const owner = p?.owner as Owner | undefined;
    if (this.status === 409 && typeof owner?.source === "string")
      lines.push(`Owned by source: ${owner.source}${owner.location ? ` (${owner.location})` : ""}`);
    if (typeof p?.field === "string") lines.push(`Field: ${p.field}`);
    if (typeof p?.runId === "string") lines.push(`Controller run: ${p.runId}`);
    lines.push(`Request: ${this.route}`);
    const summary = this.routeMissing ? errRouteMissing : summaryOf(this.status);
    const d: Diagnostic = { severity: "error", summary, detail: lines.join("\n") };
    if (attribute) d.attribute = attribute;
    return d;
  }
}

/** The `problems` member of a 422: one text per problem (`place: message`), strings only. */
function problemsOf(p: ProblemDetails | undefined): string[] {
  if (!Array.isArray(p?.problems)) return [];
  return (p.problems as unknown[]).filter((q): q is string => typeof q === "string");
}

function summaryOf(status: number): string {
  if (status === 0) return errUnreachable;
  if (status === 409) return errConflict;
  if (status === 422) return errReconcileFailed;
  if (status === 503) return errReconcileRetry;
  if (status === 401 || status === 403) return errAuth;
  return errController;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  import("node:timers/promises").then(({ setTimeout }) => setTimeout(ms, undefined, { signal }));

let undiciFetch: Promise<FetchLike> | undefined;
/** undici's fetch, imported once on first use. */
const loadFetch = (): Promise<FetchLike> => {
  undiciFetch ??= import("undici").then((m) => m.fetch as unknown as FetchLike);
  return undiciFetch;
};

/** A typed client of the controller API's resource, secret and live routes. */
export class ControllerClient {
  private readonly base: string;
  private readonly o: Required<Omit<ControllerClientOptions, "source" | "fetch">> &
    Pick<ControllerClientOptions, "source" | "fetch">;

  constructor(options: ControllerClientOptions) {
    this.base = options.url.replace(/\/+$/, "");
    this.o = {
      retries: 3,
      retryDelayMs: 1000,
      maxRetryAfterMs: 60_000,
      readTimeoutMs: 60_000,
      writeTimeoutMs: 900_000,
      sleep: defaultSleep,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    } as typeof this.o;
  }

  /** Declares a resource and waits for the reconcile; throws `ControllerError`. */
  putResource(
    tenant: string,
    kind: string,
    keyAfterKind: string,
    document: ResourceDocument,
    signal?: AbortSignal,
  ): Promise<PutAnswer> {
    return this.call<PutAnswer>("PUT", this.resourcePath(tenant, kind, keyAfterKind, true), document, signal);
  }

  /** The stored resource, or undefined when the source does not declare it. */
  async getResource(
    tenant: string,
    kind: string,
    keyAfterKind: string,
    signal?: AbortSignal,
  ): Promise<{ document: ResourceDocument } | undefined> {
    const got = await this.callOrAbsent<{ resource: { document: ResourceDocument } }>(
      "GET",
      this.resourcePath(tenant, kind, keyAfterKind, false),
      signal,
    );
    return got?.resource;
  }

  /** Stops declaring a resource and waits for the reconcile; false when it was not declared. */
  async deleteResource(tenant: string, kind: string, keyAfterKind: string, signal?: AbortSignal) {
    const path = this.resourcePath(tenant, kind, keyAfterKind, true);
    return (await this.callOrAbsent<null>("DELETE", path, signal)) !== undefined;
  }

  /** Stores a secret's value under `name` (encrypted at rest by the controller). */
  async putSecret(tenant: string, name: string, value: string, signal?: AbortSignal): Promise<void> {
    const path = `/v1/tenants/${enc(tenant)}/secrets/${enc(name)}${this.query(false)}`;
    await this.call("PUT", path, { value }, signal);
  }

  /**
   * The live object of `kind`/`keyAfterKind` on the platform, or undefined when it does not
   * exist, out of the tenant's listing (see the module comment). Throws `ControllerError`.
   */
  async liveObject(
    tenant: string,
    kind: string,
    keyAfterKind: string,
    signal?: AbortSignal,
  ): Promise<LiveObject | undefined> {
    if (this.#listUnsupported) return this.getLive(tenant, kind, keyAfterKind, signal);
    try {
      const listing = this.#listed(this.#liveListings, tenant, () => this.listLive(tenant));
      return (await raceSignal(listing, signal)).get(`${kind}/${keyAfterKind}`);
    } catch (err) {
      if (!(err instanceof ControllerError && err.routeMissing)) throw err;
      this.#listUnsupported = true;
      return this.getLive(tenant, kind, keyAfterKind, signal);
    }
  }

  /**
   * The stored resource of `kind`/`keyAfterKind`, or undefined when the source does not
   * declare it, out of the tenant's listing of stored resources (`GET
   * /v1/tenants/{tenant}/resources`), kept like the live listing (module comment): a
   * refresh of 1,000 resources is one call, not 1,000 that the API's per-token rate limit
   * would refuse. Throws `ControllerError`.
   */
  async storedResource(
    tenant: string,
    kind: string,
    keyAfterKind: string,
    signal?: AbortSignal,
  ): Promise<{ document: ResourceDocument } | undefined> {
    const listing = this.#listed(this.#storedListings, tenant, async () => {
      const path = `/v1/tenants/${enc(tenant)}/resources${this.query(false)}`;
      const got = await this.call<{ items: { key: string; document: ResourceDocument }[] }>(
        "GET",
        path,
        undefined,
      );
      return got.items.map((r) => ({ key: r.key, document: r.document }));
    });
    return (await raceSignal(listing, signal)).get(`${kind}/${keyAfterKind}`);
  }

  /** The tenant's listing in `cache`, or a new one from `load`; a failed one is not kept. */
  #listed<T extends { key: string }>(
    cache: Map<string, Promise<Map<string, T>>>,
    tenant: string,
    load: () => Promise<T[]>,
  ): Promise<Map<string, T>> {
    const cached = cache.get(tenant);
    if (cached) return cached;
    const started = load().then((items) => new Map(items.map((o) => [o.key, o])));
    cache.set(tenant, started);
    started.catch(() => {
      if (cache.get(tenant) === started) cache.delete(tenant);
    });
    return started;
  }

  /** Every live object of the tenant, read now (`GET /v1/tenants/{tenant}/live`). Throws `ControllerError`. */
  async listLive(tenant: string, signal?: AbortSignal): Promise<LiveObject[]> {
    const path = `/v1/tenants/${enc(tenant)}/live${this.query(false)}`;
    try {
      return (await this.call<{ items: LiveObject[] }>("GET", path, undefined, signal)).items;
    } catch (err) {
      if (
        err instanceof ControllerError &&
        err.status === 404 &&
        err.problem?.detail?.startsWith(noRoutePrefix)
      )
        throw err.asRouteMissing();
      throw err;
    }
  }

  /** The live object on the platform, or undefined when it does not exist; one observe per call. */
  getLive(tenant: string, kind: string, keyAfterKind: string, signal?: AbortSignal) {
    return this.callOrAbsent<LiveObject>(
      "GET",
      `/v1/tenants/${enc(tenant)}/live/${enc(kind)}/${enc(keyAfterKind)}${this.query(false)}`,
      signal,
    );
  }

  /** Listings of live objects by tenant (`liveObject`); dropped at each write to the tenant. */
  readonly #liveListings = new Map<string, Promise<Map<string, LiveObject>>>();
  /** Listings of stored resources by tenant (`storedResource`); dropped at each write to the tenant. */
  readonly #storedListings = new Map<
    string,
    Promise<Map<string, { key: string; document: ResourceDocument }>>
  >();
  /** The controller has no list route: read objects one by one. */
  #listUnsupported = false;

  private resourcePath(tenant: string, kind: string, key: string, wait: boolean): string {
    return `/v1/tenants/${enc(tenant)}/resources/${enc(kind)}/${enc(key)}${this.query(wait)}`;
  }

  /** `?wait=true` and `?source=` (every route of the partner's api source takes it). */
  private query(wait: boolean): string {
    const q = new URLSearchParams();
    if (wait) q.set("wait", "true");
    if (this.o.source) q.set("source", this.o.source);
    return q.size > 0 ? `?${q}` : "";
  }

  /**
   * `call`, with a 404 answered as undefined; but a 404 for a route the controller does not
   * have (an older controller, a URL with a wrong path) is an error: read as "absent", it
   * would make Terraform plan a create of everything.
   */
  private async callOrAbsent<T>(method: string, path: string, signal?: AbortSignal): Promise<T | undefined> {
    try {
      return await this.call<T>(method, path, undefined, signal);
    } catch (err) {
      if (!(err instanceof ControllerError) || err.status !== 404) throw err;
      if (err.problem?.detail?.startsWith(noRoutePrefix)) throw err.asRouteMissing();
      return undefined;
    }
  }

  /**
   * One call with the 503 retries; the parsed JSON answer (null for 204). A write drops
   * the tenant's listing before and after it: a listing read meanwhile may predate it.
   */
  private async call<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    if (method === "GET") return this.send<T>(method, path, body, signal);
    const tenant = /^\/v1\/tenants\/([^/?]+)/.exec(path)?.[1];
    const forget = () => {
      if (tenant === undefined) return;
      this.#liveListings.delete(decodeURIComponent(tenant));
      this.#storedListings.delete(decodeURIComponent(tenant));
    };
    forget();
    try {
      return await this.send<T>(method, path, body, signal);
    } finally {
      forget();
    }
  }

  private async send<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const route = `${method} ${path.split("?")[0]}`;
    return pRetry(() => this.attempt<T>(method, path, route, body, signal), {
      retries: this.o.retries,
      // The delay is ours (Retry-After or retryDelayMs, injectable sleep): p-retry's is zero.
      minTimeout: 0,
      maxTimeout: 0,
      signal,
      shouldRetry: ({ error }) => this.retryable(error),
      onFailedAttempt: async ({ error, retriesLeft }) => {
        if (retriesLeft === 0 || !this.retryable(error)) return;
        await this.o.sleep((error as ControllerError).retryAfterMs ?? this.o.retryDelayMs, signal);
      },
    });
  }

  private retryable(error: unknown): boolean {
    return (
      error instanceof ControllerError &&
      // 503: the tenant is busy; 429: the controller's per-token limit (a large apply).
      (error.status === 503 || error.status === 429) &&
      (error.retryAfterMs ?? 0) <= this.o.maxRetryAfterMs
    );
  }

  private async attempt<T>(
    method: string,
    path: string,
    route: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const fetch = this.o.fetch ?? (await loadFetch());
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.o.token}`,
      accept: "application/json, application/problem+json",
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    // A controller that accepts the connection and never answers must not hang Terraform:
    // reads get `readTimeoutMs`, writes (which wait for a reconcile) `writeTimeoutMs`.
    const timeoutMs = method === "GET" ? this.o.readTimeoutMs : this.o.writeTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: both,
      });
      text = await res.text();
    } catch (cause) {
      if (signal?.aborted) throw cause;
      const reason = timeout.aborted ? `${errNoAnswer} in ${Math.round(timeoutMs / 1000)} s` : undefined;
      throw new ControllerError(0, reason ? { title: reason, status: 0 } : undefined, route, { cause });
    }
    if (res.ok) return (text === "" ? null : JSON.parse(text)) as T;
    let problem: ProblemDetails | undefined;
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed !== null && typeof parsed === "object") problem = parsed as ProblemDetails;
    } catch {
      // NO-OP: a proxy's HTML error page; the status says enough.
    }
    const err = new ControllerError(res.status, problem, route);
    const after = retryAfterMs(res.headers.get("retry-after"));
    if (after !== undefined) err.retryAfterMs = after;
    throw err;
  }
}

/** `promise`, or the signal's reason as soon as it fires (the promise goes on for others). */
function raceSignal<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** `Retry-After` (seconds or an HTTP date) in ms; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const enc = encodeURIComponent;
