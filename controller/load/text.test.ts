import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { formatProblem, loadDirectory, loadTexts } from "./index.js";
import { decodeText, findBadStrings } from "./text.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Writes `files` (bytes as given) to a fresh folder and loads it; problems as lines relative to it. */
async function loadBytes(files: Record<string, Uint8Array | string>, env: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), "omnia-text-"));
  dirs.push(dir);
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
  const result = await loadDirectory(dir, { env });
  return { ...result, lines: result.problems.map((p) => formatProblem(p, (f) => f.slice(dir.length + 1))) };
}

const tenant = (extra = "") =>
  `apiVersion: omnia.kalliope.io/v1\nkind: Tenant\nmetadata:\n  name: t1\nspec:\n  businessName: "Caffè Niccolò"\n  customerCode: T1\n  vatNumber: "08712340150"\n  fiscalCode: "08712340150"\n${extra}`;
const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, "utf16le")]);
const utf16be = (s: string) => {
  const le = Buffer.from(s, "utf16le");
  for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1] as number, le[i] as number];
  return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
};

describe("decodeText", () => {
  it.each([
    ["UTF-8", Buffer.from("a: è\r\nb: 1\r\n"), "a: è\nb: 1\n", "utf-8"],
    [
      "UTF-8 with BOM",
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("a: è\n")]),
      "a: è\n",
      "utf-8-bom",
    ],
    ["UTF-16LE with BOM", utf16le("a: è\r\n"), "a: è\n", "utf-16le"],
    ["UTF-16BE with BOM", utf16be("a: 😀\n"), "a: 😀\n", "utf-16be"],
  ])("reads %s", (_name, bytes, text, encoding) => {
    expect(decodeText(bytes)).toEqual({ text, encoding });
  });

  it.each([
    [
      "Windows-1252 'è' on line 2",
      Buffer.from([0x61, 0x0a, 0x62, 0x3a, 0x20, 0xe8, 0x0a]),
      2,
      4,
      "invalid byte 0xE8",
    ],
    ["a truncated sequence at the end", Buffer.from([0x61, 0xc3]), 1, 2, "invalid byte 0xC3"],
    ["an overlong '/'", Buffer.from([0xc0, 0xaf]), 1, 1, "invalid byte 0xC0"],
    ["an encoded surrogate", Buffer.from([0x61, 0xed, 0xa0, 0x80]), 1, 2, "invalid byte 0xED"],
    [
      "UTF-16LE without a BOM",
      Buffer.from("a: \u00e8\u0100", "utf16le"),
      1,
      7,
      "invalid byte 0xE8; UTF-16 without a byte-order mark?",
    ],
  ])("refuses %s, naming where", (_name, bytes, line, col, error) => {
    expect(decodeText(bytes)).toEqual({ error, line, col });
  });
});

