/**
 * The diff table of the tenant page against any field diff: the source's value (the
 * planner's `after`) is always under the source's header, the platform's (`before`) under
 * the platform's, in both languages; a sensitive field shows neither.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FieldDiff } from "../../model/plan.js";
import { escapeHtml } from "./html.js";
import { locales, translator } from "./i18n.js";
import { diffTable } from "./pages/tenant.js";

const value = fc.oneof(fc.string({ minLength: 1 }), fc.integer(), fc.boolean());

/** Cells of the one row of `html`, keyed by the column header of each. */
function cellsByHeader(html: string): Record<string, string> {
  const heads = [...html.matchAll(/<th scope="col"[^>]*>([^<]*)<\/th>/g)].map((m) => m[1] ?? "");
  const row = /<tbody><tr>([\s\S]*)<\/tr><\/tbody>/.exec(html)?.[1] ?? "";
  const cells = [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((m) =>
    (m[1] ?? "").replace(/<[^>]*>/g, ""),
  );
  return Object.fromEntries(heads.map((h, i) => [h, cells[i] ?? ""]));
}

const shown = (v: unknown) => (v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));

describe("diffTable", () => {
  it.each(locales)("puts the desired value under Source and the live one under Platform (%s)", (locale) => {
    const tr = translator(locale);
    fc.assert(
      fc.property(
        fc.option(value, { nil: undefined }),
        fc.option(value, { nil: undefined }),
        (before, after) => {
          const d: FieldDiff = { path: "spec.x", before, after };
          const cells = cellsByHeader(String(diffTable(tr, "k", [d])));
          expect(cells[tr.t("desiredValue")]).toBe(escapeHtml(shown(after)));
          expect(cells[tr.t("liveValue")]).toBe(escapeHtml(shown(before)));
        },
      ),
    );
  });

  it("shows neither value of a sensitive field", () => {
    const tr = translator("en");
    const cells = cellsByHeader(String(diffTable(tr, "k", [{ path: "spec.pin", sensitive: true }])));
    expect(cells).toMatchObject({ Source: "(sensitive)", Platform: "(sensitive)" });
  });
});
