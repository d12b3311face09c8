/**
 * What the loader reports: one `Problem` per thing wrong in a repository, each with the
 * place it stands (file:line:col) and a message a person can act on. Message texts are
 * the named builders below, so tests and callers match them without copying strings.
 */

/** Machine-readable class of a problem. */
export type ProblemCode =
  | "no-manifests"
  | "unreadable"
  | "file-too-large"
  | "yaml-syntax"
  | "yaml-aliases"
  | "not-a-document"
  | "unknown-kind"
  | "api-version"
  | "unknown-field"
  | "missing-field"
  | "invalid-value"
  | "duplicate-key"
  | "unknown-reference"
  | "group-clash"
  | "number-overlap"
  | "number-block"
  | "user-conflict"
  | "secret-unresolved";

/** One thing wrong in a repository, where it stands and what to do about it. */
export interface Problem {
  /** Path of the file, as the directory given to the loader joined with the file's path in it. */
  file: string;
  /** 1-based line and column of the offending node (the unknown key, the parent of a missing field, ...). */
  line: number;
  col: number;
  /** Kind and metadata.name of the document, when known. */
  kind?: string;
  name?: string;
  message: string;
  code: ProblemCode;
}

/** Stands for a value that a message must not show (it may be a secret). */
export const HIDDEN: unique symbol = Symbol("hidden");

/** A value as messages show it: JSON, or a note that it is hidden. */
const shown = (v: unknown): string =>
  v === HIDDEN ? "value not shown: it may be a secret" : JSON.stringify(v);

const quoteList = (values: readonly unknown[]): string => values.map((v) => JSON.stringify(v)).join(", ");

/** Message texts, one builder per problem (error texts are named constants, style.md §4). */
export const msg = {
  noManifests: (dir: string) => `no manifests (*.yaml, *.yml) found under ${dir}`,
  unreadable: (reason: string) => `cannot read the file: ${reason}`,
  fileTooLarge: (size: number, limit: number) =>
    `file is ${mib(size)}, above the ${mib(limit)} limit for one manifest file; split it into smaller files`,
  yamlSyntax: (reason: string) => `YAML syntax error: ${reason}`,
  yamlAliases: (limit: number) =>
    `too many YAML alias expansions (more than ${limit}): aliases that multiply (a "YAML bomb") are refused`,
  notADocument: (got: string) =>
    `a manifest document must be a mapping with apiVersion, kind, metadata and spec (got ${got})`,
  unknownKind: (got: unknown, allowed: readonly string[], suggestion?: string) =>
    `unknown kind ${JSON.stringify(got)} (allowed: ${allowed.join(", ")})${suggestion ? `; did you mean '${suggestion}'?` : ""}`,
  missingKind: (allowed: readonly string[]) =>
    `missing required field 'kind' (allowed: ${allowed.join(", ")})`,
  apiVersion: (got: unknown, allowed: readonly string[]) =>
    `unsupported apiVersion ${JSON.stringify(got)} (allowed: ${allowed.join(", ")})`,
  missingApiVersion: (allowed: readonly string[]) =>
    `missing required field 'apiVersion' (allowed: ${allowed.join(", ")})`,
  unknownField: (field: string, allowed: readonly string[], suggestion?: string) =>
    `unknown field '${field}' (allowed: ${allowed.join(", ")})${suggestion ? `; did you mean '${suggestion}'?` : ""}`,
  missingField: (field: string, condition?: string) =>
    `missing required field '${field}'${condition ? ` (required when ${condition})` : ""}`,
  fieldNotForKind: (field: string, kind: string) => `field '${field}' is not allowed on a ${kind}`,
  fieldNotAllowed: (field: string, condition: string) => `field '${field}' is not allowed when ${condition}`,
  enumValue: (field: string, allowed: readonly unknown[], got: unknown) =>
    `field '${field}' must be one of: ${quoteList(allowed)} (got ${JSON.stringify(got)})`,
  constValue: (field: string, want: unknown, got: unknown) =>
    `field '${field}' must be ${JSON.stringify(want)} (got ${JSON.stringify(got)})`,
  wrongType: (field: string, want: string, got: unknown) =>
    `field '${field}' must be ${want} (got ${got === HIDDEN ? shown(got) : describeValue(got)})`,
  badFormat: (field: string, what: string, got: unknown) =>
    `field '${field}' must be ${what} (got ${JSON.stringify(got)})`,
  badPattern: (field: string, pattern: string, got: unknown, hint?: string) =>
    `field '${field}' does not match ${pattern} (got ${shown(got)})${hint ? `: ${hint}` : ""}`,
  oneOf: (field: string, alternatives: readonly string[]) =>
    `field '${field}' must be exactly one of: ${alternatives.join(" or ")}`,
  secretInline:
    "a secret is never written inline: name an environment variable (fromEnv) or a file (fromFile)",
  invalid: (field: string, reason: string) => `field '${field}' ${reason}`,
  duplicateKey: (key: string, first: string) => `duplicate ${key}: already declared at ${first}`,
  unknownTenant: (code: string) => `tenant '${code}' is not declared (no Tenant with that customerCode)`,
  /** A reference to a parent (the kind registry's label, e.g. "PBX") not declared in the tenant. */
  unknownReference: (label: string, tenant: string, name: string) =>
    `${label} '${name}' is not declared in tenant '${tenant}'`,
  unknownUser: (tenant: string, email: string) =>
    `user '${email}' is not declared in tenant '${tenant}': add a User document, or give firstName and lastName here to create it`,
  groupClash: (number: string, group: string, other: string, at: string) =>
    `extension ${number} clashes with ${other} at ${at}: PBXs of group '${group}' share one numbering plan`,
  numberOverlap: (number: string, size: number, other: string, otherSize: number, at: string) =>
    `block ${number} (${size} numbers) overlaps block ${other} (${otherSize} numbers) at ${at}`,
  numberBlock: (number: string, digits: number) =>
    `the last ${digits} digit${digits === 1 ? "" : "s"} of ${number} must be 0 for a ${digits}-digit block (a block starts at ${number.slice(0, -digits)}${"0".repeat(digits)})`,
  userConflict: (email: string, here: string, other: string, at: string) =>
    `user '${email}' is defined here as '${here}' but as '${other}' at ${at}`,
  secretEnvUnset: (name: string) =>
    `secret from environment variable ${name}: the variable is unset or empty`,
  secretFileMissing: (path: string, reason: string) => `secret from file ${path}: ${reason}`,
} as const;

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Formats a problem as `file:line:col: Kind/name: message`, the file relative to `cwd` when given. */
export function formatProblem(p: Problem, relativeFile: (file: string) => string = (f) => f): string {
  const who = p.kind ? `${p.kind}/${p.name ?? "?"}: ` : "";
  return `${relativeFile(p.file)}:${p.line}:${p.col}: ${who}${p.message}`;
}

/** Orders problems by file, line and column, so output is stable. */
export function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col,
  );
}
