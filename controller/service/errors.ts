/**
 * Failures the service answers with, as RFC 9457 problem details
 * (`application/problem+json`: `{type, title, status, detail, instance}`). Texts are named
 * constants so clients and tests can rely on them; the errors plugin turns a `Problem`
 * into the response and hides everything else behind a 500.
 */

/** A failure with its HTTP status; `detail` is shown to the client, so never a secret. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    /** Short machine word, the last part of `type` (e.g. `not-found`). */
    readonly code: string,
    detail: string,
    /** Extension members of the problem (RFC 9457 §3.2), e.g. `{problems: [...]}`. */
    readonly extensions?: Record<string, unknown>,
  ) {
    super(detail);
    this.name = "Problem";
  }
}

export const errNoToken = "an API token is required: Authorization: Bearer omn_...";
export const errBadToken = "the API token is unknown or revoked";
export const errScope = "the API token lacks the scope";
export const errSourceNotFound = "no such source";
export const errTenantNotFound = "no such tenant in this source";
export const errRunNotFound = "no such run";
export const errTokenNotFound = "no such token";
/** A deleted resource is still named by others of its source (a PBX its extensions use); it stays. */
export const errResourceInUse = "the resource is still used by others of its source";
/** A written resource has problems against the rest of its source (a reference, a secret); it is not kept. */
export const errResourceInvalid = "the resource does not load with the rest of its source";
export const errResourceNotFound = "no such resource";
export const errSecretNotFound = "no such stored secret";
export const errLiveNotFound = "the platform has no object of that key";
export const errLiveRead = "cannot read the live platform now";
export const errResourceConflict = "the resource is already managed by another source of this partner";
export const errSourceIdTaken = "the source id is not available";
export const errNoApiSource = "the partner has no source of type api; register one or name it with ?source=";
export const errManyApiSources = "the partner has several sources of type api; name one with ?source=";
export const errNotApiSource = "the source is not of type api; its resources come from its repository";
export const errKindUnknown = "unknown kind";
export const errDocument = "the resource document is invalid";
export const errClearSecret =
  "a secret must be a reference ({fromEnv}, {fromFile}, or {fromSecret} naming a secret stored with PUT /v1/tenants/{tenant}/secrets/{name}), never a value";
export const errLocationRefused = "this source location is not allowed through the API";
export const errSecretRefRefused = "this secret reference is not allowed through the API";
/** An API source's account names a platform URL the operator did not list. */
export const errPlatformUrlRefused = "this platform URL is not allowed through the API";
export const errWebhookNotConfigured = "the source has no webhook secret";
export const errWebhookSignature = "the webhook signature does not match";
export const errWebhookDelivery = "the webhook has no delivery id (X-GitHub-Delivery or X-Gitlab-Event-UUID)";
export const errWebhookReplay = "this webhook delivery was already received";
export const errWebhookSecret = "the webhook secret cannot be read";
export const errRateLimited = "too many requests for this token; retry later";
export const errInternal = "internal error";
export const errNotReady = "not ready";

/** 401 with `detail`. */
export const unauthorized = (detail: string) => new Problem(401, "unauthorized", detail);
/** 403: the token lacks `scope`. */
export const forbidden = (scope: string) => new Problem(403, "forbidden", `${errScope} ${scope}`);
/**
 * 404 for a thing that does not exist or belongs to another partner: the two answers are
 * the same, so a token cannot learn what other partners have.
 */
export const notFound = (detail: string) => new Problem(404, "not-found", detail);
/** 409 with `detail`. */
export const conflict = (detail: string) => new Problem(409, "conflict", detail);
/** 400 naming `where` (a JSON pointer into the request) and what is wrong there. */
export const invalid = (where: string, detail: string, extensions: Record<string, unknown> = {}) =>
  new Problem(400, "invalid", `${where}: ${detail}`, { field: where, ...extensions });
