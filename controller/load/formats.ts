/**
 * Italian registry identifiers as ajv string formats: the VAT number (Partita IVA) and
 * the fiscal code (Codice Fiscale), each with its check character.
 */
import type { Ajv2020 } from "ajv/dist/2020.js";

/** Check digit of the first 10 digits of a Partita IVA (a Luhn variant). */
export function vatCheckDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const d = first10.charCodeAt(i) - 48;
    if (i % 2 === 0) sum += d;
    else sum += d * 2 > 9 ? d * 2 - 9 : d * 2;
  }
  return (10 - (sum % 10)) % 10;
}

/** Whether `value` is an 11-digit Partita IVA whose last digit is its check digit. */
export function isItalianVatNumber(value: string): boolean {
  return /^[0-9]{11}$/.test(value) && vatCheckDigit(value.slice(0, 10)) === value.charCodeAt(10) - 48;
}

// Values of a character in an odd (1st, 3rd, ...) position of a personal fiscal code,
// for 0-9 and A-Z alike (a digit counts as the letter of the same index).
const ODD_VALUES = [
  1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

/** Index of a digit or upper-case letter: '0'..'9' -> 0..9, 'A'..'Z' -> 0..25. */
function charIndex(c: number): number {
  return c <= 57 ? c - 48 : c - 65;
}

/** Check character of the first 15 characters of a personal fiscal code. */
export function fiscalCodeCheckChar(first15: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const idx = charIndex(first15.charCodeAt(i));
    sum += i % 2 === 0 ? (ODD_VALUES[idx] ?? 0) : idx;
  }
  return String.fromCharCode(65 + (sum % 26));
}

// Surname (3), name (3), year (2), month, day (2), town (letter + 3), check; digits may be
// replaced by the letters L-V (omocodia), which the check covers as they stand.
const PERSONAL_CODE =
  /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;

/**
 * Whether `value` is a fiscal code: a person's 16 characters (upper case) with its check
 * character, or a company's 11 digits with the VAT check digit.
 */
export function isItalianFiscalCode(value: string): boolean {
  if (value.length === 11) return isItalianVatNumber(value);
  return PERSONAL_CODE.test(value) && fiscalCodeCheckChar(value.slice(0, 15)) === value[15];
}

/** Adds the `it-vat-number` and `it-fiscal-code` formats to an ajv instance. */
export function addItalianFormats(ajv: Ajv2020): Ajv2020 {
  ajv.addFormat("it-vat-number", { type: "string", validate: isItalianVatNumber });
  ajv.addFormat("it-fiscal-code", { type: "string", validate: isItalianFiscalCode });
  return ajv;
}
