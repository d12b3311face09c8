/**
 * Small helpers the controller tables (sources.ts, queue.ts, ...) share: the SQL of "now"
 * (an injected clock or the database's) and checks of numeric arguments with a clear error.
 */
import { StoreError } from "./errors.js";

/** `param` as a timestamp when it is set (the store's clock), else the database's clock. */
export const nowSql = (param: string): string => `coalesce(${param}::timestamptz, clock_timestamp())`;

/**
 * Throws `StoreError(reason, "<name> is <value>; want a whole number from <min> to <max>")`
 * unless `value` is such a number.
 */
export function checkWhole(reason: string, name: string, value: number, min: number, max: number): void {
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new StoreError(reason, `${name} is ${value}; want a whole number from ${min} to ${max}`);
  }
}

/** Throws `StoreError(reason, "<name> is empty")` when `value` is empty. */
export function checkNonEmpty(reason: string, name: string, value: string): void {
  if (value === "") throw new StoreError(reason, `${name} is empty`);
}
