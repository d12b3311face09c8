/**
 * The configuration file of `omnia serve --config controller.yaml`: read as YAML the way
 * manifests are (controller/load/parse.ts, positions kept), validated against
 * `schemas/controller-config.schema.json` (ajv, JSON Schema 2020-12) with the schema's
 * defaults applied, then checked across entries (unique ids, git URLs allowed). Every
 * problem is reported at its `file:line:col`; relative paths are taken from the config
 * file's folder. No secret is read here: passwords and tokens stay references.
 */
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { formatProblem, type ParsedDocument, type Problem } from "../load/index.js";
import { parseManifestText } from "../load/parse.js";
import { readSchema } from "../load/schema.js";
import type {
  SecretReference,
  SourceLocation,
  SourcePolicies,
  SourceSpec,
  TokenScope,
} from "../model/control.js";
import { checkGitBranch, checkGitUrl, checkRepoPath, type GitProtocol } from "../sources/git-safety.js";

/** The configuration file has problems; each is listed below the first line. */
export const errConfigInvalid = "invalid controller configuration";
/** The configuration file cannot be read. */
export const errConfigUnreadable = "cannot read the controller configuration";

/** Texts of the configuration's own problems (besides the schema's). */
export const configMessages = {
  oneDocument: "the configuration is one YAML document; this file has more",
  notMapping: "the configuration must be a mapping (listen, state, git, sources, tokens)",
  unknownField: (name: string) => `unknown field ${JSON.stringify(name)}`,
  missingField: (name: string) => `missing field ${JSON.stringify(name)}`,
  duplicateSource: (id: string) => `source id ${JSON.stringify(id)} is used twice`,
  duplicateToken: (name: string, partner: string) =>
    `token ${JSON.stringify(name)} of partner ${JSON.stringify(partner)} is declared twice`,
} as const;

/** Branch of a git location that names none. */
export const defaultBranch = "main";

/** A token created (or kept) at start-up; its value is read from `secret` and stored hashed. */
export interface BootstrapToken {
  name: string;
  partner: string;
  scopes: TokenScope[];
  secret: SecretReference;
}

/**
 * Scheduler tuning of one replica (schema `scheduler`); absent fields take the defaults of
 * controller/scheduler (`SchedulerOptions`) and of the engine's leases (`leaseTtlMs`).
 */
export interface SchedulerTuning {
  /** Tenants reconciled at once by this replica. */
  concurrency?: number;
  /** Idle wait between looks at the request queue (ms). */
  pollMs?: number;
  /** A claimed request lapses this long after it was made or extended (ms). */
  claimMs?: number;
  /** Time-to-live of a tenant's lease while a run writes (ms). */
  leaseTtlMs?: number;
  /** Replica heartbeat period (ms); a replica silent three periods is not counted live. */
  heartbeatMs?: number;
}

/** The configuration with every default applied and relative paths resolved. */
export interface ControllerConfig {
  /** The file it was read from (absolute). */
  file: string;
  listen: { host: string; port: number };
  /** `dir` absolute; `databaseUrl` a reference when PostgreSQL is used. */
  state: { dir: string; databaseUrl?: SecretReference };
  git: { allowedProtocols: GitProtocol[] };
  /** Absent: every tuning default. */
  scheduler?: SchedulerTuning;
  /** The scrape token of `/metrics` (operator only); absent: `/metrics` is open. */
  metrics?: { token?: SecretReference };
  sources: SourceSpec[];
  tokens: BootstrapToken[];
}

/** The file is not a valid configuration; `problems` say where and what. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    /** `errConfigInvalid` or `errConfigUnreadable`. */
    readonly text: string,
    readonly problems: readonly Problem[],
    options?: { cause?: unknown },
  ) {
    super([`${text}:`, ...problems.map((p) => `  ${formatProblem(p)}`)].join("\n"), options);
  }
}

let compiled: ValidateFunction | undefined;

/** The schema's validator, compiled once (defaults applied in place). */
function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, useDefaults: true, verbose: true });
    compiled = ajv.compile(readSchema("controller-config.schema.json"));
  }
  return compiled;
}

