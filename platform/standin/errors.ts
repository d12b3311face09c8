import { otherPartnerStatus } from "./decided.js";

/**
 * Failures the stand-in answers with: one shape `{code, message, requestId, details?}`
 * (the contract's ApiError). Texts are named constants so tests and clients can rely on
 * the codes; the error handler adds the request id.
 */

/** A failure with an HTTP status and a machine code, raised by the platform rules. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiFailure";
  }
}

/** 404: no such object (or not visible through this path). */
export const notFound = (what: string, id: string) =>
  new ApiFailure(404, "not_found", `${what} ${id} not found`);
/** 403: the object belongs to another partner. */
export const forbidden = (what: string) =>
  new ApiFailure(otherPartnerStatus, "forbidden", `${what} belongs to another partner`);
/** 409: the natural key is taken; `existingId` lets a client adopt. */
export const conflict = (what: string, key: string, existingId?: string) =>
  new ApiFailure(
    409,
    "conflict",
    `${what} ${key} already exists`,
    existingId ? { key, existingId } : { key },
  );
/** 409: still used by other objects. */
export const inUse = (what: string, by: string[]) =>
  new ApiFailure(409, "in_use", `${what} is still in use by ${by.join(", ")}`, { usedBy: by });
/** 409: the operation does not fit the object's current state. */
export const invalidState = (message: string) => new ApiFailure(409, "invalid_state", message);
/** 400: a value breaks a platform rule the schema cannot express. */
export const invalid = (field: string, message: string, details: Record<string, unknown> = {}) =>
  new ApiFailure(400, "validation", `${field}: ${message}`, { field, ...details });
