/**
 * The loader: a directory of YAML manifests in, a validated `DesiredState` and every
 * problem found out. `loadDirectory` never throws for bad input: all of it is a `Problem`.
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { dirname, relative, sep } from "node:path";
import pLimit from "p-limit";
import type { DesiredState } from "../model/desired-state.js";
import { type BuildOptions, buildState } from "./build.js";
import { crossCheck } from "./cross.js";
import { checkDocument, type Entry } from "./documents.js";
import {
  defaultParseOptions,
  listManifestFiles,
  type ParsedDocument,
  type ParseOptions,
  parseManifestFile,
  parseManifestText,
} from "./parse.js";
import { msg, type Problem, sortProblems } from "./problems.js";
import { compileValidators, type Validators } from "./schema.js";
import { findBadStrings } from "./text.js";

export { allResources, nameFromEmail, type StoredSecretReader } from "./build.js";
export type { ParsedDocument } from "./parse.js";
export { formatProblem, msg, type Problem, type ProblemCode, sortProblems } from "./problems.js";

/** Caps on what one repository may hold; a partner's repository is untrusted input. */
export interface RepositoryLimits {
  /** Manifest files (default 20,000). */
  maxFiles: number;
  /** Bytes of all manifest files together (default 64 MiB; 100k extensions take about 25 MiB). */
  maxTotalBytes: number;
  /** Documents in all files together (default 250,000). */
  maxDocuments: number;
}

/** The default `RepositoryLimits`. */
export const defaultRepositoryLimits: RepositoryLimits = {
  maxFiles: 20_000,
  maxTotalBytes: 64 * 1024 * 1024,
  maxDocuments: 250_000,
};

/** Options of `loadDirectory`, all with defaults. */
export interface LoadOptions extends ParseOptions, BuildOptions {
  /** Compiled validators to reuse across loads (default: compiled once per process). */
  validators?: Validators;
  /** Files parsed at once (default 16). */
  concurrency?: number;
  /** Folder that input paths are taken relative to in `digest` (default: as given). */
  root?: string;
  /** Caps on the repository (default `defaultRepositoryLimits`). */
  limits?: Partial<RepositoryLimits>;
  /**
   * Folders the operator names (`OMNIA_SECRETS_ROOT`, `--secrets-root`) where a `fromFile`
   * secret may resolve besides the repository's root: added to the default `secretRoots`
   * (ignored when `secretRoots` is given). Default: none.
   */
  operatorSecretRoots?: readonly string[];
}

/** What a load produced: the state of every valid document, and every problem, sorted by place. */
export interface LoadResult {
  /**
   * SHA-256 (hex) over every input's path (relative to the folder loaded) and text, in
   * order: equal digests mean equal manifests. A folder source's revision.
   */
  digest: string;
  state: DesiredState;
  problems: Problem[];
  /** How many files and documents were read. */
  files: number;
  documents: number;
}

let sharedValidators: Validators | undefined;

/** The validators compiled once per process. */
function defaultValidators(): Validators {
  if (!sharedValidators) sharedValidators = compileValidators();
  return sharedValidators;
}

/** Loads every `*.yaml`/`*.yml` file under `dir`. Paths in problems and sources are `dir` joined with the file's path. */
export async function loadDirectory(dir: string, options: LoadOptions = {}): Promise<LoadResult> {
  let files: string[];
  try {
    if (!(await stat(dir)).isDirectory()) return loadFiles([dir], { ...options, root: dirname(dir) });
    files = await listManifestFiles(dir);
  } catch (err) {
    return emptyResult([
      { file: dir, line: 1, col: 1, message: msg.unreadable((err as Error).message), code: "unreadable" },
    ]);
  }
  if (files.length === 0) {
    return emptyResult([{ file: dir, line: 1, col: 1, message: msg.noManifests(dir), code: "no-manifests" }]);
  }
  const limits = { ...defaultRepositoryLimits, ...options.limits };
  const tooLarge = (message: string) =>
    emptyResult([{ file: dir, line: 1, col: 1, message, code: "repository-too-large" }]);
  if (files.length > limits.maxFiles) return tooLarge(msg.tooManyFiles(files.length, limits.maxFiles));
  // Sizes first, so a repository too large for memory is refused before any file is read.
  let bytes = 0;
  for (const f of files)
    bytes += await stat(f).then(
      (s) => s.size,
      () => 0,
    );
  if (bytes > limits.maxTotalBytes) return tooLarge(msg.tooManyBytes(bytes, limits.maxTotalBytes));
  return loadFiles(files, { root: dir, ...options });
}

/** Loads the given manifest files as one source. */
export async function loadFiles(files: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const parseOptions = {
    maxFileBytes: options.maxFileBytes ?? defaultParseOptions.maxFileBytes,
    maxAliasCount: options.maxAliasCount ?? defaultParseOptions.maxAliasCount,
  };
  const limit = pLimit(options.concurrency ?? 16);
  const parsed = await Promise.all(files.map((f) => limit(() => parseManifestFile(f, parseOptions))));
  const digest = digestOf(
    parsed.map((p, i) => [relative(options.root ?? "", files[i] as string), p.text ?? ""]),
  );
  return { ...loadDocuments(parsed, options), files: files.length, digest };
}

