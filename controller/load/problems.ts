/**
 * What the loader reports: one `Problem` per thing wrong in a repository, each with the
 * place it stands (file:line:col) and a message a person can act on. Message texts are
 * the named builders below, so tests and callers match them without copying strings.
 */

/** Machine-readable class of a problem. */
export type ProblemCode =
  | "no-manifests"
  | "repository-too-large"
  | "manual-rule"
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
  | "secret-unresolved"
  | "secret-invalid"
  | "number-plan"
  | "not-utf8"
  | "control-character"
  /** A `cdk.tf.json` that is not JSON (cdktf-json.ts). */
  | "json-syntax"
  /** Terraform that a synthesized file may hold but the controller does not evaluate: expressions, count, for_each. */
  | "terraform-unsupported";

/** One thing wrong in a repository, where it stands and what to do about it. */
export interface Problem {
  /** Path of the file, as the directory given to the loader joined with the file's path in it. */
  file: string;
  /** 1-based line and column of the offending node (the unknown key, the parent of a missing field, ...). */
  line: number;
  col: number;
  /** Kind and metadata.name of the document, when known. */
  kind?: string;
  /** The CDKTF construct path of the resource the problem stands in (a `cdk.tf.json`), e.g. `partner/acme/hq/ext-201`. */
  construct?: string;
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
  noManifests: (dir: string) => `no manifests (*.yaml, *.yml, cdk.tf.json) found under ${dir}`,
  tooManyFiles: (count: number, limit: number) =>
    `the repository has ${count} manifest files, above the limit of ${limit}; nothing was read`,
  tooManyBytes: (size: number, limit: number) =>
    `the repository's manifests hold ${mib(size)}, above the ${mib(limit)} limit; nothing was read`,
  tooManyDocuments: (count: number, limit: number) =>
    `the repository has ${count} documents, above the limit of ${limit}; nothing was checked`,
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
  wrongType: (field: string, want: string, got: unknown, written?: string) =>
    `field '${field}' must be ${want} (got ${got === HIDDEN ? shown(got) : describeValue(got)}${writtenAs(got, written)})${typeHint(want, got, written)}`,
  badFormat: (field: string, what: string, got: unknown, reason?: string) =>
    `field '${field}' must be ${what} (got ${JSON.stringify(got)})${reason ? `: it ${reason}` : ""}`,
  badPattern: (field: string, pattern: string, got: unknown, hint?: string) =>
    `field '${field}' does not match ${pattern} (got ${shown(got)})${hint ? `: ${hint}` : ""}`,
  oneOf: (field: string, alternatives: readonly string[]) =>
    `field '${field}' must be exactly one of: ${alternatives.join(" or ")}`,
  secretInline:
    "a secret is never written inline: name an environment variable (fromEnv) or a file (fromFile), or through the API a stored secret (fromSecret)",
  invalid: (field: string, reason: string) => `field '${field}' ${reason}`,
  duplicateKey: (key: string, first: string) => `duplicate ${key}: already declared at ${first}`,
  unknownTenant: (code: string) => `tenant '${code}' is not declared (no Tenant with that customerCode)`,
  omniaManagerDisabled: (code: string, tenantAt: string, label: string) =>
    `tenant '${code}' has omniaManager: false (${tenantAt}), and a ${label} is an Omnia Manager object the platform refuses without it; set omniaManager: true on the Tenant or remove this document`,
  omniaManagerRoleDisabled: (role: string, code: string, tenantAt: string) =>
    `omniaManagerRole '${role}' gives access to Omnia Manager, but tenant '${code}' has omniaManager: false (${tenantAt}), so the platform refuses the role; set omniaManagerRole: none, or omniaManager: true on the Tenant`,
  groupKindClash: (group: string, kind: string, other: string, otherKind: string, at: string) =>
    `PBX group '${group}' is joined here by a ${kind} PBX, but by the ${otherKind} PBX ${other} at ${at}: a group shares either the numbering plan (group PBXs) or queues, routes and BLF (shared PBXs), not both; give every PBX of the group one kind, or use another group name`,
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
  secretEnvForbidden: (name: string) =>
    `secret from environment variable ${name}: manifests may not read omnia's own settings or credentials (OMNIA_* other than OMNIA_SECRET_*, OMNIA_SECRET_KEY, OMNIA_SECRET_ENV_PREFIXES, DATABASE_URL, PG*, *_TOKEN)`,
  secretEnvNotAllowed: (name: string, prefixes: readonly string[]) =>
    `secret from environment variable ${name}: manifests may read only variables starting with ${prefixes.join(", ")} (the operator's OMNIA_SECRET_ENV_PREFIXES, or the partner's own namespace for resources written through the API); rename the variable, e.g. ${prefixes[0] ?? ""}${name.replace(/^OMNIA_SECRET_/, "")}`,
  secretFileMissing: (path: string, reason: string) => `secret from file ${path}: ${reason}`,
  secretStoredOnlyInApi: (name: string) =>
    `secret fromSecret ${name}: fromSecret names a secret stored through the controller API (PUT /v1/tenants/{tenant}/secrets/{name}) and is only allowed in resources written through the API; in a manifest file use fromEnv or fromFile`,
  secretStoredMissing: (name: string, tenant: string) =>
    `secret fromSecret ${name}: no secret of that name is stored for tenant ${tenant}; store it first with PUT /v1/tenants/${tenant}/secrets/${name}`,
  secretStoredUnreadable: (name: string, why: string) => `secret fromSecret ${name}: ${why}`,
  secretRefused: (source: string, what: string, rule: string) =>
    `secret from ${source}: the platform refuses it as ${what} (${rule}; value not shown)`,
  yamlUnresolvedAlias: (reason: string) =>
    `YAML syntax error: ${reason} (an anchor is known only after it, inside its own document: anchors do not cross ---)`,
  yamlTabIndent:
    "YAML syntax error: a TAB is used for indentation here; YAML indents with spaces only: replace the tab with spaces",
  notUtf8: (what: string) =>
    `the file is not UTF-8 (${what}): save it as UTF-8 (a UTF-16 file must start with its byte-order mark)`,
  controlCharacter: (field: string, code: number, index: number) =>
    `field '${field}' holds control character U+${code.toString(16).toUpperCase().padStart(4, "0")} at character ${index + 1}: only tab and line breaks are allowed in text`,
  loneSurrogate: (field: string, index: number) =>
    `field '${field}' holds an unpaired UTF-16 surrogate at character ${index + 1}: not valid Unicode text`,
  notGeographic: (number: string, range: string) =>
    `${number} is in the ${range} range of the Italian numbering plan, not a geographic number: a Number block holds geographic direct-dial numbers`,
  italianLength: (number: string, digits: number) =>
    `${number} has ${digits} digits after +39; an Italian geographic number has 6 to 11 (numbering plan of AGCOM)`,
  notInPlan: (number: string, country: string) =>
    `${number} is not a number of the numbering plan of +${country}`,
  notFixedLine: (number: string, type: string) =>
    `${number} is a ${type} number, not a geographic number: a Number block holds geographic direct-dial numbers`,
  blockOutsidePlan: (number: string, size: number, last: string) =>
    `a block of ${size} numbers from ${number} does not fit the numbering plan: its last number ${last} is not a geographic number`,
} as const;

