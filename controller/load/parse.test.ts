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
