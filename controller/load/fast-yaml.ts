/**
 * The fast path for plain manifests: js-yaml (its core schema) reads the values straight,
 * with no syntax tree, about ten times faster than `yaml`. It gives up (returns undefined)
 * whenever js-yaml throws, and whenever its answer might differ from `yaml`'s or skip a
 * limit that only the `yaml` path enforces; the caller then parses the whole file with
 * `yaml`, which also reports every error with its position. fast-yaml.test.ts compares
 * the two on generated texts.
 */
import { CORE_SCHEMA, type EventType, loadAll, type State } from "js-yaml";

/** A document read by the fast path: its root mapping and where that mapping starts. */
export interface SimpleDocument {
  value: Record<string, unknown>;
  /** Offset, line and column (1-based) of the root node, as `yaml` gives them. */
  offset: number;
  line: number;
  col: number;
}

/** Given up: the text is left to `yaml` (not necessarily an error). */
const OUT = Symbol("left to yaml");

/**
 * A block sequence item left empty ("-" then the line's end or a comment): js-yaml puts
 * the items after an empty item of a nested sequence into that sequence, not its parent.
 */
const EMPTY_ITEM = /^(?:[ \t]*-[ \t]+)*[ \t]*-[ \t\r]*(?:#.*)?$/m;
/** The header of a block scalar with an indentation indicator (`|2`, `>-1`, `|1+`). */
const BLOCK_INDENTATION = /^[|>](?:[-+]?[1-9]|[1-9])/;
/** A directive line (`%YAML`, `%TAG`): js-yaml misses some errors of directives that `yaml` reports. */
const DIRECTIVE = /^%/m;
/** Longest line taken: `yaml` limits an implicit key to 1024 characters, js-yaml does not. */
const MAX_LINE = 1024;
/** A carriage return that does not end a line with a line feed: a line break to js-yaml only. */
const LONE_CR = /\r(?!\n)/;

/** Deepest nesting of nodes the fast path takes; deeper documents go to `yaml` and its own limits. */
const MAX_DEPTH = 32;

/** First characters of the plain scalars that `yaml`'s core schema reads as other than a string. */
const CORE_FIRST = new Set([..."~nNtTfF0123456789+-."].map((c) => c.charCodeAt(0)));

/** Any of CORE_SCALARS but the empty null: one test to pass over the strings. */
const CORE_ANY =
  /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$/;

/** `yaml`'s core schema for plain scalars, in its order: each test and the value it gives. */
const CORE_SCALARS: ReadonlyArray<[RegExp, (raw: string) => unknown]> = [
  [/^(?:~|[Nn]ull|NULL)?$/, () => null],
  [/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (raw) => raw[0] === "t" || raw[0] === "T"],
  [/^0o[0-7]+$/, (raw) => Number.parseInt(raw.slice(2), 8)],
  [/^[-+]?[0-9]+$/, (raw) => Number.parseInt(raw, 10)],
  [/^0x[0-9a-fA-F]+$/, (raw) => Number.parseInt(raw.slice(2), 16)],
  [/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/, (raw) => coreSpecialFloat(raw)],
  [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (raw) => Number.parseFloat(raw)],
  [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (raw) => Number.parseFloat(raw)],
];

/**
 * Parses `text` with js-yaml when the answer is certainly `yaml`'s; undefined otherwise.
 * Left to `yaml`:
 * - anything js-yaml throws at (syntax errors, duplicate keys, unknown tags);
 * - a byte-order mark (js-yaml drops it, moving every offset), a directive, a lone CR, a
 *   line over 1024 characters;
 * - tags, anchors and aliases (js-yaml shares an aliased object where `yaml` expands it
 *   under `maxAliasCount`), and any collection reached twice in a document;
 * - nesting deeper than MAX_DEPTH;
 * - a plain scalar that js-yaml's core schema reads otherwise than `yaml`'s (0b1, +0x1, +.5);
 * - a key that is null or a collection (the two stringify those differently), and a merge
 *   key `<<` (parse.ts reads it as a YAML 1.1 merge);
 * - a quoted scalar or flow collection over several lines, a block scalar with an
 *   indentation indicator, an empty block sequence item, a comment right after a quoted
 *   scalar or flow collection;
 * - a document whose root is not a mapping, or a root other than a flow mapping on the `---` line.
 */
export function parseSimpleYaml(text: string): SimpleDocument[] | undefined {
  if (
    text.charCodeAt(0) === 0xfeff ||
    EMPTY_ITEM.test(text) ||
    LONE_CR.test(text) ||
    DIRECTIVE.test(text) ||
    hasLongLine(text)
  )
    return undefined;
  const roots: { offset: number; line: number; col: number; collections: Set<object> }[] = [];
  const starts: number[] = [];
  const listener = (event: EventType, state: State): void => {
    if (event === "open") {
      if (starts.length >= MAX_DEPTH) throw OUT;
      const begin = contentStart(text, state.position);
      const c = text.charCodeAt(begin);
      if (c === 33 /* ! */ || c === 38 /* & */ || c === 42 /* * */) throw OUT; // a tag, an anchor, an alias
      if (starts.length === 0) {
        const { position, line, lineStart } = state;
        // A block collection may not start on the `---` line: `yaml` says so, js-yaml reads it.
        if (position > lineStart && text.startsWith("---", lineStart) && c !== 123 /* { */) throw OUT;
        roots.push({
          offset: position,
          line: line + 1,
          col: position - lineStart + 1,
          collections: new Set(),
        });
      }
      starts.push(begin);
      return;
    }
    const start = starts.pop() as number;
    const tag = (state as State & { tag: string | null }).tag;
    const first = text.charCodeAt(start);
    if (state.kind === "scalar") {
      if (tag === null) {
        // A quoted or block scalar, a string for both parsers; but `yaml` wants a space
        // before a comment after a quoted scalar, and see multiLine and BLOCK_INDENTATION.
        const quoted = first === 34 /* " */ || first === 39; /* ' */
        if (
          quoted &&
          (text.charCodeAt(state.position) === 35 /* # */ || multiLine(text, start, state.position))
        )
          throw OUT;
        const block = first === 124 /* | */ || first === 62; /* > */
        if (block && BLOCK_INDENTATION.test(text.slice(start, start + 4))) throw OUT;
      } else if (CORE_FIRST.has(first)) {
        if (!sameAsCore(text.slice(start, state.position).trimEnd(), state.result)) throw OUT;
      } else if (typeof state.result !== "string") throw OUT;
    } else if (state.kind === "mapping" || state.kind === "sequence") {
      if (
        (first === 123 /* { */ || first === 91) /* [ */ &&
        (multiLine(text, start, state.position) || text.charCodeAt(state.position) === 35) /* # */
      )
        throw OUT;
      (roots.at(-1) as (typeof roots)[number]).collections.add(state.result); // a node may close twice
    }
  };
  let values: unknown[];
  try {
    values = loadAll(text, undefined, { schema: CORE_SCHEMA, listener });
  } catch {
    return undefined; // OUT, or any error of js-yaml's: `yaml` reports errors with their positions
  }
  if (values.length !== roots.length) return undefined;
  const docs: SimpleDocument[] = [];
  for (const [i, value] of values.entries()) {
    if (value === null || value === undefined) continue; // an empty document, as `yaml` skips it
    const root = roots[i] as (typeof roots)[number];
    if (typeof value !== "object" || Array.isArray(value)) return undefined;
    // Every collection js-yaml built must be reached exactly once: one reached twice is an
    // alias, one never reached was a key (js-yaml and `yaml` stringify those differently).
    try {
      if (countCollections(value, new Set()) !== root.collections.size) return undefined;
    } catch (err) {
      if (err === OUT) return undefined;
      throw err;
    }
    docs.push({
      value: value as Record<string, unknown>,
      offset: root.offset,
      line: root.line,
      col: root.col,
    });
  }
  return docs;
}

/** Whether a line of `text` is longer than MAX_LINE (a loop: the regex is a hundred times slower). */
function hasLongLine(text: string): boolean {
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    if (end - start > MAX_LINE) return true;
    start = end + 1;
  }
  return false;
}