/** The words YAML 1.1 read as booleans and YAML 1.2 reads as text (yaml.org/type/bool.html). */
const YAML11_BOOLEAN = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;

/** " written 0201" when the YAML text differs from the value it was read as. */
function writtenAs(got: unknown, written: string | undefined): string {
  if (written === undefined || got === HIDDEN || written === JSON.stringify(got) || written === String(got))
    return "";
  return `, written ${written}`;
}

/**
 * What to do when YAML read a value as other than what a field wants: a plain scalar
 * such as 0201, 0o17, +39..., Null or yes is read by YAML 1.2's core schema (the one this
 * loader uses) as a number, null or text; quoting keeps it as written.
 */
function typeHint(want: string, got: unknown, written: string | undefined): string {
  if (written === undefined || got === HIDDEN) return "";
  if (want === "a string" && got !== null && typeof got !== "object")
    return `: YAML reads ${written} as a ${typeof got}; quote it to keep it as written: "${written}"`;
  if (want === "a string" && got === null)
    return `: YAML reads ${written} as null; quote it to keep it as written: "${written}"`;
  if (want === "true or false" && typeof got === "string" && YAML11_BOOLEAN.test(written))
    return `: YAML 1.2 reads ${written} as text, not as a boolean as YAML 1.1 did; write true or false`;
  return "";
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return `${typeof v} ${JSON.stringify(v)}`;
}

/**
 * Formats a problem as `file:line:col: Kind/name: message` (`file:line:col (construct path): ...`
 * in a `cdk.tf.json`), the file relative to `cwd` when given.
 */
export function formatProblem(p: Problem, relativeFile: (file: string) => string = (f) => f): string {
  const who = p.kind ? `${p.kind}/${p.name ?? "?"}: ` : "";
  const construct = p.construct ? ` (${p.construct})` : "";
  return `${relativeFile(p.file)}:${p.line}:${p.col}${construct}: ${who}${p.message}`;
}

/** Orders problems by file, line and column, so output is stable. */
export function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col,
  );
}
