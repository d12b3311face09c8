/**
 * Whether a Number block's first number is a geographic number of its country's numbering
 * plan, and whether the whole block stays inside it.
 *
 * +39 (Italy) follows the national plan of AGCOM (Piano di numerazione nazionale, delibera
 * 8/15/CIR, and ITU-T E.164 country notes for Italy): a geographic number starts with 0
 * and has 6 to 11 digits after +39, except 0878 (premium-rate televoting, inside the 0
 * range); 3 is the mobile range, 80x toll-free, 84x shared cost, 89x premium rate, and no
 * other first digit is geographic. The other countries go through
 * libphonenumber-js with its "max" metadata (Google's libphonenumber data): the number must
 * be valid and of a fixed-line type.
 */
import { type NumberType, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { msg } from "./problems.js";

/** Names of the Italian non-geographic ranges, by leading digits (longest first). */
const ITALIAN_RANGES: ReadonlyArray<readonly [string, string]> = [
  ["80", "toll-free (80x)"],
  ["84", "shared-cost (84x)"],
  ["89", "premium-rate (89x)"],
  ["3", "mobile (3)"],
];

/**
 * Non-geographic ranges inside the geographic 0 range. 0878 is premium-rate televoting
 * (AGCOM; libphonenumber's Italian metadata agrees, and its property test found it: every
 * other 0xxx prefix is fixed-line there, checked over all 1,000 prefixes and lengths 6-11).
 */
const ITALIAN_RANGES_IN_ZERO: ReadonlyArray<readonly [string, string]> = [
  ["0878", "premium-rate televoting (0878)"],
];

/** Types of libphonenumber that are geographic direct-dial numbers. */
const GEOGRAPHIC_TYPES: ReadonlySet<NumberType> = new Set(["FIXED_LINE", "FIXED_LINE_OR_MOBILE"]);

/** Words for libphonenumber's types, for messages. */
const typeWords: Partial<Record<NonNullable<NumberType>, string>> = {
  MOBILE: "mobile",
  TOLL_FREE: "toll-free",
  PREMIUM_RATE: "premium-rate",
  SHARED_COST: "shared-cost",
  VOIP: "VoIP",
  PERSONAL_NUMBER: "personal",
  PAGER: "pager",
  UAN: "universal access",
  VOICEMAIL: "voicemail",
};

/**
 * Why the block of `10 ** blockDigits` numbers from `number` (E.164, already matching
 * `^\+[1-9][0-9]{6,14}$`) is not a block of geographic numbers; empty when it is one.
 */
export function numberingProblems(number: string, blockDigits: number): string[] {
  if (number.startsWith("+39")) return italianProblems(number);
  const first = parsePhoneNumberFromString(number);
  if (!first?.isValid()) return [msg.notInPlan(number, first?.countryCallingCode ?? number.slice(1, 4))];
  const type = first.getType();
  if (type !== undefined && !GEOGRAPHIC_TYPES.has(type))
    return [msg.notFixedLine(number, typeWords[type] ?? type.toLowerCase())];
  const last = number.slice(0, number.length - blockDigits) + "9".repeat(blockDigits);
  const lastParsed = parsePhoneNumberFromString(last);
  const lastType = lastParsed?.getType();
  if (!lastParsed?.isValid() || (lastType !== undefined && !GEOGRAPHIC_TYPES.has(lastType)))
    return [msg.blockOutsidePlan(number, 10 ** blockDigits, last)];
  return [];
}

/**
 * The checks of the Italian plan (see the file's comment). A block keeps the number's
 * length, and with 6 to 11 national digits a block of at most 3 digits leaves the leading
 * 0 and at least two more digits fixed: it cannot leave the area the number is in, so
 * there is no separate check of the block's end for +39.
 */
function italianProblems(number: string): string[] {
  const national = number.slice(3);
  if (!national.startsWith("0")) {
    const range = ITALIAN_RANGES.find(([prefix]) => national.startsWith(prefix))?.[1];
    return [msg.notGeographic(number, range ?? `non-geographic (${national[0]})`)];
  }
  const inZero = ITALIAN_RANGES_IN_ZERO.find(([prefix]) => national.startsWith(prefix))?.[1];
  if (inZero) return [msg.notGeographic(number, inZero)];
  if (national.length < 6 || national.length > 11) return [msg.italianLength(number, national.length)];
  return [];
}