/** Parses manifest texts held in memory (`path -> text`) and loads them as one source. */
export function loadTexts(texts: ReadonlyMap<string, string>, options: LoadOptions = {}): LoadResult {
  const parseOptions = {
    maxFileBytes: options.maxFileBytes ?? defaultParseOptions.maxFileBytes,
    maxAliasCount: options.maxAliasCount ?? defaultParseOptions.maxAliasCount,
  };
  const sorted = [...texts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const parsed = sorted.map(([file, text]) => parseManifestText(file, text, parseOptions));
  return { ...loadDocuments(parsed, options), files: texts.size, digest: digestOf(sorted) };
}

/** SHA-256 (hex) of `(path, text)` pairs, in order. */
function digestOf(inputs: ReadonlyArray<readonly [string, string]>): string {
  const h = createHash("sha256");
  for (const [path, text] of inputs)
    h.update(path.split(sep).join("/")).update("\0").update(text).update("\0");
  return h.digest("hex");
}

/**
 * The one path every source's documents take, whatever produced them (YAML files, a
 * synthesized `cdk.tf.json`, resources stored through the API): envelope and schema
 * checks, cross-document checks, secrets resolved, policies applied. `parsed` holds each
 * input's documents and the problems found reading it; a document's `position()` gives
 * the place its problems are reported at. Never throws for bad input.
 */
export function loadDocuments(
  parsed: ReadonlyArray<{
    documents: readonly ParsedDocument[];
    problems: readonly Problem[];
    /** The construct path at a place (a `cdk.tf.json`), given to the problems found there. */
    construct?(file: string, line: number, col: number): string | undefined;
  }>,
  options: LoadOptions = {},
): Omit<LoadResult, "digest"> {
  const maxDocuments = options.limits?.maxDocuments ?? defaultRepositoryLimits.maxDocuments;
  const count = parsed.reduce((n, p) => n + p.documents.length, 0);
  if (count > maxDocuments) {
    const file = parsed.find((p) => p.documents.length > 0)?.documents[0]?.file ?? "";
    const message = msg.tooManyDocuments(count, maxDocuments);
    const tooMany: Problem = { file, line: 1, col: 1, message, code: "repository-too-large" };
    return { ...emptyResult([tooMany]), files: parsed.length, documents: count };
  }
  const validators = options.validators ?? defaultValidators();
  const problems: Problem[] = [];
  const entries: Entry[] = [];
  const declared = new Set<string>();
  let documents = 0;
  for (const file of parsed) {
    problems.push(...file.problems);
    for (const doc of file.documents) {
      documents++;
      problems.push(...badStringProblems(doc));
      const checked = checkDocument(validators, doc);
      problems.push(...checked.problems);
      if (checked.entry) entries.push(checked.entry);
      if (checked.partial) declared.add(checked.partial.key);
    }
  }
  const cross = crossCheck(entries, declared);
  // A document that could not be read may declare what the documents beside it refer to
  // (a User and its extensions in one file): until its own problem is fixed, "not
  // declared" in that file would send the reader after the wrong line. Other files keep
  // theirs, so one broken file never hides another's mistakes.
  const unread = new Set(parsed.flatMap((file) => file.problems.map((p) => p.file)));
  problems.push(...cross.problems.filter((p) => p.code !== "unknown-reference" || !unread.has(p.file)));
  const state = buildState(entries, cross.inlineUsers, validators, problems, {
    env: options.env,
    readSecretFile: options.readSecretFile,
    secretEnvPrefixes: options.secretEnvPrefixes,
    storedSecrets: options.storedSecrets,
    defaultDriftMode: options.defaultDriftMode,
    secretRoots: options.secretRoots ?? [
      ...(options.root === undefined ? [] : [options.root]),
      ...(options.operatorSecretRoots ?? []),
    ],
  });
  for (const file of parsed) {
    if (!file.construct) continue;
    for (const p of problems) p.construct ??= file.construct(p.file, p.line, p.col);
  }
  return { state, problems: sortProblems(problems), files: parsed.length, documents };
}

/**
 * Strings (values and keys) of a document holding control characters or unpaired
 * surrogates (text.ts), each a problem at its field: the platform and the state store
 * cannot keep them, and they are invisible in a terminal.
 */
function badStringProblems(doc: ParsedDocument): Problem[] {
  const v = doc.value as { kind?: unknown; metadata?: { name?: unknown } } | null;
  const who = {
    kind: typeof v?.kind === "string" ? v.kind : undefined,
    name: typeof v?.metadata?.name === "string" ? v.metadata.name : undefined,
  };
  return findBadStrings(doc.value).map((bad) => {
    const field = bad.path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
    const message = bad.surrogate
      ? msg.loneSurrogate(field, bad.index)
      : msg.controlCharacter(field, bad.code, bad.index);
    return { file: doc.file, ...doc.position(bad.path, bad.key), ...who, message, code: "control-character" };
  });
}

function emptyResult(problems: Problem[]): LoadResult {
  return {
    state: buildState([], new Map(), {} as Validators, []),
    problems,
    files: 0,
    documents: 0,
    digest: digestOf([]),
  };
}
