import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  fiscalCodeBirth,
  fiscalCodeCheckChar,
  fiscalCodeProblem,
  isItalianFiscalCode,
  isItalianVatNumber,
  normaliseFiscalCode,
  vatCheckDigit,
  vatNumberProblem,
} from "./formats.js";

/** A person's code with its right check character, from its first 15 characters. */
const withCheck = (first15: string) => first15 + fiscalCodeCheckChar(first15);
/** A VAT number with its right check digit, from its first 10 digits. */
const withDigit = (first10: string) => first10 + vatCheckDigit(first10);

// An independent implementation of the check character, written from the decree's tables
// (DM 23/12/1976, allegato: "caratteri dispari" / "caratteri pari") as lookups by
// character, not by index as formats.ts computes them.
const ODD: Record<string, number> = {};
const oddTable = "1 0 5 7 9 13 15 17 19 21 2 4 18 20 11 3 6 8 12 14 16 10 22 25 24 23".split(" ").map(Number);
"ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("").forEach((c, i) => {
  ODD[c] = oddTable[i] as number;
});
"0123456789".split("").forEach((c, i) => {
  ODD[c] = oddTable[i] as number;
});
const EVEN = (c: string) => (c >= "0" && c <= "9" ? Number(c) : c.charCodeAt(0) - 65);
const referenceCheck = (first15: string) => {
  let sum = 0;
  [...first15].forEach((c, i) => {
    sum += (i + 1) % 2 === 1 ? (ODD[c] as number) : EVEN(c);
  });
  return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[sum % 26];
};

describe("vatNumberProblem (Partita IVA)", () => {
  it.each([
    // python-stdnum it.iva doctests: validate('IT 00743110157') and an InvalidChecksum.
    ["00743110157", undefined],
    ["00743110158", "has a wrong check digit"],
    ["08712340150", undefined],
    ["01987650031", undefined],
    ["08712340151", "has a wrong check digit"],
    ["0871234015", "is not 11 digits"],
    ["087123401500", "is not 11 digits"],
    ["0871234015A", "is not 11 digits"],
    ["", "is not 11 digits"],
    [withDigit("0000000001"), "has a company number (first 7 digits) of zero"],
    [
      withDigit("1234567000"),
      "has office code 000 (digits 8-10), not one the agency gives (001-100, 120, 121, 888, 999)",
    ],
    [
      withDigit("1234567789"),
      "has office code 789 (digits 8-10), not one the agency gives (001-100, 120, 121, 888, 999)",
    ],
  ])("%s -> %s", (value, want) => {
    expect(vatNumberProblem(value)).toBe(want);
    expect(isItalianVatNumber(value)).toBe(want === undefined);
  });

  it("accepts exactly the office codes 001-100, 120, 121, 888 and 999", () => {
    const valid = new Set<number>();
    for (let office = 0; office <= 999; office++) {
      if (isItalianVatNumber(withDigit(`1234567${String(office).padStart(3, "0")}`))) valid.add(office);
    }
    const want = new Set([...Array.from({ length: 100 }, (_, i) => i + 1), 120, 121, 888, 999]);
    expect([...valid].sort((a, b) => a - b)).toEqual([...want].sort((a, b) => a - b));
  });

  it("refuses every single-digit change of a valid number (the check digit catches it)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[1-9][0-9]{6}$/),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 9 }),
        (company, office, at, delta) => {
          const valid = withDigit(company + String(office).padStart(3, "0"));
          expect(isItalianVatNumber(valid)).toBe(true);
          const changed = valid.slice(0, at) + String((Number(valid[at]) + delta) % 10) + valid.slice(at + 1);
          expect(vatNumberProblem(changed)).toBeDefined();
        },
      ),
    );
  });
});

