/**
 * Which column holds which field: the header names people use for the platform's bulk-import
 * layout, in Italian and English and as other PBX tools and address books export them
 * (3CX and Yeastar `FirstName`/`EmailAddress`, Outlook and Google `E-mail Address`/`Given
 * Name`, Cisco `Directory Number`/`Mail ID`, FreePBX `extension`). Names compare after
 * `normalizeHeader` with the spaces taken out, so "E-mail", "Email" and "e mail" are one name,
 * as are "EmailAddress" and "Email Address".
 */

/** The fields a sheet column can fill; `pin` is recognised only to be left out on purpose. */
export type SheetField = "number" | "firstName" | "lastName" | "email" | "license" | "pin";

/** Accepted header names per field (the first ones are those the messages list). */
export const headerAliases: Record<SheetField, string[]> = {
  number: [
    "numero",
    "interno",
    "numero interno",
    "numero di interno",
    "n interno",
    "nr interno",
    "num interno",
    "estensione",
    "number",
    "extension",
    "extension number",
    "ext",
    "ext number",
    "directory number",
  ],
  firstName: ["nome", "first name", "given name", "nome proprio"],
  lastName: ["cognome", "last name", "surname", "family name"],
  email: [
    "email",
    "mail",
    "indirizzo email",
    "indirizzo di posta elettronica",
    "posta elettronica",
    "email address",
    "mail address",
    "mail id",
  ],
  license: [
    "licenza",
    "tipo licenza",
    "tipo di licenza",
    "license",
    "licence",
    "license type",
    "licence type",
  ],
  pin: [
    "pin",
    "pin interno",
    "pin segreteria",
    "pin voicemail",
    "voicemail pin",
    "vm pin",
    "password",
    "auth password",
  ],
};

/** Lower-case, accents removed, separators collapsed: "E-Mail " and "e mail" compare equal. */
export function normalizeHeader(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

const compact = (text: string): string => normalizeHeader(text).replace(/ /g, "");

const fieldByName = new Map<string, SheetField>(
  (Object.entries(headerAliases) as [SheetField, string[]][]).flatMap(([field, names]) =>
    names.map((n) => [compact(n), field] as const),
  ),
);

/** The field a header cell names, or undefined when it names none of `headerAliases`. */
export function fieldOfHeader(cell: string): SheetField | undefined {
  return fieldByName.get(compact(cell));
}

/** Words that, inside an unrecognised header, suggest a field ("Mail aziendale" → email). */
const hintWords: Record<SheetField, string[]> = {
  number: ["interno", "numero", "number", "extension", "ext", "estensione", "nr", "num"],
  firstName: ["nome", "first", "given", "name"],
  lastName: ["cognome", "last", "surname", "family"],
  email: ["mail", "email", "posta"],
  license: ["licenza", "license", "licence", "profilo", "profile", "tipo"],
  pin: ["pin", "password"],
};

export const errUnrecognisedColumn = "was not recognised";

/**
 * For a field without a column: the unrecognised header cells most likely meant for it,
 * as one sentence (`column "Mail aziendale" was not recognised; is it the email?`), or
 * undefined when no column is left unrecognised. Columns sharing a word with the field's
 * names come first; without any, every unrecognised column is named.
 */
export function missingFieldHint(field: SheetField, unrecognised: string[]): string | undefined {
  if (unrecognised.length === 0) return undefined;
  const words = hintWords[field];
  const likely = unrecognised.filter((cell) =>
    normalizeHeader(cell)
      .split(" ")
      .some((w) => words.includes(w)),
  );
  const named = likely.length > 0 ? likely : unrecognised;
  const what = fieldLabel[field];
  return named.length === 1
    ? `column "${named[0]}" ${errUnrecognisedColumn}; is it the ${what}?`
    : `columns ${named.map((c) => `"${c}"`).join(", ")} were not recognised; is one of them the ${what}?`;
}

const fieldLabel: Record<SheetField, string> = {
  number: "extension number",
  firstName: "first name",
  lastName: "last name",
  email: "email",
  license: "license",
  pin: "PIN",
};