/** Where the node opened at `pos` starts: after spaces, line breaks and comments. */
function contentStart(text: string, pos: number): number {
  let i = pos;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 35 /* # */) {
      const eol = text.indexOf("\n", i);
      if (eol === -1) return text.length;
      i = eol + 1;
    } else return i;
  }
}

/**
 * Whether the quoted scalar or flow collection from `start` to `end` spans lines: `yaml`
 * refuses its next lines when they are indented no deeper than its parent, js-yaml does not.
 */
function multiLine(text: string, start: number, end: number): boolean {
  const nl = text.indexOf("\n", start);
  return nl !== -1 && nl < end && text.slice(nl, end).trim() !== "";
}

/** Whether js-yaml's value for the plain scalar `raw` is the one `yaml`'s core schema gives. */
function sameAsCore(raw: string, value: unknown): boolean {
  if (!CORE_ANY.test(raw)) return typeof value === "string";
  for (const [test, resolve] of CORE_SCALARS) if (test.test(raw)) return Object.is(resolve(raw), value);
  return typeof value === "string";
}

function coreSpecialFloat(raw: string): number {
  if (raw.slice(-3).toLowerCase() === "nan") return Number.NaN;
  return raw[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

/** The collections in `value`; throws OUT at one reached twice, at a key "null" (a null key to js-yaml) or "<<". */
function countCollections(value: unknown, seen: Set<object>): number {
  if (value === null || typeof value !== "object") return 0;
  if (seen.has(value)) throw OUT;
  seen.add(value);
  let n = 1;
  if (Array.isArray(value)) {
    for (const item of value) n += countCollections(item, seen);
    return n;
  }
  for (const key of Object.keys(value)) {
    if (key === "null" || key === "<<") throw OUT; // "<<" is a merge key to `yaml` (parse.ts), a key to js-yaml's core schema
    n += countCollections((value as Record<string, unknown>)[key], seen);
  }
  return n;
}