describe("fiscalCodeProblem (Codice Fiscale)", () => {
  it.each([
    // The agency's own example (Mario Rossi, 10 December 1985) and python-stdnum doctests.
    ["RSSMRA85T10A562S", undefined],
    ["RCCMNL83S18D969H", undefined],
    ["CNTCHR83T41D969D", undefined],
    ["RCCMNL83S18D969", "has 15 characters, not 16 (a person) or 11 digits (a company)"],
    ["CNTMRC72C14H501E", undefined],
    // Every digit written as its omocodia letter (case 09's customer).
    ["DMCNCLURMMNFNLRY", undefined],
    ["RSSMRA85T10A562T", "has a wrong check character"],
    ["08712340150", undefined],
    ["08712340151", "has a wrong check digit"],
    ["RSSMRA85T10A56", "has 14 characters, not 16 (a person) or 11 digits (a company)"],
    [withCheck("RSSMRA85Z10A562"), "has month letter 'Z', not one of A B C D E H L M P R S T"],
    [withCheck("RSSMRA85F10A562"), "has month letter 'F', not one of A B C D E H L M P R S T"],
    [withCheck("RSSMRA85B31A562"), "has birth date 31 February, a day that does not exist"],
    [withCheck("RSSMRA85B30A562"), "has birth date 30 February, a day that does not exist"],
    [withCheck("RSSMRA85B29A562"), "has birth date 29 February, a day that does not exist"],
    [withCheck("RSSMRA84B29A562"), undefined],
    [withCheck("RSSMRA00B29A562"), undefined],
    [withCheck("RSSMRA84B69A562"), undefined],
    [withCheck("RSSMRA85B69A562"), "has birth date 29 February, a day that does not exist"],
    [withCheck("RSSMRA85D31A562"), "has birth date 31 April, a day that does not exist"],
    [withCheck("RSSMRA85D71A562"), "has birth date 31 April, a day that does not exist"],
    [withCheck("RSSMRA85P31A562"), "has birth date 31 September, a day that does not exist"],
    [withCheck("RSSMRA85C31A562"), undefined],
    [withCheck("RSSMRA85A00A562"), "has day 00, not 01-31 (men) or 41-71 (women)"],
    [withCheck("RSSMRA85A32A562"), "has day 32, not 01-31 (men) or 41-71 (women)"],
    [withCheck("RSSMRA85A40A562"), "has day 40, not 01-31 (men) or 41-71 (women)"],
    [withCheck("RSSMRA85A72A562"), "has day 72, not 01-31 (men) or 41-71 (women)"],
    // Omocodia in the day: "NM" is 21, "QV" is 49 (a woman born on the 9th); "RL" 50 is fine.
    [withCheck("RSSMRA85BQVA562"), undefined],
    [withCheck("RSSMRA85BQLA56N"), "has day 40, not 01-31 (men) or 41-71 (women)"],
    [withCheck("RSSMRA85BNMA562"), undefined],
    [withCheck("RSSMRA85BPMA562"), "has birth date 31 February, a day that does not exist"],
    ["RSSMRA85T10A5-2S", "does not have the layout of a fiscal code (6 letters, 2 digits, a letter, ...)"],
  ])("%s -> %s", (value, want) => {
    expect(fiscalCodeProblem(value)).toBe(want);
    expect(isItalianFiscalCode(value)).toBe(want === undefined);
  });

  it("accepts a valid code written in lower or mixed case, and stores it upper case", () => {
    for (const code of ["rssmra85t10a562s", "RssMra85T10a562S", "dmcnclurmmnfnlry"]) {
      expect(fiscalCodeProblem(code), code).toBeUndefined();
      expect(normaliseFiscalCode(code)).toBe(code.toUpperCase());
    }
  });

  it("decodes the birth date: omocodia letters and +40 for women", () => {
    expect(fiscalCodeBirth("RCCMNL83S18D969H")).toEqual({ year: 83, month: 11, day: 18, sex: "M" });
    expect(fiscalCodeBirth("CNTCHR83T41D969D")).toEqual({ year: 83, month: 12, day: 1, sex: "F" });
    expect(fiscalCodeBirth("DMCNCLURMMNFNLRY")).toEqual({ year: 85, month: 8, day: 12, sex: "M" });
    expect(fiscalCodeBirth("RSSMRA85Z10A562S")).toBeUndefined();
  });

  it("computes the check character as the decree's tables do (an independent implementation)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}$/),
        (first15) => {
          expect(fiscalCodeCheckChar(first15)).toBe(referenceCheck(first15));
        },
      ),
    );
  });

  it("accepts every code whose date exists and refuses every other, in both cases", () => {
    const letters = "ABCDEHLMPRST";
    const days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 11 }),
        fc.integer({ min: 0, max: 99 }),
        fc.boolean(),
        (year, month, rawDay, lower) => {
          const first15 = `RSSMRA${String(year).padStart(2, "0")}${letters[month]}${String(rawDay).padStart(2, "0")}A562`;
          const code = withCheck(first15);
          const day = rawDay > 40 ? rawDay - 40 : rawDay;
          const max = month === 1 && year % 4 === 0 ? 29 : (days[month] as number);
          const exists = (rawDay >= 1 && rawDay <= 31) || (rawDay >= 41 && rawDay <= 71) ? day <= max : false;
          expect(isItalianFiscalCode(lower ? code.toLowerCase() : code)).toBe(exists);
        },
      ),
    );
  });
});
