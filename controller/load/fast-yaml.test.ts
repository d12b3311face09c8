/**
 * The fast path (js-yaml) must agree with `yaml` wherever it answers: the same documents,
 * values, key order and root positions, and never an answer for a text that `yaml` finds
 * an error in.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineCounter, parseAllDocuments } from "yaml";
import { parseSimpleYaml } from "./fast-yaml.js";

type Reference = { value: unknown; offset: number; line: number; col: number }[];

/** What `yaml` makes of a text, as the loader reads it: "error", or each non-empty document. */
function reference(text: string): "error" | Reference {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  if (docs.some((d) => d.errors.length > 0)) return "error";
  const out: Reference = [];
  for (const d of docs) {
    if (d.contents === null) continue;
    let value: unknown;
    try {
      value = d.toJS({ maxAliasCount: 1000 });
    } catch {
      return "error"; // an unresolved alias or too many of them: the loader reports it
    }
    if (value === null || value === undefined) continue;
    const offset = d.contents.range[0];
    out.push({ value, offset, ...lineCounter.linePos(offset) });
  }
  return out;
}

/** Fails unless the fast path either gives up or answers exactly as `yaml` does. */
function expectAgreement(text: string): void {
  const fast = parseSimpleYaml(text);
  if (fast === undefined) return;
  const want = reference(text);
  expect({ text, got: fast }).toStrictEqual({ text, got: want });
  expect({ text, got: JSON.stringify(fast) }).toEqual({ text, got: JSON.stringify(want) }); // key order too
}

const manifest = `# yaml-language-server: $schema=x
---
apiVersion: omnia.kalliope.io/v1
kind: Extension
metadata: {name: pbx-0-200, tenant: CUST0000, pbx: pbx-0, labels: {team: a}, ignore: [spec.status]}
spec:
  number: "200"
  license: plus   # a comment
  pin: {fromEnv: OMNIA_SECRET_PIN_CUST0000_0_200}
  user:
    email: u0@cust0000.example
    firstName: Nome0
    lastName: O'Brien
---
---
apiVersion: omnia.kalliope.io/v1
kind: Pbx
metadata:
  name: pbx-0
spec: {kind: group, group: ring-0, callCenter: true, hotel: False, count: 0042, none: ~}
empty:
`;

