/**
 * Server-side HTML with escaping by default: the `html` tagged template escapes every
 * interpolated value (platform and manifest text, names, reasons, diffs) unless it is
 * already `SafeHtml` (the result of another `html` template). Arrays are joined; `null`,
 * `undefined` and `false` render as nothing, so `${cond && html`...`}` reads naturally.
 * Nothing here ever marks a string as safe without escaping it: the one way to produce
 * markup is a template literal written in this folder.
 */

/** Markup that is safe to send: only `html` templates make it. */
export class SafeHtml {
  readonly #text: string;
  /** @internal only `html` and `join` construct it. */
  constructor(text: string) {
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
}

const replacements: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** Text with `& < > " ' \`` as entities: safe in element content and in quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => replacements[c] ?? c);
}

/** What an `html` template accepts between `${}`. */
export type HtmlValue =
  | SafeHtml
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

/** Tagged template: literal parts kept, every value escaped unless it is `SafeHtml`. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
  return new SafeHtml(out);
}

/** JSON for a `<script type="application/json">` block: `<`, `>`, `&` and U+2028/9 escaped. */
export function jsonScript(value: unknown): SafeHtml {
  const text = JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
  return new SafeHtml(text);
}
