/**
 * Italian registry identifiers as ajv string formats: the VAT number (Partita IVA) and
 * the fiscal code (Codice Fiscale), checked as the revenue agency (Agenzia delle Entrate)
 * defines them, not only by their check character.
 *
 * Sources: DM 23 dicembre 1976 (structure of the personal fiscal code, month letters,
 * +40 on the day for women, check character); the agency's omocodia rule (digits
 * replaced by L..V); DPR 633/1972 art. 35 and the agency's office codes of the Partita
 * IVA (digits 8-10: 001-100 the provincial offices, 120 and 121 special cases, 888 and
 * 999 codes given by the agency). python-stdnum's `it.codicefiscale` and `it.iva` check
 * the same (formats.test.ts holds their doctest vectors).
 *
 * No npm library was taken: `stdnum` (1.12) checks only the check character of a fiscal
 * code and not the company part of a VAT number; `codice-fiscale-js` is CC BY-SA and ships
 * a 3 MB list of towns; `@marketto/codice-fiscale-utils` needs dayjs and a separate town
 * database for a full check. The rules below are the agency's, short and stable.
 *
 * Case: a code written in lower case is the same code. The formats accept it; build.ts
 * stores it upper case (`normaliseFiscalCode`), so the platform always gets upper case.
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

/** Whether digits 8-10 of a Partita IVA are an office code the agency gives out. */
function isVatOfficeCode(code: number): boolean {
  return (code >= 1 && code <= 100) || code === 120 || code === 121 || code === 888 || code === 999;
}

/**
 * Why `value` is not a Partita IVA, or undefined when it is one: 11 digits, a company
 * number (digits 1-7) other than zero, an office code (digits 8-10), and the check digit.
 */
export function vatNumberProblem(value: string): string | undefined {
  if (!/^[0-9]{11}$/.test(value)) return "is not 11 digits";
  if (/^0{7}/.test(value)) return "has a company number (first 7 digits) of zero";
  const office = value.slice(7, 10);
  if (!isVatOfficeCode(Number(office)))
    return `has office code ${office} (digits 8-10), not one the agency gives (001-100, 120, 121, 888, 999)`;
  if (vatCheckDigit(value.slice(0, 10)) !== value.charCodeAt(10) - 48) return "has a wrong check digit";
  return undefined;
}

/** Whether `value` is a Partita IVA (see `vatNumberProblem`). */
export function isItalianVatNumber(value: string): boolean {
  return vatNumberProblem(value) === undefined;
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

/** Check character of the first 15 characters of a personal fiscal code (upper case). */
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
const PERSONAL_CODE = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;
/** Month letters, January to December. */
const MONTHS = "ABCDEHLMPRST";
/** Omocodia: the letter that stands for each digit 0-9. */
const OMOCODIA = "LMNPQRSTUV";
const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** The digits of an omocodia field: L..V back to 0..9. */
function digitsOf(field: string): number {
  let out = 0;
  for (const c of field) out = out * 10 + (c >= "0" && c <= "9" ? Number(c) : OMOCODIA.indexOf(c));
  return out;
}

/**
 * The birth date a personal fiscal code declares: two-digit year, month (1-12), day of
 * month (1-31) and sex ("F" when the agency added 40 to the day). Undefined when the
 * month letter is not one of ABCDEHLMPRST. Expects an upper-case 16-character code.
 */
export function fiscalCodeBirth(
  code: string,
): { year: number; month: number; day: number; sex: "M" | "F" } | undefined {
  const month = MONTHS.indexOf(code[8] ?? "") + 1;
  if (month === 0) return undefined;
  const rawDay = digitsOf(code.slice(9, 11));
  return {
    year: digitsOf(code.slice(6, 8)),
    month,
    day: rawDay > 40 ? rawDay - 40 : rawDay,
    sex: rawDay > 40 ? "F" : "M",
  };
}

/**
 * Days in `month` of a two-digit year: 29 in February when the year is a multiple of 4
 * (1900 is not a leap year, but a code of 1900 would have to be a living 126-year-old;
 * the agency's century is not in the code, and 2000 was a leap year).
 */
function daysIn(month: number, year2: number): number {
  if (month === 2) return year2 % 4 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Why `value` is not a fiscal code, or undefined when it is one. A person's code is 16
 * characters (either case) whose month letter, day (1-31 for men, 41-71 for women) and
 * check character are right and whose day exists in its month; a company's code is 11
 * digits checked as a Partita IVA.
 */
export function fiscalCodeProblem(value: string): string | undefined {
  if (/^[0-9]{11}$/.test(value)) return vatNumberProblem(value);
  const code = value.toUpperCase();
  if (code.length !== 16) return `has ${code.length} characters, not 16 (a person) or 11 digits (a company)`;
  if (!PERSONAL_CODE.test(code))
    return "does not have the layout of a fiscal code (6 letters, 2 digits, a letter, ...)";
  const birth = fiscalCodeBirth(code);
  if (!birth) return `has month letter '${code[8]}', not one of ${MONTHS.split("").join(" ")}`;
  const rawDay = digitsOf(code.slice(9, 11));
  if (rawDay === 0 || (rawDay > 31 && rawDay < 41) || rawDay > 71)
    return `has day ${String(rawDay).padStart(2, "0")}, not 01-31 (men) or 41-71 (women)`;
  if (birth.day > daysIn(birth.month, birth.year))
    return `has birth date ${birth.day} ${MONTH_NAMES[birth.month - 1]}, a day that does not exist`;
  if (fiscalCodeCheckChar(code.slice(0, 15)) !== code[15]) return "has a wrong check character";
  return undefined;
}

/** Whether `value` is a fiscal code (see `fiscalCodeProblem`); lower case counts. */
export function isItalianFiscalCode(value: string): boolean {
  return fiscalCodeProblem(value) === undefined;
}

/** A fiscal code as stored and sent: upper case (digits stay as they are). */
export const normaliseFiscalCode = (value: string): string => value.toUpperCase();

/**
 * Why `value` does not satisfy string format `format`, for the formats added here;
 * undefined for other formats and for valid values. Messages put it after "field 'x' ".
 */
export function formatProblem(format: string, value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (format === "it-vat-number") return vatNumberProblem(value);
  if (format === "it-fiscal-code") return fiscalCodeProblem(value);
  return undefined;
}

/** Adds the `it-vat-number` and `it-fiscal-code` formats to an ajv instance. */
export function addItalianFormats(ajv: Ajv2020): Ajv2020 {
  ajv.addFormat("it-vat-number", { type: "string", validate: isItalianVatNumber });
  ajv.addFormat("it-fiscal-code", { type: "string", validate: isItalianFiscalCode });
  return ajv;
}
