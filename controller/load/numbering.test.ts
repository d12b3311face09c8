import fc from "fast-check";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { describe, expect, it } from "vitest";
import { numberingProblems } from "./numbering.js";
import { msg } from "./problems.js";

describe("numberingProblems: +39 against the Italian numbering plan", () => {
  it.each([
    ["+390212345600", 2, []],
    ["+390612345670", 1, []],
    ["+39061234", 1, []], // 6 national digits: the shortest geographic number
    ["+3906123456700", 2, []], // 11 national digits: the longest
    ["+390331123000", 3, []],
    ["+393471234500", 2, [msg.notGeographic("+393471234500", "mobile (3)")]],
    ["+39800123450", 1, [msg.notGeographic("+39800123450", "toll-free (80x)")]],
    ["+39803123450", 1, [msg.notGeographic("+39803123450", "toll-free (80x)")]],
    ["+39848123450", 1, [msg.notGeographic("+39848123450", "shared-cost (84x)")]],
    ["+39892123450", 1, [msg.notGeographic("+39892123450", "premium-rate (89x)")]],
    ["+39899123450", 1, [msg.notGeographic("+39899123450", "premium-rate (89x)")]],
    // Premium-rate televoting inside the 0 range (found by the property below, CI seed).
    ["+39087800000", 1, [msg.notGeographic("+39087800000", "premium-rate televoting (0878)")]],
    ["+390878123", 1, [msg.notGeographic("+390878123", "premium-rate televoting (0878)")]],
    ["+390871234567", 1, []],
    ["+39178123450", 1, [msg.notGeographic("+39178123450", "non-geographic (1)")]],
    ["+39551234560", 1, [msg.notGeographic("+39551234560", "non-geographic (5)")]],
    ["+39021234567890", 1, [msg.italianLength("+39021234567890", 12)]],
    ["+3902120", 1, [msg.italianLength("+3902120", 5)]],
  ])("%s (%d-digit block) -> %j", (number, digits, want) => {
    expect(numberingProblems(number, digits)).toEqual(want);
  });

  it("names the range and the rule in words", () => {
    expect(numberingProblems("+393471234500", 2)).toEqual([
      "+393471234500 is in the mobile (3) range of the Italian numbering plan, not a geographic number: a Number block holds geographic direct-dial numbers",
    ]);
    expect(numberingProblems("+3902120", 1)).toEqual([
      "+3902120 has 5 digits after +39; an Italian geographic number has 6 to 11 (numbering plan of AGCOM)",
    ]);
  });
});

describe("the Italian rule against libphonenumber's Italian metadata (property)", () => {
  it("accepts every +39 number libphonenumber calls fixed-line, and refuses every one it calls otherwise", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^(0[1-9]|3[0-9]|80[03]|84[08]|89[2459]|[1-9])[0-9]{4,8}$/),
        (national) => {
          const number = `+39${national}`;
          const parsed = parsePhoneNumberFromString(number);
          if (!parsed?.isValid()) return; // no opinion from the metadata
          const type = parsed.getType();
          const ours = numberingProblems(number, 1);
          if (type === "FIXED_LINE") expect(ours, number).toEqual([]);
          else if (type !== undefined) expect(ours, `${number} is ${type}`).not.toEqual([]);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("the Italian 0 range against libphonenumber, every prefix (exhaustive)", () => {
  it("agrees on each 0xxx prefix at every length from 6 to 11 digits", () => {
    const disagree: string[] = [];
    for (let p = 0; p < 1000; p++)
      for (let len = 6; len <= 11; len++)
        for (const fill of ["0", "5", "9"]) {
          const national = `0${String(p).padStart(3, "0")}${fill.repeat(12)}`.slice(0, len);
          const number = `+39${national}`;
          const parsed = parsePhoneNumberFromString(number);
          if (!parsed?.isValid() || parsed.getType() === undefined) continue;
          const fixed = parsed.getType() === "FIXED_LINE";
          if (fixed !== (numberingProblems(number, 1).length === 0))
            disagree.push(`${number} (${parsed.getType()})`);
        }
    expect(disagree).toEqual([]);
  });
});

describe("numberingProblems: other countries through libphonenumber-js (max metadata)", () => {
  it.each([
    ["+442071234000", 3, []],
    ["+4930901820", 1, []],
    ["+12025550100", 2, []],
    ["+447911123000", 3, [msg.notFixedLine("+447911123000", "mobile")]],
    ["+18005550100", 2, [msg.notFixedLine("+18005550100", "toll-free")]],
    ["+448001234560", 1, [msg.notFixedLine("+448001234560", "toll-free")]],
    ["+441632960000", 1, [msg.notInPlan("+441632960000", "44")]], // Ofcom's drama range
    ["+4412345670", 1, [msg.notInPlan("+4412345670", "44")]],
    // China: 2810000-2810009 are numbers of the plan, 2810999 is not.
    ["+862810000", 1, []],
    ["+862810000", 3, [msg.blockOutsidePlan("+862810000", 1000, "+862810999")]],
  ])("%s (%d-digit block) -> %j", (number, digits, want) => {
    expect(numberingProblems(number, digits)).toEqual(want);
  });
});
