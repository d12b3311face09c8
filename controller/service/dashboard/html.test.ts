import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeHtml, html, jsonScript, SafeHtml } from "./html.js";

describe("html", () => {
  it("escapes any interpolated string so it cannot open a tag or leave an attribute", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const out = html`<a title="${text}">${text}</a>`.toString();
        expect(out).toBe(`<a title="${escapeHtml(text)}">${escapeHtml(text)}</a>`);
        expect(escapeHtml(text)).not.toMatch(/[<>"'`]/);
        // Decoding the entities gives the text back: escaped, not altered.
        const decode = (s: string) =>
          s.replace(/&(lt|gt|quot|#39|#96|amp);/g, (_m, e: string) =>
            e === "lt"
              ? "<"
              : e === "gt"
                ? ">"
                : e === "quot"
                  ? '"'
                  : e === "#39"
                    ? "'"
                    : e === "#96"
                      ? "`"
                      : "&",
          );
        expect(decode(escapeHtml(text))).toBe(text);
      }),
    );
  });

  it("keeps nested templates and joins arrays, dropping null, undefined and false", () => {
    const items = ["<b>", "ok"];
    const out = html`<ul>${items.map((i) => html`<li>${i}</li>`)}${null}${undefined}${false}</ul>`;
    expect(out).toBeInstanceOf(SafeHtml);
    expect(out.toString()).toBe("<ul><li>&lt;b&gt;</li><li>ok</li></ul>");
  });

  it("renders numbers and true as text", () => {
    expect(html`${1.5}|${true}|${0}`.toString()).toBe("1.5|true|0");
  });

  it("writes JSON that cannot close its script block", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (value, text) => {
        const out = jsonScript({ value, text }).toString();
        expect(out).not.toMatch(/[<>&\u2028\u2029]/);
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify({ value, text })));
      }),
    );
  });
});
