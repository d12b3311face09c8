/**
 * The loader: a directory of YAML manifests in, a validated `DesiredState` and every
 * problem found out. `loadDirectory` never throws for bad input: all of it is a `Problem`.
 */
import { stat } from "node:fs/promises";
import type { DesiredState } from "../model/desired-state.js";
import { buildState } from "./build.js";
import { crossCheck } from "./cross.js";
import { checkDocument, type Entry } from "./documents.js";
import { defaultParseOptions, listManifestFiles, type ParseOptions, parseManifestFile } from "./parse.js";
import { msg, type Problem, sortProblems } from "./problems.js";
import { compileValidators, type Validators } from "./schema.js";

export { allResources, nameFromEmail } from "./build.js";
export { formatProblem, msg, type Problem, type ProblemCode, sortProblems } from "./problems.js";

/** Options of `loadDirectory`, all with defaults. */
export interface LoadOptions extends ParseOptions {
  /** Environment that `fromEnv` secrets read (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Compiled validators to reuse across loads (default: compiled once per process). */
  validators?: Validators;
  /** Files parsed at once (default 16). */
  concurrency?: number;
}

/** What a load produced: the state of every valid document, and every problem, sorted by place. */
export interface LoadResult {
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
    if (!(await stat(dir)).isDirectory()) return loadFiles([dir], options);
    files = await listManifestFiles(dir);
  } catch (err) {
    return emptyResult([
      { file: dir, line: 1, col: 1, message: msg.unreadable((err as Error).message), code: "unreadable" },
    ]);
  }
  if (files.length === 0) {
    return emptyResult([{ file: dir, line: 1, col: 1, message: msg.noManifests(dir), code: "no-manifests" }]);
  }
  return loadFiles(files, options);
}

/** Loads the given manifest files as one source. */
export async function loadFiles(files: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const validators = options.validators ?? defaultValidators();
  const parseOptions = {
    maxFileBytes: options.maxFileBytes ?? defaultParseOptions.maxFileBytes,
    maxAliasCount: options.maxAliasCount ?? defaultParseOptions.maxAliasCount,
  };
  const parsed = await mapLimited(files, options.concurrency ?? 16, (f) =>
    parseManifestFile(f, parseOptions),
  );
  const problems: Problem[] = [];
  const entries: Entry[] = [];
  const declared = new Set<string>();
  let documents = 0;
  for (const file of parsed) {
    problems.push(...file.problems);
    for (const doc of file.documents) {
      documents++;
      const checked = checkDocument(validators, doc);
      problems.push(...checked.problems);
      if (checked.entry) entries.push(checked.entry);
      if (checked.partial) declared.add(checked.partial.key);
    }
  }
  const cross = crossCheck(entries, declared);
  problems.push(...cross.problems);
  const state = buildState(entries, cross.inlineUsers, validators, problems, { env: options.env });
  return { state, problems: sortProblems(problems), files: files.length, documents };
}

function emptyResult(problems: Problem[]): LoadResult {
  return { state: buildState([], new Map(), {} as Validators, []), problems, files: 0, documents: 0 };
}

/** Maps `items` with at most `limit` calls in flight, keeping order. */
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