/** Reads and checks a configuration file. Throws `ConfigError`. */
export async function loadControllerConfig(file: string): Promise<ControllerConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const problem: Problem = {
      file: path,
      line: 1,
      col: 1,
      message: (err as Error).message,
      code: "unreadable",
    };
    throw new ConfigError(errConfigUnreadable, [problem], { cause: err });
  }
  return parseControllerConfig(path, text);
}

/** Checks a configuration's text; `file` places problems and anchors relative paths. Throws `ConfigError`. */
export function parseControllerConfig(file: string, text: string): ControllerConfig {
  const path = resolve(file);
  const parsed = parseManifestText(path, text);
  if (parsed.problems.length > 0) throw new ConfigError(errConfigInvalid, parsed.problems);
  if (parsed.documents.length > 1) {
    const second = parsed.documents[1] as ParsedDocument;
    throw new ConfigError(errConfigInvalid, [at(second, [], configMessages.oneDocument)]);
  }
  const doc: ParsedDocument = parsed.documents[0] ?? {
    file: path,
    value: {},
    position: () => ({ line: 1, col: 1 }),
  };
  if (!doc.value || typeof doc.value !== "object" || Array.isArray(doc.value)) {
    throw new ConfigError(errConfigInvalid, [at(doc, [], configMessages.notMapping)]);
  }
  const validate = validator();
  if (!validate(doc.value))
    throw new ConfigError(errConfigInvalid, schemaProblems(doc, validate.errors ?? []));
  const raw = doc.value as RawConfig;
  const problems = crossProblems(doc, raw);
  if (problems.length > 0) throw new ConfigError(errConfigInvalid, problems);
  return build(path, raw);
}

/** The configuration as the schema shapes it, defaults applied. */
interface RawConfig {
  listen: { host: string; port: number };
  state: { dir: string; databaseUrl?: SecretReference };
  git: { allowedProtocols: GitProtocol[] };
  scheduler?: SchedulerTuning;
  metrics?: { token?: SecretReference };
  sources: Array<Omit<SourceSpec, "policies"> & { policies: SourcePolicies }>;
  tokens: BootstrapToken[];
}

function build(file: string, raw: RawConfig): ControllerConfig {
  const base = dirname(file);
  const local = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const ref = (r: SecretReference): SecretReference =>
    "fromFile" in r ? { fromFile: local(r.fromFile) } : r;
  // A default inside a oneOf form is not applied by ajv: the branch's is applied here.
  const location = (l: SourceLocation): SourceLocation =>
    l.type === "folder"
      ? { ...l, path: local(l.path) }
      : l.type === "git"
        ? { ...l, branch: l.branch ?? defaultBranch }
        : l;
  return {
    file,
    listen: raw.listen,
    state: {
      dir: local(raw.state.dir),
      ...(raw.state.databaseUrl ? { databaseUrl: ref(raw.state.databaseUrl) } : {}),
    },
    git: raw.git,
    ...(raw.scheduler ? { scheduler: raw.scheduler } : {}),
    ...(raw.metrics?.token ? { metrics: { token: ref(raw.metrics.token) } } : {}),
    sources: raw.sources.map((s) => ({
      ...s,
      location: location(s.location),
      account: { ...s.account, password: ref(s.account.password) },
      ...(s.webhookSecret ? { webhookSecret: ref(s.webhookSecret) } : {}),
    })),
    tokens: raw.tokens.map((t) => ({ ...t, secret: ref(t.secret) })),
  };
}

/** Checks across entries: unique source ids and token names, git URLs the allowed transports accept. */
function crossProblems(doc: ParsedDocument, raw: RawConfig): Problem[] {
  const problems: Problem[] = [];
  const ids = new Set<string>();
  raw.sources.forEach((s, i) => {
    if (ids.has(s.id)) problems.push(at(doc, ["sources", i, "id"], configMessages.duplicateSource(s.id)));
    ids.add(s.id);
    if (s.location.type === "git") {
      const loc = s.location;
      const checks: [string, () => unknown][] = [
        ["url", () => checkGitUrl(loc.url, raw.git.allowedProtocols)],
        ["branch", () => loc.branch === undefined || checkGitBranch(loc.branch)],
        ["path", () => checkRepoPath(loc.path)],
      ];
      for (const [field, check] of checks) {
        try {
          check();
        } catch (err) {
          problems.push(at(doc, ["sources", i, "location", field], (err as Error).message));
        }
      }
    }
  });
  const tokens = new Set<string>();
  raw.tokens.forEach((t, i) => {
    const id = `${t.partner}\0${t.name}`;
    if (tokens.has(id))
      problems.push(at(doc, ["tokens", i, "name"], configMessages.duplicateToken(t.name, t.partner)));
    tokens.add(id);
  });
  return problems;
}

