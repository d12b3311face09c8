/**
 * A fast path for the plain YAML that manifests are almost always written in: block
 * mappings of simple keys, block sequences of scalars, one-line flow collections, plain
 * and quoted scalars without escapes, comments, `---` between documents. It builds the values directly, with no
 * syntax tree, and gives up (returns undefined) at the first thing outside that subset;
 * the caller then parses the whole file with `yaml`, which also reports every error.
 * Inside the subset the values are those of `yaml`'s core schema (fast-yaml.test.ts
 * compares the two on generated texts).
 */

/** A document read by the fast path: its value and where its root mapping starts. */
export interface SimpleDocument {
  value: Record<string, unknown>;
  /** Offset, line (1-based) of the document's first key; its column is always 1. */
  offset: number;
  line: number;
}

/** Given up: the text leaves the subset (not necessarily an error). */
const OUT = Symbol("out of the subset");

/** A block mapping key: a plain word, then `:` and a space or the end of the line. */
const BLOCK_KEY = /^([A-Za-z_][A-Za-z0-9_./-]{0,199}):(?: +|$)/;
/** A flow mapping key and its `: `. */
const FLOW_KEY = /^([A-Za-z_][A-Za-z0-9_./-]{0,199}): +/;
/** Keys that the core schema reads as null or a boolean (their JS key differs), or that touch the prototype. */
const SPECIAL_KEY = /^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|__proto__)$/;
/** First characters of a plain scalar that the subset does not take (YAML indicators, signs, digits aside). */
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;
/** The core schema's other numbers (octal, hex, infinities and NaN, floats): left to `yaml`. */
const OTHER_NUMBER = [
  /^0o[0-7]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];
/** Deepest nesting the fast path takes; deeper documents go to `yaml` and its own limits. */
const MAX_DEPTH = 32;

/** Parses `text` when it lies in the subset; undefined otherwise. */
export function parseSimpleYaml(text: string): SimpleDocument[] | undefined {
  if (hasUnsupportedChar(text)) return undefined;
  try {
    return parseLines(text);
  } catch (err) {
    if (err === OUT) return undefined;
    throw err;
  }
}

/**
 * Characters that make the whole file leave the subset: tabs, CR and the other control
 * characters but newline, byte-order marks, the Unicode line and paragraph separators.
 */
function hasUnsupportedChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 10) || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff)
      return true;
  }
  return false;
}

/** A block collection still open: a mapping, or a sequence of scalars and flow collections. */
type Open =
  | { indent: number; map: Record<string, unknown>; seq?: undefined }
  | { indent: number; seq: unknown[] };

function parseLines(text: string): SimpleDocument[] {
  const docs: SimpleDocument[] = [];
  let current: SimpleDocument | undefined;
  let stack: Open[] = [];
  // A `key:` without a value: a deeper next line opens its mapping, anything else makes it null.
  let pending: { map: Record<string, unknown>; key: string; indent: number } | undefined;
  const finish = () => {
    if (pending) pending.map[pending.key] = null;
    pending = undefined;
    if (current) docs.push(current);
    current = undefined;
    stack = [];
  };
  let lineNo = 0;
  for (let pos = 0; pos < text.length; ) {
    let end = text.indexOf("\n", pos);
    if (end === -1) end = text.length;
    const line = text.slice(pos, end);
    const lineStart = pos;
    pos = end + 1;
    lineNo++;
    if (line === "---") {
      finish();
      continue;
    }
    if (line.startsWith("---") || line.startsWith("...") || line.startsWith("%")) throw OUT;
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    if (indent === line.length) continue; // blank
    if (line[indent] === "#") continue; // a comment line, at any indentation
    if (!current) {
      if (indent !== 0) throw OUT;
      current = { value: {}, offset: lineStart, line: lineNo };
      stack = [{ indent: 0, map: current.value }];
    }
    const item = line.startsWith("- ", indent);
    if (pending) {
      // A sequence may stand at its key's own indentation; a mapping must be deeper.
      if (indent > pending.indent || (item && indent === pending.indent)) {
        if (stack.length >= MAX_DEPTH) throw OUT; // deep nesting is yaml's to refuse or accept
        const open: Open = item ? { indent, seq: [] } : { indent, map: {} };
        pending.map[pending.key] = open.seq ?? open.map;
        stack.push(open);
      } else {
        pending.map[pending.key] = null;
      }
      pending = undefined;
    }
    for (let t = stack.at(-1); t && (t.indent > indent || (t.seq && t.indent === indent && !item)); ) {
      stack.pop();
      t = stack.at(-1);
    }
    const top = stack.at(-1);
    if (!top || top.indent !== indent) throw OUT;
    if (top.seq) {
      if (!item) throw OUT;
      const cursor = { s: line, i: indent + 2 };
      spaces(cursor);
      if (cursor.i === line.length || line[cursor.i] === "#") throw OUT; // a null or nested item
      top.seq.push(blockValue(cursor));
      trailing(cursor);
      continue;
    }
    const m = BLOCK_KEY.exec(line.slice(indent));
    if (!m) throw OUT;
    const key = m[1] as string;
    checkKey(top.map, key);
    const rest = line.slice(indent + m[0].length);
    if (rest === "" || rest[0] === "#") {
      pending = { map: top.map, key, indent };
      continue;
    }
    const cursor = { s: rest, i: 0 };
    top.map[key] = blockValue(cursor);
    trailing(cursor);
  }
  finish();
  return docs;
}

