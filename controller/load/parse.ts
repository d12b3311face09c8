/**
 * Reading manifest files: find them under a directory, refuse files that are too large
 * before reading them, decode them (text.ts: UTF-8 or UTF-16 with a BOM, else refused),
 * parse every YAML document keeping positions, and refuse alias expansion beyond a limit
 * (a "YAML bomb"); other YAML errors are reported as the parser words them. No schema
 * knowledge here.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  type Document,
  isMap,
  isScalar,
  LineCounter,
  type Node,
  parseAllDocuments,
  Scalar,
  visit,
} from "yaml";
import { isCdktfJson, parseCdktfJsonText } from "./cdktf-json.js";
import { parseSimpleYaml } from "./fast-yaml.js";
import { msg, type Problem } from "./problems.js";
import { decodeText, lf } from "./text.js";

/**
 * Options of every `yaml` parse: positions kept, and YAML 1.1 merge keys (`<<: *anchor`)
 * read as merges, as Kubernetes and Compose users write them; fast-yaml.ts leaves any `<<`
 * key to this parser.
 */
const yamlOptions = { prettyErrors: false, merge: true } as const;

/** Limits of the parser, with defaults that no real manifest reaches. */
export interface ParseOptions {
  /** Largest file read, in bytes (default 10 MiB). */
  maxFileBytes?: number;
  /** Most alias expansions in one document (default 1,000). */
  maxAliasCount?: number;
}

export const defaultParseOptions: Required<ParseOptions> = {
  maxFileBytes: 10 * 1024 * 1024,
  maxAliasCount: 1000,
};

/** A path into a document: mapping keys and sequence indexes. */
export type NodePath = ReadonlyArray<string | number>;

/** One parsed YAML document, its plain value and how to find a node's position in its file. */
export interface ParsedDocument {
  file: string;
  /** The document as plain data (mappings as objects). */
  value: unknown;
  /** Line and column of the node at `path` (of its key with `key: true`); the nearest existing ancestor otherwise. */
  position(path: NodePath, key?: boolean): { line: number; col: number };
  /**
   * The text of the plain (unquoted) scalar at `path` as written, e.g. `0201` for the
   * number 201; undefined when that node is quoted, not a scalar, empty or not found.
   */
  source?(path: NodePath): string | undefined;
}

/** What reading one file gives: its documents and problems. */
export interface ParsedFile {
  documents: ParsedDocument[];
  problems: Problem[];
  /** For a `cdk.tf.json`: the construct path at a place of `file`, shown in its problems. */
  construct?(file: string, line: number, col: number): string | undefined;
}

/**
 * Lists `*.yaml`, `*.yml` and `cdk.tf.json` (a synthesized CDKTF stack, cdktf-json.ts) files
 * under `dir`, recursively, sorted; hidden folders and node_modules are skipped.
 */
export async function listManifestFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(dir, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const path = rel ? join(rel, e.name) : e.name;
      if (e.isDirectory()) {
        if (!e.name.startsWith(".") && e.name !== "node_modules") await walk(path);
      } else if (e.isFile() && (/\.ya?ml$/i.test(e.name) || isCdktfJson(e.name))) {
        out.push(join(dir, path));
      }
    }
  };
  await walk("");
  return out;
}

/** Reads and parses one file; problems are syntax errors, size and alias limits. */
export async function parseManifestFile(
  file: string,
  options: ParseOptions = {},
): Promise<ParsedFile & { text?: string }> {
  const opts = { ...defaultParseOptions, ...options };
  const at = (message: string, code: Problem["code"], line = 1, col = 1): Problem => ({
    file,
    line,
    col,
    message,
    code,
  });
  let text: string;
  try {
    const info = await stat(file);
    if (info.size > opts.maxFileBytes) {
      return {
        documents: [],
        problems: [at(msg.fileTooLarge(info.size, opts.maxFileBytes), "file-too-large")],
      };
    }
    const decoded = decodeText(await readFile(file));
    if ("error" in decoded) {
      return {
        documents: [],
        problems: [at(msg.notUtf8(decoded.error), "not-utf8", decoded.line, decoded.col)],
      };
    }
    text = decoded.text;
  } catch (err) {
    return { documents: [], problems: [at(msg.unreadable((err as Error).message), "unreadable")] };
  }
  return { ...parseManifestText(file, text, opts), text };
}

/**
 * Parses the text of one file (exported for tests and for callers holding text in memory).
 * Plain files take the fast path (fast-yaml.ts, js-yaml); any other, and every error, goes to `yaml`.
 * A leading byte-order mark is dropped and CRLF read as LF, as text.ts does for files.
 */
