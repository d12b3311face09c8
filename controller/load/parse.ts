/**
 * Reading manifest files: find them under a directory, refuse files that are too large
 * before reading them, parse every YAML document keeping positions, and refuse alias
 * expansion beyond a limit (a "YAML bomb"). No schema knowledge here.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type Document, isMap, isScalar, LineCounter, type Node, parseAllDocuments } from "yaml";
import { parseSimpleYaml } from "./fast-yaml.js";
import { msg, type Problem } from "./problems.js";

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
}

/** Lists `*.yaml` and `*.yml` files under `dir`, recursively, sorted; hidden folders and node_modules are skipped. */
export async function listManifestFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(dir, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const path = rel ? join(rel, e.name) : e.name;
      if (e.isDirectory()) {
        if (!e.name.startsWith(".") && e.name !== "node_modules") await walk(path);
      } else if (e.isFile() && /\.ya?ml$/i.test(e.name)) {
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
): Promise<{ documents: ParsedDocument[]; problems: Problem[]; text?: string }> {
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
    text = await readFile(file, "utf8");
  } catch (err) {
    return { documents: [], problems: [at(msg.unreadable((err as Error).message), "unreadable")] };
  }
  return { ...parseManifestText(file, text, opts), text };
}

/**
 * Parses the text of one file (exported for tests and for callers holding text in memory).
 * Plain files take the fast path (fast-yaml.ts, js-yaml); any other, and every error, goes to `yaml`.
 */
export function parseManifestText(
  file: string,
  text: string,
  options: ParseOptions = {},
): { documents: ParsedDocument[]; problems: Problem[] } {
  const opts = { ...defaultParseOptions, ...options };
  const lineCounter = new LineCounter();
  const documents: ParsedDocument[] = [];
  const problems: Problem[] = [];
  const linePos = (offset: number) => lineCounter.linePos(offset);
  const located = lazyPositions(text);
  const fast = parseSimpleYaml(text); // no aliases, no errors: the limits cannot be reached
  if (fast) {
    for (const { value, offset, line, col } of fast) {
      documents.push({
        file,
        value,
        position: (path, key) => (path.length === 0 ? { line, col } : located(offset, path, key)),
      });
    }
    return { documents, problems };
  }
  for (const doc of parseAllDocuments(text, { lineCounter, prettyErrors: false })) {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const { line, col } = linePos(e.pos[0]);
        problems.push({
          file,
          line,
          col,
          message: msg.yamlSyntax(yamlReason(e.message)),
          code: "yaml-syntax",
        });
      }
      continue;
    }
    if (doc.contents === null) continue; // an empty document (e.g. a comment-only file)
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: opts.maxAliasCount });
    } catch (err) {
      const { line, col } = linePos(doc.contents.range[0]);
      const aliases = /alias/i.test((err as Error).message);
      problems.push({
        file,
        line,
        col,
        message: aliases ? msg.yamlAliases(opts.maxAliasCount) : msg.yamlSyntax((err as Error).message),
        code: aliases ? "yaml-aliases" : "yaml-syntax",
      });
      continue;
    }
    if (value === null || value === undefined) continue; // an empty document between two `---`
    const offset = nodeOffset(doc, []);
    const start = linePos(offset);
    documents.push({
      file,
      value,
      position: (path, key) => (path.length === 0 ? { ...start } : located(offset, path, key)),
    });
  }
  return { documents, problems };
}

/**
 * Positions below a document's root, found on demand. Keeping every document's syntax
 * tree alive until the load ends costs more memory than the values themselves, and only
 * a problem needs a position inside a document; so the file's text is kept instead and
 * parsed with `yaml` the first time such a position is asked for. A document is found
 * again by the offset of its root node, which that parse gives the same way.
 */
function lazyPositions(
  text: string,
): (offset: number, path: NodePath, key?: boolean) => { line: number; col: number } {
  let parsed: { docs: Map<number, Document>; lineCounter: LineCounter } | undefined;
  return (offset, path, key) => {
    if (!parsed) {
      const lineCounter = new LineCounter();
      const docs = new Map<number, Document>();
      for (const doc of parseAllDocuments(text, { lineCounter, prettyErrors: false })) {
        if (doc.contents) docs.set(doc.contents.range[0], doc);
      }
      parsed = { docs, lineCounter };
    }
    const doc = parsed.docs.get(offset);
    return parsed.lineCounter.linePos(doc ? nodeOffset(doc, path, key) : offset);
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