describe("manifest files from other editors", () => {
  it("loads UTF-16 files with a BOM, in both byte orders, as UTF-8 ones", async () => {
    for (const encode of [utf16le, utf16be]) {
      const { lines, state } = await loadBytes({ "t.yaml": encode(tenant()) });
      expect(lines).toEqual([]);
      expect(state.tenants[0]?.spec.businessName).toBe("Caffè Niccolò");
    }
  });

  it("refuses a Windows-1252 file as not UTF-8, naming the file and the first bad byte", async () => {
    const { lines } = await loadBytes({ "t.yaml": Buffer.from(tenant(), "latin1") });
    expect(lines).toEqual([
      "t.yaml:6:22: the file is not UTF-8 (invalid byte 0xE8): save it as UTF-8 (a UTF-16 file must start with its byte-order mark)",
    ]);
  });

  it.each([
    ["U+0000 from a double-quoted escape", '"Bar\\0Sport"', "U+0000", 4],
    ["U+001B (escape) written raw", "Bar\u001b[31mSport", "U+001B", 4],
    ["a raw carriage return inside a quoted value", '"Bar\\rSport"', "U+000D", 4],
    ["U+0085 (next line, C1)", '"Bar\\NSport"', "U+0085", 4],
    ["DEL", "Bar\u007fSport", "U+007F", 4],
  ])("refuses %s in a manifest string at the field", async (_name, value, code, index) => {
    const text = tenant().replace('"Caffè Niccolò"', value);
    const { problems } = loadTexts(new Map([["t.yaml", text]]));
    expect(problems.map((p) => formatProblem(p))).toEqual([
      `t.yaml:6:17: Tenant/t1: field 'spec.businessName' holds control character ${code} at character ${index}: only tab and line breaks are allowed in text`,
    ]);
  });

  it("refuses an unpaired surrogate and a control character in a key, at the key", async () => {
    const text = `${tenant().replace('"Caffè Niccolò"', '"Caff\\uD800"')}  "lab\\x01el": x\n`;
    const { problems } = loadTexts(new Map([["t.yaml", text]]));
    expect(problems.filter((p) => p.code === "control-character").map((p) => formatProblem(p))).toEqual([
      "t.yaml:6:17: Tenant/t1: field 'spec.businessName' holds an unpaired UTF-16 surrogate at character 5: not valid Unicode text",
      "t.yaml:10:3: Tenant/t1: field 'spec.lab\u0001el' holds control character U+0001 at character 4: only tab and line breaks are allowed in text",
    ]);
  });

  it("keeps tabs, line feeds and emoji (surrogate pairs) in text", () => {
    expect(findBadStrings({ a: "x\ty\nz", b: ["😀 ok"], "😀": 1 })).toEqual([]);
  });
});

describe("hostile strings in every field (property)", () => {
  const hostile = fc.oneof(
    fc.string({ unit: "binary" }),
    fc.constantFrom(
      "__proto__",
      "constructor",
      "'; DROP TABLE runs; --",
      "<script>alert(1)</script>",
      "\u0000",
      "\uD800",
      "\uDFFF",
      "{{ .Values }}",
      ["$", "{OMNIA_PASSWORD}"].join(""),
      "../../etc/passwd",
    ),
  );
  const fields = fc.constantFrom(
    ["metadata", "name"],
    ["metadata", "labels", "__proto__"],
    ["spec", "businessName"],
    ["spec", "customerCode"],
    ["spec", "vatNumber"],
    ["spec", "fiscalCode"],
    ["spec", "__proto__"],
    ["kind"],
  );

  it("loads without a crash, and refuses every control character at its field", () => {
    fc.assert(
      fc.property(fields, hostile, (path, value) => {
        const doc: Record<string, unknown> = {
          apiVersion: "omnia.kalliope.io/v1",
          kind: "Tenant",
          metadata: { name: "t1" },
          spec: {
            businessName: "B",
            customerCode: "T1",
            vatNumber: "08712340150",
            fiscalCode: "08712340150",
          },
        };
        let node = doc as Record<string, unknown>;
        for (const step of path.slice(0, -1)) {
          node[step] ??= {};
          node = node[step] as Record<string, unknown>;
        }
        Object.defineProperty(node, path.at(-1) as string, { value, enumerable: true, writable: true });
        const text = `${JSON.stringify(doc)}\n`; // JSON is YAML: escapes carry every code unit
        const { problems, state } = loadTexts(new Map([["t.yaml", text]]));
        // The oracle walks code points (a lone surrogate is one of its own), not code units.
        const bad = [...value].some((ch) => {
          const cp = ch.codePointAt(0) as number;
          return (
            (cp < 0x20 && cp !== 9 && cp !== 10) ||
            (cp >= 0x7f && cp <= 0x9f) ||
            (cp >= 0xd800 && cp <= 0xdfff)
          );
        });
        const flagged = problems.some((p) => p.code === "control-character");
        expect(flagged, JSON.stringify(problems)).toBe(bad);
        for (const p of problems) expect(p.line).toBeGreaterThan(0);
        if (problems.length === 0) expect(JSON.parse(JSON.stringify(state.tenants))).toHaveLength(1);
        expect(Object.getPrototypeOf(state)).toBe(Object.prototype);
      }),
      { numRuns: 300 },
    );
  });
});
