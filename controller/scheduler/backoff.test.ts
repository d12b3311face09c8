import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay, defaultBackoffBaseMs, defaultBackoffCapMs, jittered } from "./backoff.js";

const random = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

describe("backoffDelay", () => {
  it("stays within [atLeast, max(atLeast, min(cap, base·2^(n-1)))] for every attempt and draw", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -3, max: 2_000 }),
        fc.integer({ min: 0, max: 20 * 60_000 }),
        random,
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 60 * 60_000 }),
        (attempt, atLeast, r, baseMs, capMs) => {
          const got = backoffDelay(attempt, atLeast, () => r, { baseMs, capMs });
          const ceiling = Math.min(capMs, baseMs * 2 ** (Math.max(1, attempt) - 1));
          expect(Number.isInteger(got)).toBe(true);
          expect(got).toBeGreaterThanOrEqual(atLeast);
          expect(got).toBeLessThanOrEqual(Math.max(atLeast, ceiling));
        },
      ),
    );
  });

  it("never exceeds 15 min by default unless the outcome asks for more", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), random, (attempt, r) => {
        expect(backoffDelay(attempt, 0, () => r)).toBeLessThanOrEqual(defaultBackoffCapMs);
      }),
    );
  });

  it.each([
    // [attempt, atLeast, random, want]
    [1, 0, 0, 0],
    [1, 0, 0.999999, defaultBackoffBaseMs],
    [2, 0, 0.999999, 2 * defaultBackoffBaseMs],
    [3, 0, 0.5, Math.floor(0.5 * (4 * defaultBackoffBaseMs + 1))],
    [20, 0, 0.999999, defaultBackoffCapMs],
    [1, 60_000, 0.1, 60_000],
    [1, 20 * 60_000, 0.999999, 20 * 60_000],
    [0, 0, 0.999999, defaultBackoffBaseMs],
  ])("attempt %d, at least %d ms, random %d: %d ms", (attempt, atLeast, r, want) => {
    expect(backoffDelay(attempt, atLeast, () => r)).toBe(want);
  });

  it("spreads: the full range is reachable (full jitter, not equal jitter)", () => {
    expect(backoffDelay(5, 0, () => 0)).toBe(0);
    expect(backoffDelay(5, 0, () => 0.9999999)).toBe(16 * defaultBackoffBaseMs);
  });
});

describe("jittered", () => {
  it("stays within ±10 % of the interval", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 24 * 3_600_000 }), random, (interval, r) => {
        const got = jittered(interval, () => r);
        expect(Number.isInteger(got)).toBe(true);
        expect(got).toBeGreaterThanOrEqual(interval * 0.9);
        expect(got).toBeLessThanOrEqual(interval * 1.1);
      }),
    );
  });

  it.each([
    [60_000, 0, 54_000],
    [60_000, 0.9999999, 66_000],
    [60_000, 0.5, 60_000],
  ])("interval %d, random %d: %d", (interval, r, want) => {
    expect(jittered(interval, () => r)).toBe(want);
  });
});
