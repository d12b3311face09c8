import { truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupRepos, writeRepo } from "../test-support/repo.js";
import { loadDirectory } from "./index.js";
import { listManifestFiles, parseManifestText } from "./parse.js";

afterAll(cleanupRepos);

const bomb = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`;

describe("limits", () => {
  it("refuses a 50 MB file with a clear error, without reading it", async () => {
    const dir = await writeRepo({ "big.yaml": "" });
    await truncate(join(dir, "big.yaml"), 50 * 1024 * 1024);
    const { problems } = await loadDirectory(dir);
    expect(problems).toEqual([
      {
        file: join(dir, "big.yaml"),
        line: 1,
        col: 1,
        code: "file-too-large",
        message:
          "file is 50.0 MiB, above the 10.0 MiB limit for one manifest file; split it into smaller files",
      },
    ]);
  });

  it("takes the size limit as an option", async () => {
    const dir = await writeRepo({ "small.yaml": "x: 1\n".repeat(100) });
    const { problems } = await loadDirectory(dir, { maxFileBytes: 100 });
    expect(problems.map((p) => p.message)).toEqual([
      "file is 0.0 MiB, above the 0.0 MiB limit for one manifest file; split it into smaller files",
    ]);
  });

  it("refuses a YAML bomb (aliases that multiply) with a clear error at the document", async () => {
    const dir = await writeRepo({ "bomb.yaml": `# header\n${bomb}` });
    const { problems } = await loadDirectory(dir);
    expect(problems).toEqual([
      {
        file: join(dir, "bomb.yaml"),
        line: 2,
        col: 1,
        code: "yaml-aliases",
        message:
          'too many YAML alias expansions (more than 1000): aliases that multiply (a "YAML bomb") are refused',
      },
    ]);
  });

  it("refuses a document nested too deeply with a clear error", () => {
    const deep = `a: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`;
    const { problems } = parseManifestText("t.yaml", deep);
    expect(problems.map((p) => [p.code, p.message])).toEqual([
      ["yaml-syntax", "YAML syntax error: the document is nested too deeply"],
    ]);
  });

  it("accepts a few aliases", () => {
    const { documents, problems } = parseManifestText("t.yaml", "a: &x {k: v}\nb: *x\n");
    expect(problems).toEqual([]);
    expect(documents[0]?.value).toEqual({ a: { k: "v" }, b: { k: "v" } });
  });
});