describe("the fast path", () => {
  it("reads a typical manifest file as yaml does", () => {
    expect(parseSimpleYaml(manifest)).toBeDefined();
    expectAgreement(manifest);
  });

  it.each([
    ["a sequence of mappings", "a:\n  - b: 1\n    c: [x]\n"],
    ["a nested sequence", "a:\n  - - b\n"],
    ["a null item", "a:\n  - ~\n  - b\n"],
    ["a block scalar", "a: |\n  b\n  c\n"],
    ["a float and an exponent", "a: 1.5\nb: 1e3\nc: .5\n"],
    ["octal and hex integers", "a: 0o17\nb: 0x1F\n"],
    ["a negative integer", "a: -5\n"],
    ["an escape", 'a: "b\\nc"\n'],
    ["a doubled quote", "a: 'it''s'\n"],
    ["a multi-line plain scalar", "a: b\n  c\n"],
    ["an indented root", "---\n  a: b\n"],
    ["a flow mapping root", "{a: 1}\n"],
    ["a comment before the root", "# c\n---\napiVersion: v1\n"],
    ["a quoted first key", '"k": v\nb: 2\n'],
    ["a flow mapping on the --- line", "--- {a: b}\n"],
  ])("answers for %s as yaml does", (_name, text) => {
    expect({ text, answered: parseSimpleYaml(text) !== undefined }).toEqual({ text, answered: true });
    expectAgreement(text);
  });

  it.each([
    ["a byte-order mark", "\ufeffa: b\n"],
    ["a lone carriage return", "a: b\r"],
    ["an empty item of a compact nested sequence", "a:\n- -\n- A\n"],
    ["an empty item of a nested sequence", "a:\n- - x\n  -\n- A\n"],
    ["an empty item before a tab", "a:\n   -\t\n- nULL"],
    ["an empty item before a CR LF", "a:\r\n- -\r\n- A\r\n"],
    ["an empty item before a comment", "a:\n  - -  # c\n  - A\n"],
    ["a sequence at the root", "- a\n- b\n"],
    ["a scalar document", "just text\n"],
    ["an anchor and a scalar alias", "a: &x b\nc: *x\n"],
    ["an aliased mapping", "a: &x {b: 1}\nc: *x\n"],
    ["an anchor after a comment", "a:\n  # c\n  &x b\n"],
    ["a tag", "a: !!str 1\n"],
    ["an unknown tag", "a: !foo x\n"],
    ["a duplicate key", "a: 1\na: 2\n"],
    ["a key the core schema reads as null", "null: 1\n"],
    ["an empty key", "? \n: 1\n"],
    ["a sequence as a key", "[a]: 1\n"],
    ["a mapping as a key", "? {a: 1}\n: 2\n"],
    ["a binary integer (a string to yaml)", "a: 0b1\n"],
    ["a signed hex integer (a string to yaml)", "a: +0x1\n"],
    ["a signed float without digits before the point (a string to js-yaml)", "a: +.5\n"],
    ["a deep nesting", Array.from({ length: 40 }, (_, i) => `${" ".repeat(i)}k:`).join("\n")],
    ["a deep flow nesting", `a: ${"[".repeat(40)}${"]".repeat(40)}\n`],
    ["a syntax error", "a: {b: c\n"],
    ["a quoted scalar over two lines", 'a: "x\ny"\n'],
    ["a quoted scalar over two lines in a sequence", "a:\n- 'x\nb: c'\n"],
    ["a block scalar with an indentation indicator", "a: |2\n   \n"],
    ["a folded scalar with an indentation indicator", "a: >-1\n  x\n"],
    ["a block mapping on the --- line", "--- a: b\n"],
    ["a block sequence on the --- line", "--- - a\n"],
    ["a key over 1024 characters", `${"k".repeat(1025)}: v\n`],
    ["a comment right after a quoted scalar", "a: 'b'#c\n"],
    ["a comment right after a double-quoted scalar", 'a: "b"#c\n'],
    ["a comment right after a flow collection", "a: [b]#c\n"],
    ["a directive", "%YAML 1.2\n---\na: b\n"],
    ["a directive without a document start", "%TAG ! x\n ---\n"],
    ["a flow mapping over two lines", "a: {\nc: 2}\n"],
    ["a flow sequence over two lines", "a: [b,\n  c]\n"],
    ["a wrong indentation", "a:\n    b: 1\n  c: 2\n"],
  ])("gives up on %s", (_name, text) => {
    expect({ text, got: parseSimpleYaml(text) }).toEqual({ text, got: undefined });
  });

  const keyArb = fc.constantFrom(
    ...["a", "b", "name", "spec", "x.y", "a/b", "_k", "k-", "true", "True", "null", "NULL", "__proto__"],
    ...["1", "-k", "k k", "é", "a:b", "k#", "~", "On", "y", "n", "<<"],
  );
  const scalarArb = fc.constantFrom(
    ...[
      "",
      "x",
      "~",
      "null",
      "Null",
      "NULL",
      "nULL",
      "true",
      "False",
      "TRUE",
      "tRue",
      "yes",
      "on",
      "0",
      "00",
    ],
    ...["../x.txt", "1.2.3", "+.5", "-.inf", ".Inf", "1E3", "0o8", "0xG", "+0x1", "1_000", "0.", "+1.5e-3"],
    ...["0123", "+5", "-5", "+0", "12345678901234567890", "1.5", "1.", ".5", "1e3", "0x1F", "0o17", "0b1"],
    ...[".inf", "-.inf", ".nan", "a: b", "a #b", "a#b", "a #", "O'Brien", "'q'", "'it''s'", "''", '""'],
    ...['"dq"', '"a\\"b"', '"a\\nb"', '"unterminated', "'a\"b'", '"a\'b"', "{a: 1}", "[a, b]", "{}", "[]"],
    ...["{a: [1, {b: c}]}", "{a: 1,}", "{a: 1, a: 2}", "{a:1}", "{a: }", "{a}", "[a", "|", ">", "&a x"],
    ...["*a", "!!str 1", "@x", "`x", "%x", "a, b", "é ü", "a  b", "x ", "- a", "-", "?", "? x", ": x"],
    ...["{a: 'b', c: \"d\"}", "[{a: b}, [c]]", "{ a: b }", "[ ]", "x\\y", "a,b", "{a: b c}", "{a: b'c}"],
    ...['{"q": 1}', "v # c", "v#c", "{a: 1} x", "{a: 1} # c", "1:2", "10:30", "a]", "a}", "a[b", "a{b"],
    ...["http://x.example/a?b=c", "a:b:c", "a::b", "a:", "a: ", "x:#y", "a:,b", ":", "::"],
    ...["Cliente 0 S.r.l.", "u1@x.example", "sip.x.example:5060", "{a: b, c: [d, e]}", "[a, {b: ~}]"],
    ...["a\u2028b", "a\u0085b", "a\tb", "a\u0007", "a\u0000", "\ufeffx", "a\r\nb: c", "0b1", "-0x1", "+0o7"],
    ...["{a: null, b: true, c: 012}", "[x, y, ]", "{a: {b: {c: d}}}", "a\u00a0", "\u00e8", "{a: b}}"],
  );
  const safeScalarArb = fc.oneof(
    fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9 .@_-]{0,12}$/),
    fc.stringMatching(/^"[a-zA-Z0-9 :#,.@{}[\]-]{0,12}"$/),
    fc.nat().map(String),
  );
  const safeKeyArb = fc.oneof(
    { weight: 8, arbitrary: fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,6}$/) },
    { weight: 1, arbitrary: keyArb },
  );
  const indentArb = fc.constantFrom("", "", "", "  ", "  ", "    ", " ", "   ");
  const lineArb = fc.oneof(
    { weight: 8, arbitrary: fc.tuple(indentArb, keyArb, fc.constantFrom(":", ": ", ":  ", ":")) },
    { weight: 1, arbitrary: fc.constantFrom("", "   ", "# c", "  # c", "---", "--- x", "...", "- a") },
    {
      weight: 3,
      arbitrary: fc.tuple(
        indentArb,
        fc.constant(""),
        fc.constantFrom("- ", "-  ", "-", "- - ", "- k: ", "-\t"),
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom("\ta: b", "a: b\r", "%YAML 1.2", "a: |", "  text", "x") },
  );
  const textArb = fc
    .array(fc.tuple(lineArb, scalarArb, fc.constantFrom("", "", " # t", "  ")), { maxLength: 12 })
    .chain((lines) =>
      fc.constantFrom("", "\n").map((last) =>
        lines
          .map(([line, scalar, tail]) =>
            typeof line === "string"
              ? line
              : `${line[0]}${line[1]}${line[2]}${line[2] === ":" ? "" : scalar}${tail}`,
          )
          .join("\n")
          .concat(last),
      ),
    );

  it("agrees with yaml on generated texts, valid and not", () => {
    fc.assert(
      fc.property(textArb, (text) => expectAgreement(text)),
      { numRuns: Number(process.env.FAST_YAML_RUNS ?? 3000) },
    );
  });

  /** Lines of the syntax beyond the old hand-written subset that js-yaml reads: block scalars, explicit and quoted keys, lines continued... */
  const fragmentArb = fc.constantFrom(
    ...[
      "a: |",
      "a: >",
      "a: |-",
      "a: >+",
      "a: |2",
      "- |",
      "text",
      "more",
      "",
      "? a",
      "? ",
      ": b",
      ":",
      "? [a, b]",
    ],
    ...["? - a", '"k": v', "'k': v", '"a b": 1', "k : v", "a: [b,", "c]", "a: {b: 1,", "c: 2}", "[a, b]: c"],
    ...[
      "{a: 1}",
      "- {a: 1,",
      "b: 2}",
      'a: "x',
      'y"',
      "a: 'x",
      "y'",
      "- a: 1",
      "b: 2",
      "- - a",
      "- b",
      "-   - c",
    ],
    ...[
      "a:",
      "-   c: d",
      "e: f",
      "a: b # c",
      "a: b#c",
      "a:  #c",
      "---",
      "...",
      "--- |",
      "--- >",
      "--- x",
      "a:\tb",
    ],
    ...[
      "\t- a",
      "a: \t",
      "key: ~",
      "? |",
      "block key",
      ": v",
      "a: *x",
      "a: &x b",
      "&y a: b",
      "!!map",
      "a: !!str",
    ],
    ...[
      "%TAG ! x",
      "a: @b",
      "a: `b`",
      "- -",
      "-",
      "- ?",
      "a: -",
      "a: - b",
      '"a\\\nb": c',
      "a: 'b''c'",
      "<<: {a: 1}",
    ],
    ...[
      "a: 'b'#c",
      'a: "b"#c',
      "a: [b]#c",
      "a: {b: c}#d",
      "a: 'b' #c",
      `${"k".repeat(1022)}: v`,
      `${"k".repeat(1030)}: v`,
    ],
    ...["a: 'x", "  ", "# c", "a: b\\", "a: [", "]", "a: {", "}", "- [a,", "  b]", "a: !!int 1", "a: 1:2"],
  );
  const fragmentsArb = fc
    .array(fc.tuple(indentArb, fragmentArb), { maxLength: 10 })
    .map((lines) => `${lines.map(([indent, line]) => indent + line).join("\n")}\n`);

  it("agrees with yaml on generated texts beyond plain block mappings", () => {
    fc.assert(
      fc.property(fragmentsArb, (text) => expectAgreement(text)),
      { numRuns: Number(process.env.FAST_YAML_RUNS ?? 3000) },
    );
  });

  /** Well-indented nested mappings, so that most texts are valid and the fast path answers. */
  type Tree = { [key: string]: Tree | string | string[] };
  const treeArb = fc.letrec<{ tree: Tree }>((tie) => ({
    tree: fc.dictionary(
      safeKeyArb,
      fc.oneof(
        { depthSize: "small" },
        { weight: 4, arbitrary: safeScalarArb },
        { weight: 1, arbitrary: scalarArb },
        { weight: 2, arbitrary: tie("tree") },
        { weight: 1, arbitrary: fc.array(fc.oneof(safeScalarArb, scalarArb), { maxLength: 3 }) },
      ),
      {
        maxKeys: 4,
      },
    ) as fc.Arbitrary<Tree>,
  })).tree;
  const render = (tree: Tree, indent: string): string =>
    Object.entries(tree)
      .map(([k, v]) =>
        typeof v === "string"
          ? `${indent}${k}: ${v}\n`
          : Array.isArray(v) // a sequence, at the key's indentation for odd-length keys
            ? `${indent}${k}:\n${v.map((x) => `${indent}${k.length % 2 ? "" : "  "}- ${x}\n`).join("")}`
            : `${indent}${k}:\n${render(v, `${indent}  `)}`,
      )
      .join("");
  const docsArb = fc
    .array(fc.tuple(fc.constantFrom("", "# head\n", "\n"), treeArb), { minLength: 1, maxLength: 4 })
    .map((docs) => docs.map(([head, tree]) => `${head}${render(tree, "")}`).join("---\n"))
    .chain((text) =>
      fc.array(fc.tuple(fc.nat(), indentArb), { maxLength: 3 }).map((comments) => {
        const lines = text.split("\n");
        for (const [at, indent] of comments) lines.splice(at % (lines.length + 1), 0, `${indent}# note`);
        return lines.join("\n");
      }),
    );

  it("agrees with yaml on generated nested documents, and answers for most of them", () => {
    let answered = 0;
    fc.assert(
      fc.property(docsArb, (text) => {
        if (parseSimpleYaml(text) !== undefined) answered++;
        expectAgreement(text);
      }),
      { numRuns: Number(process.env.FAST_YAML_RUNS ?? 2000) },
    );
    expect(answered).toBeGreaterThan(500);
  });
});
