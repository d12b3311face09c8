/**
 * Errors of the engine (style.md §2 and §4). A thrown `Error` from an adapter means "the
 * step failed, a later run may retry it"; a `TerminalError` means "retrying cannot fix
 * this" (a 4xx such as a validation refusal) and is recorded as terminal. Error texts are
 * named constants so tests, logs and the dashboard can recognise them; each layer wraps
 * the error below it once, keeping it as `cause`.
 */

/** The plan carries refusals (mass-delete guard, ownership clash): it must not be applied. */
export const errPlanRefused = "cannot apply a plan with refusals";
/** The state store failed to record a step or an inventory change; apply stops. */
export const errRecordStep = "cannot record the step in the state store";
/** A step was not run because an earlier store failure stopped the apply. */
export const errApplyStopped = "skipped: apply stopped after a state store failure";
/** A step was not run because the apply was stopped (shutdown, or the tenant's lease was lost). */
export const errApplyCancelled = "skipped: the apply was stopped";
/** No adapter is registered for a kind that the plan touches. */
export const errNoAdapter = "no adapter for kind";
/** An adapter call (create, update, delete) failed. */
export const errAdapterCall = "platform call failed";
/** A step was not run because a change it depends on failed. */
export const errDependencyFailed = "skipped: depends on a change that failed";
/** An update or delete lacks the live object it acts on (a malformed plan). */
export const errNoLiveObject = "the plan has no live object for this change";
/** A create, update or adopt lacks the desired resource it acts on (a malformed plan). */
export const errNoDesiredResource = "the plan has no desired resource for this change";
/** A parallelism option that is not a positive integer. */
export const errBadParallelism = "parallelism must be a positive integer";

/**
 * A failure that retrying cannot fix. Apply records it with outcome `terminal` and does
 * not retry it; dependents are skipped as for any failure.
 */
export class TerminalError extends Error {
  override readonly name = "TerminalError";
}

/** An engine error: a named text (one of the `err*` constants) plus what it is about. */
export class EngineError extends Error {
  override readonly name = "EngineError";
  constructor(
    /** One of the `err*` constants of this module. */
    readonly text: string,
    /** What it is about, e.g. a resource key; shown after the text. */
    readonly subject?: string,
    options?: { cause?: unknown },
  ) {
    super(subject ? `${text}: ${subject}` : text, options);
  }
}

/** True when an error (or any error in its `cause` chain) is a `TerminalError`. */
export function isTerminal(err: unknown): boolean {
  let cur: unknown = err;
  for (let depth = 0; cur instanceof Error && depth < 8; depth++) {
    if (cur instanceof TerminalError) return true;
    cur = cur.cause;
  }
  return false;
}

/** The platform request id an error carries (PlatformError.requestId), if any, along its causes. */
export function requestIdOf(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; cur instanceof Error && depth < 8; depth++) {
    const id = (cur as { requestId?: unknown }).requestId;
    if (typeof id === "string" && id !== "") return id;
    cur = cur.cause;
  }
  return undefined;
}

/** One-line message of an error and its causes, for step records and logs. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && depth < 8; depth++) {
    if (cur instanceof Error) {
      if (!parts.includes(cur.message)) parts.push(cur.message);
      cur = cur.cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return parts.join(": ");
}

/**
 * The facts of a platform error (platform/client `PlatformError`: HTTP status, machine
 * code, whether a retry may help, Retry-After), found along an error's causes. Read by
 * shape, so the engine does not depend on the client's classes.
 */
export interface PlatformFacts {
  /** HTTP status; 0 when no answer arrived. */
  status: number;
  code?: string;
  retryable: boolean;
  /** The platform's Retry-After, in ms. */
  retryAfterMs?: number;
}

/** The first platform error along `err`'s causes, as `PlatformFacts`. */
export function platformFacts(err: unknown): PlatformFacts | undefined {
  let cur: unknown = err;
  for (let depth = 0; cur instanceof Error && depth < 8; depth++) {
    const e = cur as Partial<PlatformFacts>;
    if (typeof e.status === "number" && typeof e.retryable === "boolean") return e as PlatformFacts;
    cur = cur.cause;
  }
  return undefined;
}

/** The Retry-After (ms) a platform error along `err`'s causes carries, if any. */
export function retryAfterOf(err: unknown): number | undefined {
  return platformFacts(err)?.retryAfterMs;
}
