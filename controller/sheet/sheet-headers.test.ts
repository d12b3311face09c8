import { describe, expect, it } from "vitest";
import { fieldOfHeader, headerAliases, missingFieldHint, type SheetField } from "./sheet-headers.js";

describe("fieldOfHeader recognises the headers people and PBX tools write", () => {
  const cases: Array<[SheetField, string[]]> = [
    [
      "number",
      ["Interno", "Numero interno", "N. interno", "Nr. Interno", "Extension", "Ext.", "Directory Number"],
    ],
    ["firstName", ["Nome", "First Name", "FirstName", "first_name", "Given Name"]],
    ["lastName", ["Cognome", "Last Name", "LastName", "Surname", "Family name"]],
    [
      "email",
      ["E-mail", "Email", "E-Mail ", "Indirizzo e-mail", "Indirizzo email", "EmailAddress", "Email Address"],
    ],
    ["email", ["E-mail Address", "Posta elettronica", "MAIL ID"]],
    ["license", ["Licenza", "Tipo licenza", "License", "Licence type"]],
    ["pin", ["PIN", "Pin segreteria", "VMPin", "AuthPassword"]],
  ];
  it.each(cases.flatMap(([field, names]) => names.map((n) => [n, field] as const)))(
    "%s is %s",
    (name, field) => {
      expect(fieldOfHeader(name)).toBe(field);
    },
  );

  it.each(["NUMERO INTERNO", "numéro interno", "Licènza", "\u00a0Cognome\u00a0"])(
    "ignores case, accents and spaces: %s",
    (name) => {
      expect(fieldOfHeader(name)).toBeDefined();
    },
  );

  it.each(["Mail aziendale", "Note", "Nome e cognome", "Telefono"])("does not guess: %s", (name) => {
    expect(fieldOfHeader(name)).toBeUndefined();
  });

  it("gives each name to one field only", () => {
    const seen = new Map<string, SheetField>();
    for (const [field, names] of Object.entries(headerAliases) as [SheetField, string[]][]) {
      for (const n of names) {
        const key = n.replace(/ /g, "");
        expect(seen.get(key), `${n} of ${field}`).toBeUndefined();
        seen.set(key, field);
      }
    }
  });
});

describe("missingFieldHint names the unrecognised column", () => {
  it.each([
    ["email", ["Mail aziendale", "Note"], `column "Mail aziendale" was not recognised; is it the email?`],
    [
      "number",
      ["Numero di telefono", "Note"],
      `column "Numero di telefono" was not recognised; is it the extension number?`,
    ],
    [
      "license",
      ["Note", "Reparto"],
      `columns "Note", "Reparto" were not recognised; is one of them the license?`,
    ],
  ] as const)("for %s among %j", (field, unrecognised, want) => {
    expect(missingFieldHint(field, [...unrecognised])).toBe(want);
  });

  it("says nothing when every column was recognised", () => {
    expect(missingFieldHint("license", [])).toBeUndefined();
  });
});
