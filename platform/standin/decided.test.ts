import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  blockLastNumber,
  blockRange,
  blocksOverlap,
  meetingIdLength,
  newMeetingId,
  numberingScope,
} from "./decided.js";

describe("number blocks", () => {
  it.each([
    ["+390212345600", 2, "+390212345699"],
    ["+390212345000", 3, "+390212345999"],
    ["+390212345670", 1, "+390212345679"],
  ])("block %s of %d digits ends at %s", (number, digits, last) => {
    expect(blockLastNumber(number, digits)).toBe(last);
  });

  it("refuses a block whose last digits are not 0", () => {
    expect(blockRange("+390212345610", 2)).toBe(
      "a 2-digit block must start at a number whose last 2 digits are 0",
    );
  });

  it("says two blocks overlap exactly when they share a number", () => {
    // Small blocks inside one 10,000-number range, checked against the sets of numbers.
    const block = fc
      .record({ start: fc.integer({ min: 0, max: 9_999 }), digits: fc.constantFrom(1, 2, 3) })
      .map(({ start, digits }) => {
        const size = 10 ** digits;
        const first = Math.floor(start / size) * size;
        return { number: `+3902123${String(first).padStart(4, "0")}`, digits, first, last: first + size - 1 };
      });
    fc.assert(
      fc.property(block, block, (a, b) => {
        const ra = blockRange(a.number, a.digits);
        const rb = blockRange(b.number, b.digits);
        if (typeof ra === "string" || typeof rb === "string") return false;
        const shared = Math.max(a.first, b.first) <= Math.min(a.last, b.last);
        return blocksOverlap(ra, rb) === shared;
      }),
    );
  });
});

describe("meeting ids and numbering scopes", () => {
  it("makes 42-character alphanumeric Meeting IDs, different each time", () => {
    const a = newMeetingId();
    expect(a).toMatch(new RegExp(`^[A-Za-z0-9]{${meetingIdLength}}$`));
    expect(newMeetingId()).not.toBe(a);
  });

  it.each([
    [{ id: "pbx_1", kind: "single" }, "pbx:pbx_1"],
    [{ id: "pbx_2", kind: "shared", group: "lago" }, "pbx:pbx_2"],
    [{ id: "pbx_3", kind: "group", group: "lago" }, "group:lago"],
  ])("numbers extensions of %j within %s", (pbx, scope) => {
    expect(numberingScope(pbx)).toBe(scope);
  });
});