function at(
  doc: ParsedDocument,
  path: ReadonlyArray<string | number>,
  message: string,
  key = false,
): Problem {
  return { file: doc.file, ...doc.position(path, key), message, code: "invalid-value" };
}

/** `/sources/0/id` as `["sources", 0, "id"]`. */
function pathOf(pointer: string): Array<string | number> {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** The field a path names, for messages: `sources[0].account.url`. */
function fieldOf(path: ReadonlyArray<string | number>): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("") || "(top)";
}

/**
 * ajv's errors as problems at their nodes. A failed `oneOf` (a location's forms, a secret
 * reference's) is narrowed to the form the text meant: forms whose `type` const or own
 * required key do not match are dropped; when one form is left its errors are shown,
 * else one message naming the forms.
 */
function schemaProblems(doc: ParsedDocument, errors: ErrorObject[]): Problem[] {
  const hidden = new Set<ErrorObject>();
  const extra: Problem[] = [];
  for (const one of errors.filter((e) => e.keyword === "oneOf")) {
    const branches = new Map<number, ErrorObject[]>();
    for (const e of errors) {
      const m = e.schemaPath.startsWith(`${one.schemaPath}/`)
        ? /^\/(\d+)\//.exec(e.schemaPath.slice(one.schemaPath.length))
        : null;
      if (!m) continue;
      hidden.add(e);
      const n = Number(m[1]);
      branches.set(n, [...(branches.get(n) ?? []), e]);
    }
    hidden.add(one);
    // A form with a `type` const is chosen by it alone (a git location missing its url is
    // still the git form); forms without one by their own required key.
    const byConst = [...branches].some(([, errs]) => errs.some((e) => e.keyword === "const"));
    const misfit = (e: ErrorObject) =>
      byConst ? e.keyword === "const" : e.keyword === "required" && e.instancePath === one.instancePath;
    const fits = [...branches].filter(([, errs]) => !errs.some(misfit));
    if (fits.length === 1) {
      for (const e of (fits[0] as [number, ErrorObject[]])[1]) hidden.delete(e);
    } else {
      const path = pathOf(one.instancePath);
      extra.push(at(doc, path, `${fieldOf(path)}: ${formsOf(one)}`));
    }
  }
  const problems = errors.filter((e) => !hidden.has(e)).map((e) => problemOf(doc, e));
  const byPlace = new Map<string, Problem>();
  for (const p of [...problems, ...extra]) byPlace.set(`${p.line}:${p.col}:${p.message}`, p);
  return [...byPlace.values()].sort((a, b) => a.line - b.line || a.col - b.col);
}

/** The forms of a `oneOf`, from its schema: `type` consts, else each form's required keys. */
function formsOf(one: ErrorObject): string {
  const forms = (one.schema ?? []) as Array<{
    properties?: { type?: { const?: string } };
    required?: string[];
  }>;
  const types = forms.map((f) => f.properties?.type?.const).filter((t): t is string => t !== undefined);
  if (types.length === forms.length && types.length > 0) return `type must be one of ${types.join(", ")}`;
  return `must be one of ${forms.map((f) => `{${(f.required ?? []).join(", ")}}`).join(" or ")}`;
}

function problemOf(doc: ParsedDocument, e: ErrorObject): Problem {
  const path = pathOf(e.instancePath);
  if (e.keyword === "additionalProperties") {
    const name = String(e.params.additionalProperty);
    return { ...at(doc, [...path, name], configMessages.unknownField(name), true), code: "unknown-field" };
  }
  if (e.keyword === "required") {
    const name = String(e.params.missingProperty);
    return {
      ...at(doc, path, `${fieldOf(path)}: ${configMessages.missingField(name)}`),
      code: "missing-field",
    };
  }
  const allowed = e.keyword === "enum" ? ` (${(e.params.allowedValues as unknown[]).join(", ")})` : "";
  return at(doc, path, `${fieldOf(path)}: ${e.message ?? e.keyword}${allowed}`);
}