function checkKey(map: Record<string, unknown>, key: string): void {
  if (SPECIAL_KEY.test(key) || Object.hasOwn(map, key)) throw OUT;
}

interface Cursor {
  s: string;
  i: number;
}

/** Only spaces, then optionally a comment, may follow a value. */
function trailing(c: Cursor): void {
  const rest = c.s.slice(c.i);
  if (rest.trim() === "") return;
  if (/^ +#/.test(rest)) return;
  throw OUT;
}

/** A value after `key: ` in a block mapping. */
function blockValue(c: Cursor): unknown {
  const ch = c.s[c.i];
  if (ch === '"' || ch === "'") return quoted(c);
  if (ch === "{" || ch === "[") return flowCollection(c, 1);
  const rest = c.s.slice(c.i);
  const hash = rest.indexOf(" #");
  const raw = (hash === -1 ? rest : rest.slice(0, hash)).replace(/ +$/, "");
  if (/[#[\]{}]|:(?: |$)/.test(raw)) throw OUT; // "host:5060" is a plain scalar, "a: b" is not
  c.i += raw.length;
  return plain(raw);
}

/** A quoted scalar on one line, without escapes. */
function quoted(c: Cursor): string {
  const q = c.s[c.i] as string;
  const close = c.s.indexOf(q, c.i + 1);
  if (close === -1) throw OUT;
  const body = c.s.slice(c.i + 1, close);
  if (q === '"' && body.includes("\\")) throw OUT;
  if (c.s[close + 1] === q) throw OUT; // '' inside a single-quoted scalar
  c.i = close + 1;
  return body;
}

/** A flow mapping or sequence that closes on the same line. */
function flowCollection(c: Cursor, depth: number): unknown {
  if (depth > MAX_DEPTH) throw OUT;
  const isMap = c.s[c.i] === "{";
  const closer = isMap ? "}" : "]";
  c.i++;
  spaces(c);
  const map: Record<string, unknown> = {};
  const seq: unknown[] = [];
  if (c.s[c.i] === closer) {
    c.i++;
    return isMap ? map : seq;
  }
  for (;;) {
    if (isMap) {
      const m = FLOW_KEY.exec(c.s.slice(c.i));
      if (!m) throw OUT;
      const key = m[1] as string;
      checkKey(map, key);
      c.i += m[0].length;
      map[key] = flowValue(c, depth);
    } else {
      seq.push(flowValue(c, depth));
    }
    spaces(c);
    const ch = c.s[c.i];
    c.i++;
    if (ch === closer) return isMap ? map : seq;
    if (ch !== ",") throw OUT;
    spaces(c);
  }
}

function flowValue(c: Cursor, depth: number): unknown {
  const ch = c.s[c.i];
  if (ch === '"' || ch === "'") return quoted(c);
  if (ch === "{" || ch === "[") return flowCollection(c, depth + 1);
  let j = c.i;
  while (j < c.s.length && !",[]{}".includes(c.s[j] as string)) j++;
  const raw = c.s.slice(c.i, j).replace(/ +$/, "");
  if (raw === "" || /[:#]/.test(raw)) throw OUT;
  c.i += raw.length;
  return plain(raw);
}

function spaces(c: Cursor): void {
  while (c.s[c.i] === " ") c.i++;
}

/** A plain scalar as the core schema reads it: null, a boolean, a decimal integer or a string. */
function plain(raw: string): unknown {
  if (raw === "" || INDICATOR.test(raw)) throw OUT;
  if (/^(?:~|[Nn]ull|NULL)$/.test(raw)) return null;
  if (/^(?:[Tt]rue|TRUE)$/.test(raw)) return true;
  if (/^(?:[Ff]alse|FALSE)$/.test(raw)) return false;
  if (/^[-+]?[0-9]+$/.test(raw)) return Number.parseInt(raw, 10);
  if (OTHER_NUMBER.some((re) => re.test(raw))) throw OUT;
  return raw;
}