describe("reading files", () => {
  it("parses every document of a multi-document file, skipping empty ones", () => {
    const { documents } = parseManifestText("t.yaml", "# only a comment\n---\na: 1\n---\n---\nb: 2\n");
    expect(documents.map((d) => d.value)).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("gives the position of a key, of a value, and of the nearest existing ancestor", () => {
    const [doc] = parseManifestText("t.yaml", "spec:\n  user:\n    email: x\n  list: [a, b]\n").documents;
    expect(doc?.position(["spec", "user", "email"], true)).toEqual({ line: 3, col: 5 });
    expect(doc?.position(["spec", "user", "email"])).toEqual({ line: 3, col: 12 });
    expect(doc?.position(["spec", "list", 1])).toEqual({ line: 4, col: 13 });
    expect(doc?.position(["spec", "user", "missing"])).toEqual({ line: 3, col: 5 });
  });

  it("gives positions inside a later document after empty, broken and aliased ones", () => {
    const text = [
      "# only a comment",
      "---",
      "a: [unclosed",
      "---",
      "---",
      "x: &v {k: 1}",
      "y: *v",
      "---",
      "first: 1",
      "---",
      "spec:",
      "  user: {email: x}",
      "",
    ].join("\n");
    const { documents, problems } = parseManifestText("t.yaml", text);
    expect(problems.map((p) => p.code)).toEqual(["yaml-syntax"]);
    expect(documents.map((d) => d.value)).toEqual([
      { x: { k: 1 }, y: { k: 1 } },
      { first: 1 },
      { spec: { user: { email: "x" } } },
    ]);
    const cases: [number, (string | number)[], boolean, { line: number; col: number }][] = [
      [0, [], false, { line: 6, col: 1 }],
      [0, ["y"], false, { line: 7, col: 4 }],
      [1, [], false, { line: 9, col: 1 }],
      [1, ["first"], true, { line: 9, col: 1 }],
      [2, [], false, { line: 11, col: 1 }],
      [2, ["spec", "user", "email"], true, { line: 12, col: 10 }],
      [2, ["spec", "user", "email"], false, { line: 12, col: 17 }],
      [2, ["spec", "missing"], false, { line: 12, col: 3 }],
    ];
    for (const [i, path, key, want] of cases) {
      expect({ i, path, key, got: documents[i]?.position(path, key) }).toEqual({ i, path, key, got: want });
    }
  });

  it.each([
    ["an indented root", "---\n  spec:\n    user: {email: x}\n"],
    ["a flow mapping root", "{spec: {user: {email: x}}}\n"],
    ["a root after comments", "# c\n---\n# d\nspec:\n  user:\n    email: x\n"],
    ["a flow mapping root on the --- line", "--- {spec: {user: {email: x}}}\n"],
  ])("gives the same positions for %s on the fast path as through yaml", (_name, text) => {
    // An anchor in a later document sends the whole file to yaml.
    const fast = parseManifestText("t.yaml", text).documents[0];
    const slow = parseManifestText("t.yaml", `${text}---\nz: &a 1\n`).documents[0];
    for (const [path, key] of [
      [[], false],
      [["spec"], true],
      [["spec", "user", "email"], false],
    ] as const) {
      const want = slow?.position(path, key);
      expect({ text, path, got: fast?.position(path, key) }).toEqual({ text, path, got: want });
    }
  });

  it("finds *.yaml and *.yml files recursively, sorted, skipping hidden folders and other files", async () => {
    const dir = await writeRepo({
      "b.yml": "",
      "a/z.yaml": "",
      "a/notes.md": "",
      ".git/x.yaml": "",
      "node_modules/y.yaml": "",
    });
    const files = await listManifestFiles(dir);
    expect(files).toEqual([join(dir, "a/z.yaml"), join(dir, "b.yml")]);
  });

  it.each([
    ["a folder without manifests", async () => writeRepo({ "readme.md": "" }), "no-manifests"],
    ["a folder that does not exist", async () => "/nonexistent/omnia-test", "unreadable"],
  ])("reports %s", async (_name, makeDir, code) => {
    const dir = await makeDir();
    const { problems } = await loadDirectory(dir);
    expect(problems.map((p) => p.code)).toEqual([code]);
  });

  it("loads a single file given instead of a folder", async () => {
    const dir = await writeRepo({});
    await writeFile(join(dir, "one.yaml"), "kind: Fax\n");
    const { problems, files } = await loadDirectory(join(dir, "one.yaml"));
    expect(files).toBe(1);
    expect(problems.map((p) => p.code)).toEqual(["unknown-kind"]);
  });
});

describe("YAML errors as the parser meant them", () => {
  const lines = (text: string, maxAliasCount?: number) =>
    parseManifestText("t.yaml", text, maxAliasCount ? { maxAliasCount } : {}).problems.map(
      (p) => `${p.line}:${p.col} ${p.code}: ${p.message}`,
    );
  const crossDoc = "(an anchor is known only after it, inside its own document: anchors do not cross ---)";

  it.each([
    [
      "an alias used before its anchor (a forward reference)",
      "a: *x\nb: &x 1\n",
      [
        `1:4 yaml-syntax: YAML syntax error: Unresolved alias (the anchor must be set before the alias): x ${crossDoc}`,
      ],
    ],
    [
      "an alias to an anchor of the previous document",
      "a: &x 1\n---\nb: *x\n",
      [
        `3:4 yaml-syntax: YAML syntax error: Unresolved alias (the anchor must be set before the alias): x ${crossDoc}`,
      ],
    ],
    [
      "a merge key pointing into the previous document",
      "m: &m {k: v}\n---\nn:\n  <<: *m\n  j: w\n",
      [
        `4:7 yaml-syntax: YAML syntax error: Unresolved alias (the anchor must be set before the alias): m ${crossDoc}`,
      ],
    ],
    [
      "an alias to no anchor at all, twice",
      "a: *nope\nb: [*other]\n",
      [
        `1:4 yaml-syntax: YAML syntax error: Unresolved alias (the anchor must be set before the alias): nope ${crossDoc}`,
        `2:5 yaml-syntax: YAML syntax error: Unresolved alias (the anchor must be set before the alias): other ${crossDoc}`,
      ],
    ],
    [
      "a duplicate key, at the second key",
      "spec:\n  license: start\n  number: '1'\n  license: plus\n",
      ["4:3 yaml-syntax: YAML syntax error: Map keys must be unique"],
    ],
    [
      "a TAB as indentation, once at the tab without its consequences",
      "spec:\n  a: 1\n\tb: 2\n  c: 3\n",
      [
        "3:1 yaml-syntax: YAML syntax error: a TAB is used for indentation here; YAML indents with spaces only: replace the tab with spaces",
      ],
    ],
    [
      "a TAB after spaces of indentation, at the tab",
      "spec:\n  a:\n   \tb: 2\n",
      [
        "3:4 yaml-syntax: YAML syntax error: a TAB is used for indentation here; YAML indents with spaces only: replace the tab with spaces",
      ],
    ],
  ])("%s", (_name, text, want) => {
    expect(lines(text)).toEqual(want);
  });

  it("keeps the YAML-bomb message for the parser's alias-expansion limit only", () => {
    expect(lines("a: &a [1, 2]\nb: [*a, *a, *a, *a]\n", 3)).toEqual([
      '1:1 yaml-aliases: too many YAML alias expansions (more than 3): aliases that multiply (a "YAML bomb") are refused',
    ]);
  });

  it("reads a merge key inside one document as a YAML 1.1 merge, on both parse paths", () => {
    const aliased = parseManifestText("t.yaml", "m: &m {k: v, j: 1}\nn:\n  <<: *m\n  j: 2\n");
    expect(aliased.problems).toEqual([]);
    expect(aliased.documents[0]?.value).toEqual({ m: { k: "v", j: 1 }, n: { k: "v", j: 2 } });
    const inline = parseManifestText("t.yaml", "n:\n  <<: {k: v}\n  j: 2\n");
    expect(inline.documents[0]?.value).toEqual({ n: { k: "v", j: 2 } });
  });

  it("gives the text of a plain scalar as written, for messages", () => {
    const [doc] = parseManifestText("t.yaml", "a: 0201\nb: '0201'\nc: Null\nd:\ne: 0o17\n").documents;
    expect(["a", "b", "c", "d", "e"].map((k) => doc?.source?.([k]))).toEqual([
      "0201",
      undefined,
      "Null",
      undefined,
      "0o17",
    ]);
  });

  it("reads a text with a BOM and CRLF as the same text with LF", () => {
    const crlf = parseManifestText("t.yaml", "\uFEFFa: |\r\n  x\r\n  y\r\nb: 1\r\n");
    expect(crlf.documents[0]?.value).toEqual({ a: "x\ny\n", b: 1 });
    expect(crlf.documents[0]?.position(["b"], true)).toEqual({ line: 4, col: 1 });
  });
});