export function parseManifestText(file: string, text: string, options: ParseOptions = {}): ParsedFile {
  const opts = { ...defaultParseOptions, ...options };
  text = lf(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text); // as decodeText gives a file's text
  if (isCdktfJson(file)) return parseCdktfJsonText(file, text);
  const lineCounter = new LineCounter();
  const documents: ParsedDocument[] = [];
  const problems: Problem[] = [];
  const linePos = (offset: number) => lineCounter.linePos(offset);
  const located = lazyNodes(text);
  const fast = parseSimpleYaml(text); // no aliases, no errors: the limits cannot be reached
  if (fast) {
    for (const { value, offset, line, col } of fast) {
      documents.push({
        file,
        value,
        position: (path, key) => (path.length === 0 ? { line, col } : located.position(offset, path, key)),
        source: (path) => located.source(offset, path),
      });
    }
    return { documents, problems };
  }
  const at = (offset: number, message: string, code: Problem["code"]): Problem => ({
    file,
    ...linePos(offset),
    message,
    code,
  });
  for (const doc of parseAllDocuments(text, { lineCounter, ...yamlOptions })) {
    if (doc.errors.length > 0) {
      // A TAB used as indentation makes the parser misread the lines after it: its own
      // error is the one to act on, the others follow from it.
      const tabs = doc.errors.filter((e) => e.code === "TAB_AS_INDENT");
      if (tabs.length > 0) {
        for (const e of tabs) problems.push(at(tabOffset(text, e.pos[0]), msg.yamlTabIndent, "yaml-syntax"));
        continue;
      }
      for (const e of doc.errors)
        problems.push(at(e.pos[0], msg.yamlSyntax(yamlReason(e.message)), "yaml-syntax"));
      continue;
    }
    if (doc.contents === null) continue; // an empty document (e.g. a comment-only file)
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: opts.maxAliasCount });
    } catch (err) {
      problems.push(...toJsProblems(doc, err as Error, opts.maxAliasCount, at));
      continue;
    }
    if (value === null || value === undefined) continue; // an empty document between two `---`
    const offset = nodeOffset(doc, []);
    const start = linePos(offset);
    documents.push({
      file,
      value,
      position: (path, key) => (path.length === 0 ? { ...start } : located.position(offset, path, key)),
      source: (path) => located.source(offset, path),
    });
  }
  return { documents, problems };
}

/**
 * Problems of a document whose values `yaml` could not build: each unresolved alias (an
 * anchor of another document, or set after the alias; also behind a merge key `<<`, where
 * the parser's first complaint is about the merge) with the parser's own message at the
 * alias; the "YAML bomb" message only for the parser's alias-expansion limit.
 */
function toJsProblems(
  doc: Document,
  err: Error,
  maxAliasCount: number,
  at: (offset: number, message: string, code: Problem["code"]) => Problem,
): Problem[] {
  const start = doc.contents?.range?.[0] ?? 0;
  const unresolved: Problem[] = [];
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc)) return;
      let reason = `Unresolved alias: ${alias.source}`;
      try {
        alias.toJS(doc); // throws the parser's own ReferenceError for this alias
      } catch (e) {
        reason = yamlReason((e as Error).message);
      }
      unresolved.push(at(alias.range?.[0] ?? start, msg.yamlUnresolvedAlias(reason), "yaml-syntax"));
    },
  });
  if (unresolved.length > 0) return unresolved;
  if (/excessive alias count/i.test(err.message))
    return [at(start, msg.yamlAliases(maxAliasCount), "yaml-aliases")];
  return [at(start, msg.yamlSyntax(yamlReason(err.message)), "yaml-syntax")];
}

/** The offset of the first TAB on the line of `offset` (where the parser saw the indentation). */
function tabOffset(text: string, offset: number): number {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const tab = text.indexOf("\t", lineStart);
  const eol = text.indexOf("\n", lineStart);
  return tab !== -1 && (eol === -1 || tab < eol) ? tab : offset;
}

/**
 * Positions below a document's root, found on demand. Keeping every document's syntax
 * tree alive until the load ends costs more memory than the values themselves, and only
 * a problem needs a position inside a document; so the file's text is kept instead and
 * parsed with `yaml` the first time such a position is asked for. A document is found
 * again by the offset of its root node, which that parse gives the same way.
 */
function lazyNodes(text: string): {
  position(offset: number, path: NodePath, key?: boolean): { line: number; col: number };
  source(offset: number, path: NodePath): string | undefined;
} {
  let parsed: { docs: Map<number, Document>; lineCounter: LineCounter } | undefined;
  const load = () => {
    if (!parsed) {
      const lineCounter = new LineCounter();
      const docs = new Map<number, Document>();
      for (const doc of parseAllDocuments(text, { lineCounter, ...yamlOptions })) {
        if (doc.contents) docs.set(doc.contents.range[0], doc);
      }
      parsed = { docs, lineCounter };
    }
    return parsed;
  };
  return {
    position(offset, path, key) {
      const { docs, lineCounter } = load();
      const doc = docs.get(offset);
      return lineCounter.linePos(doc ? nodeOffset(doc, path, key) : offset);
    },
    source(offset, path) {
      const doc = load().docs.get(offset);
      const node = doc?.getIn(path, true);
      if (!isScalar(node) || node.type !== Scalar.PLAIN) return undefined;
      const written = (node as Scalar & { source?: string }).source;
      return written ? written : undefined;
    },
  };
}

/** Offset of the node at `path` (or of its key), falling back to the nearest ancestor that exists. */
function nodeOffset(doc: Document, path: NodePath, key = false): number {
  let node = doc.contents as Node | null;
  let offset = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    if (!node || !("items" in node)) break;
    const step = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) break;
      const keyNode = pair.key as Node;
      if (last && key) return keyNode.range?.[0] ?? offset;
      node = (pair.value as Node | null) ?? null;
      offset = node?.range?.[0] ?? keyNode.range?.[0] ?? offset;
    } else {
      const item = (node.items as unknown[])[Number(step)] as Node | undefined;
      if (!item) break;
      node = item;
      offset = item.range?.[0] ?? offset;
    }
  }
  return offset;
}

/** The first line of a parser message; a stack overflow said as what it means. */
function yamlReason(message: string): string {
  if (/call stack/i.test(message)) return "the document is nested too deeply";
  return message.split("\n")[0] ?? message;
}
