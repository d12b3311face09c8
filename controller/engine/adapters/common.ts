/**
 * What every kind adapter shares: resolving parents to platform ids, create-or-adopt,
 * delete-if-present, and wrapping platform errors once (style.md §4): a platform error
 * that retrying cannot fix (a 4xx) becomes a `TerminalError`, anything else an
 * `EngineError` that a later run may retry.
 */
import { tenantKey } from "../../model/keys.js";
import { EngineError, TerminalError } from "../errors.js";
import type { ApplyContext, FieldDiff } from "../types.js";

export const errCreate = "cannot create";
export const errUpdate = "cannot update";
export const errDelete = "cannot delete";
export const errFind = "cannot look up";
export const errUnknownParent = "the platform id of a parent is not known";
export const errConflictNotFound = "the platform says it exists, but no object has its natural key";

/** The machine code of a platform error (`PlatformError.code`), if it is one. */
export function platformCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** True for an error retrying cannot fix: a platform error marked not retryable. */
function notRetryable(err: unknown): boolean {
  return (err as { retryable?: unknown } | null)?.retryable === false;
}

/** Wraps a platform error once: terminal when retrying cannot fix it; engine errors pass as they are. */
export function wrapError(text: string, subject: string, err: unknown): Error {
  if (err instanceof EngineError || err instanceof TerminalError) return err;
  if (notRetryable(err)) return new TerminalError(`${text}: ${subject}`, { cause: err });
  return new EngineError(text, subject, { cause: err });
}

/** Runs a platform call, wrapping its error with `wrapError`. */
export async function call<T>(text: string, subject: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw wrapError(text, subject, err);
  }
}

/** The platform id of `key`, known from the plan or created earlier in this run. */
export function idOf(ctx: ApplyContext, key: string): string {
  const id = ctx.idOf(key);
  if (!id) throw new TerminalError(`${errUnknownParent}: ${key}`);
  return id;
}

/** The platform id of a tenant's customer. */
export const customerIdOf = (ctx: ApplyContext, tenant: string): string => idOf(ctx, tenantKey(tenant));

/**
 * Creates; when the natural key already exists (409 conflict) finds the object and adopts
 * it, so a create repeated after a crash never makes a second object.
 */
export async function createOrAdopt(
  key: string,
  create: () => Promise<{ id: string }>,
  find: () => Promise<{ id: string } | undefined>,
): Promise<{ id: string; adopted: boolean }> {
  try {
    const made = await create();
    return { id: made.id, adopted: false };
  } catch (err) {
    if (platformCode(err) !== "conflict") throw wrapError(errCreate, key, err);
    // The platform names the existing object in the conflict's details: no lookup needed.
    const existingId = (err as { details?: { existingId?: unknown } }).details?.existingId;
    if (typeof existingId === "string" && existingId !== "") return { id: existingId, adopted: true };
    const found = await call(errFind, key, find);
    if (!found) throw new TerminalError(`${errConflictNotFound}: ${key}`, { cause: err });
    return { id: found.id, adopted: true };
  }
}

/** Deletes; an object already gone (404 not found) counts as deleted. */
export async function deleteIfPresent(key: string, del: () => Promise<unknown>): Promise<void> {
  await call(errDelete, key, async () => {
    try {
      await del();
    } catch (err) {
      if (platformCode(err) !== "not_found") throw err;
    }
  });
}

/** Collects an async iterable (every page of a list). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** The first item of an async iterable that matches, without reading further pages. */
export async function findFirst<T>(
  items: AsyncIterable<T>,
  match: (item: T) => boolean,
): Promise<T | undefined> {
  for await (const item of items) if (match(item)) return item;
  return undefined;
}

/** The spec field names (first path segment after `spec.`) that the diffs touch. */
export function changedFields(diffs: readonly FieldDiff[]): Set<string> {
  return new Set(diffs.map((d) => d.path.split(".")[1] ?? ""));
}

/**
 * The body of an update: for each changed field, the desired value, or null where the
 * desired spec no longer has it (the API clears a field with null).
 */
export function updateBody(
  fields: Set<string>,
  spec: Record<string, unknown>,
  updatable: readonly string[],
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of updatable) if (fields.has(f)) body[f] = spec[f] ?? null;
  return body;
}

/**
 * Applies a status change around a field update: resume before updating a suspended object,
 * suspend after updating one that is to be suspended.
 */
export async function withStatus(
  key: string,
  desired: "active" | "suspended" | undefined,
  statusChanged: boolean,
  ops: { update?: () => Promise<unknown>; suspend: () => Promise<unknown>; resume: () => Promise<unknown> },
): Promise<void> {
  const suspend = statusChanged && desired === "suspended";
  const resume = statusChanged && desired !== "suspended";
  if (resume) await call(errUpdate, key, ops.resume);
  if (ops.update) await call(errUpdate, key, ops.update);
  if (suspend) await call(errUpdate, key, ops.suspend);
}
