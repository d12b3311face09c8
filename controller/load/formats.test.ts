import { describe, expect, it } from "vitest";
import { fiscalCodeCheckChar, isItalianFiscalCode, isItalianVatNumber, vatCheckDigit } from "./formats.js";

describe("isItalianVatNumber", () => {
  it.each([
    ["08712340150", true, "valid check digit"],
    ["01987650031", true, "valid, leading zero"],
    ["08712340151", false, "wrong check digit"],
    ["0871234015", false, "10 digits"],
    ["087123401500", false, "12 digits"],
    ["0871234015A", false, "a letter"],
    ["", false, "empty"],
  ])("%s -> %s (%s)", (value, want) => {
    expect(isItalianVatNumber(value)).toBe(want);
  });

  it("computes the check digit of every first-10 prefix consistently", () => {
    for (const prefix of ["0000000000", "1234567890", "9999999999", "0123456789"]) {
      const full = prefix + vatCheckDigit(prefix);
      expect(isItalianVatNumber(full), full).toBe(true);
    }
  });
});

describe("isItalianFiscalCode", () => {
  it.each([
    ["RSSMRA85T10A562S", true, "a person's code"],
    ["CNTMRC72C14H501E", true, "another person's code"],
    ["RSSMRA85T10A562T", false, "wrong check character"],
    ["rssmra85t10a562s", false, "lower case"],
    ["RSSMRA85Z10A562S", false, "month letter Z does not exist"],
    ["08712340150", true, "a company's code (11 digits, VAT check)"],
    ["08712340151", false, "a company's code with a wrong check digit"],
    ["RSSMRA85T10A56", false, "too short"],
  ])("%s -> %s (%s)", (value, want) => {
    expect(isItalianFiscalCode(value)).toBe(want);
  });

  it("accepts a code whose digits are replaced by letters (omocodia) when its check matches", () => {
    const first15 = "RSSMRA85T10A56N"; // last digit 2 written as N
    expect(isItalianFiscalCode(first15 + fiscalCodeCheckChar(first15))).toBe(true);
  });
});
