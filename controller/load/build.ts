/**
 * Building the `DesiredState` from checked documents: policies resolved (resource, then
 * tenant, then defaults), secrets read from the environment, files or (api sources only)
 * the controller's stored secrets into `Secret`s, and
 * users defined inline in extensions turned into User resources.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { contractSchemaDocument, schemaRef } from "../../platform/contract.js";
import {
  type AnyDesiredResource,
  type DesiredState,
  emptyDesiredState,
  type KindName,
  type ResourcePolicy,
  Secret,
} from "../model/desired-state.js";
import { tenantKey, userKey } from "../model/keys.js";
import { currentApiVersion, registry } from "../model/registry.js";
import type { Metadata, UserDocument, UserSpec } from "../model/resources.gen.js";
import type { UserDefinition } from "./cross.js";
import { type Entry, problemAt } from "./documents.js";
import { normaliseFiscalCode } from "./formats.js";
import type { NodePath } from "./parse.js";
import { msg, type Problem } from "./problems.js";
import type { Validators } from "./schema.js";
import { decodeText } from "./text.js";

/** What building needs besides the documents. */
export interface BuildOptions {
  /** Environment that `fromEnv` secrets read (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Prefixes a `fromEnv` variable must start with (default `defaultSecretEnvPrefixes`,
   * `OMNIA_SECRET_`). The operator's setting (`OMNIA_SECRET_ENV_PREFIXES`, see
   * `secretEnvPrefixesFrom`), never the repository's: a manifest must not reach
   * variables the operator did not give it. The tool's own settings stay refused
   * whatever the prefixes (`isForbiddenSecretVariable`).
   */
  secretEnvPrefixes?: readonly string[];
  /**
   * Reads a `fromFile` secret by absolute path (resolved against the referring
   * manifest's folder), as UTF-8 text; throws an errno error when it cannot. Default: the
   * file system. An in-memory source passes its own.
   */
  readSecretFile?: (path: string) => string;
  /**
   * Folders a `fromFile` secret must resolve inside (after symlinks): the repository's
   * root, and any secrets folder the operator names. Default: none, so without a root
   * (text loaded from memory) no file secret is read from disk.
   */
  secretRoots?: readonly string[];
  /**
   * driftMode of documents whose own metadata and tenant set none: the source's policy
   * (`SourcePolicies.driftMode` of a registered source). Default `enforce`.
   */
  defaultDriftMode?: ResourcePolicy["driftMode"];
  /**
   * Reads `{fromSecret}` references: secrets stored through the controller API, given only
   * by the `api` source (controller/sources/stored.ts). Default: none, so a `fromSecret`
   * in a repository's manifest is a problem at its place (`msg.secretStoredOnlyInApi`).
   */
  storedSecrets?: StoredSecretReader;
}

/**
 * The secrets a source stored through the controller API, already read (the loader is
 * synchronous). `read(tenant, name)` answers the clear value, `undefined` when no such
 * secret is stored for the tenant, or throws an `Error` whose message says why it cannot be
 * decrypted (never the value), e.g. that it was encrypted under another key id.
 */
export interface StoredSecretReader {
  read(tenant: string, name: string): string | undefined;
}

/** Largest secret file read (bytes): a PIN or password is a line, not a document. */
export const maxSecretFileBytes = 4096;

/** Why a secret file is refused: named texts (style.md §4). */
export const secretFileRefusals = {
  outside: (roots: readonly string[]) =>
    `it is outside the repository; secrets are read only inside ${roots.length > 0 ? roots.join(", ") : "a repository folder"}`,
  notRegular: "it is not a regular file (a device, a FIFO or a folder)",
  tooLarge: (size: number) => `it is ${size} bytes, above the ${maxSecretFileBytes}-byte limit for a secret`,
} as const;

/** A refusal of a secret file, shown as the reason it cannot be read. */
class SecretFileRefused extends Error {}

/**
 * Reads a secret file from disk, confined as an untrusted repository requires: the path
 * (symlinks resolved) must be inside one of `roots`; only a regular file of at most
 * `maxSecretFileBytes` is read, opened without blocking (a FIFO cannot hang the process);
 * the text is decoded as manifests are (UTF-8 with or without BOM, UTF-16 with BOM).
 * Throws `SecretFileRefused` or the file system's error.
 */
export function readSecretFileConfined(path: string, roots: readonly string[]): string {
  const real = realpathSync(path);
  const inside = roots.some((root) => {
    const r = realpathSync(root);
    return real === r || real.startsWith(r.endsWith(sep) ? r : `${r}${sep}`);
  });
  if (!inside) throw new SecretFileRefused(secretFileRefusals.outside(roots));
  const fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new SecretFileRefused(secretFileRefusals.notRegular);
    if (info.size > maxSecretFileBytes) throw new SecretFileRefused(secretFileRefusals.tooLarge(info.size));
    const buffer = Buffer.alloc(maxSecretFileBytes + 1);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    if (n > maxSecretFileBytes) throw new SecretFileRefused(secretFileRefusals.tooLarge(n));
    const decoded = decodeText(buffer.subarray(0, n));
    if ("error" in decoded) throw new Error(msg.notUtf8(decoded.error));
    return decoded.text;
  } finally {
    closeSync(fd);
  }
}

/** The prefix a `fromEnv` variable must have unless the operator names others. */
export const defaultSecretEnvPrefixes: readonly string[] = ["OMNIA_SECRET_"];

/** The operator's setting that names the allowed `fromEnv` prefixes (comma-separated). */
export const secretEnvPrefixesSetting = "OMNIA_SECRET_ENV_PREFIXES";

/** A prefix in `OMNIA_SECRET_ENV_PREFIXES` is not a variable-name prefix. */
export const errSecretEnvPrefix = `${secretEnvPrefixesSetting} must list variable-name prefixes (A-Z, 0-9, _; not starting with a digit), comma-separated`;

/**
 * The allowed `fromEnv` prefixes from the operator's `OMNIA_SECRET_ENV_PREFIXES`
 * ("OMNIA_SECRET_,CI_SECRET_"): unset or blank gives `defaultSecretEnvPrefixes`. Throws
 * `errSecretEnvPrefix` for an empty item or a prefix that is not a variable name's start
 * (an empty prefix would allow every variable).
 */
export function secretEnvPrefixesFrom(value: string | undefined): readonly string[] {
  if (value === undefined || value.trim() === "") return defaultSecretEnvPrefixes;
  const prefixes = value.split(",").map((p) => p.trim());
  for (const p of prefixes)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(p))
      throw new Error(`${errSecretEnvPrefix} (got ${JSON.stringify(p)})`);
  return prefixes;
}

/**
 * Environment variables a manifest may never read with `fromEnv`: the tool's own settings
 * and credentials (`OMNIA_*` but `OMNIA_SECRET_*`, the secret key `OMNIA_SECRET_KEY[_FILE]`,
 * the prefix setting `OMNIA_SECRET_ENV_PREFIXES`, the database URL and PostgreSQL's
 * variables, tokens). A manifest comes from a partner's repository; the process's
 * credentials are the operator's.
 */
export function isForbiddenSecretVariable(name: string): boolean {
  // The key of secret hashes shares the prefix of the variables manifests may read.
  if (name === "OMNIA_SECRET_KEY" || name === "OMNIA_SECRET_KEY_FILE" || name === secretEnvPrefixesSetting)
    return true;
  if (name.startsWith("OMNIA_") && !name.startsWith("OMNIA_SECRET_")) return true;
  // A token is a credential of the controller's, even in the OMNIA_SECRET_ namespace.
  return name === "DATABASE_URL" || /^PG[A-Z]+$/.test(name) || /(^|_)TOKEN$/.test(name);
}

type SecretRef = { fromEnv: string } | { fromFile: string } | { fromSecret: string };

/**
 * Which of the platform's secret schemas (schemas/omnia-api.yaml, components/schemas) a
 * secret must satisfy: an extension's PIN is `Pin`, a trunk's password `Secret`.
 */
type SecretRule = "Pin" | "Secret";
const ruleNames: Record<SecretRule, string> = { Pin: "a PIN", Secret: "a password" };

/** The contract's rule of a secret field: `Pin` for a PIN, `Secret` for any other secret. */
const secretRuleOf = (path: string): SecretRule => (path === "spec.pin" ? "Pin" : "Secret");

let secretValidators: Record<SecretRule, ValidateFunction> | undefined;

/**
 * The platform's rules for secrets, compiled once from the API contract, so that validate
 * refuses what the platform would refuse at apply (never a half-done apply over a PIN).
 */
function secretRules(): Record<SecretRule, ValidateFunction> {
  if (!secretValidators) {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(contractSchemaDocument());
    secretValidators = { Pin: ajv.compile(schemaRef("Pin")), Secret: ajv.compile(schemaRef("Secret")) };
  }
  return secretValidators;
}

/**
 * A secret file's content as the secret: a byte-order mark and surrounding whitespace and
 * line breaks removed (Notepad's BOM and CRLF, an editor's final blank line). A secret
 * that starts or ends with a space cannot come from a file.
 */
export const secretFromFileText = (text: string): string => text.trim(); // trim() removes U+FEFF too

/** Reads secrets, caching files so that a PIN file shared by many extensions is read once. */
class SecretResolver {
  readonly #files = new Map<string, string | Error>();
  constructor(
    readonly env: Readonly<Record<string, string | undefined>>,
    readonly problems: Problem[],
    readonly readSecretFile: (path: string) => string,
    readonly envPrefixes: readonly string[],
    readonly stored: StoredSecretReader | undefined,
  ) {}

  resolve(entry: Entry, ref: SecretRef, path: NodePath, rule: SecretRule): Secret | undefined {
    const who = { kind: entry.kind, name: entry.name };
    const checked = (value: string, source: string, field: string): string | undefined => {
      const validate = secretRules()[rule];
      if (validate(value)) return value;
      const why = (validate.errors ?? []).map((e) => e.message ?? e.keyword).join(", ");
      this.problems.push(
        problemAt(
          entry.parsed,
          [...path, field],
          who,
          msg.secretRefused(source, ruleNames[rule], `${why}: schemas/omnia-api.yaml ${rule}`),
          "secret-invalid",
        ),
      );
      return undefined;
    };
    if ("fromSecret" in ref) {
      const where = [...path, "fromSecret"];
      const refuse = (message: string) => {
        this.problems.push(problemAt(entry.parsed, where, who, message, "secret-unresolved"));
        return undefined;
      };
      if (!this.stored) return refuse(msg.secretStoredOnlyInApi(ref.fromSecret));
      let value: string | undefined;
      try {
        value = this.stored.read(entry.tenant, ref.fromSecret);
      } catch (err) {
        return refuse(msg.secretStoredUnreadable(ref.fromSecret, (err as Error).message));
      }
      if (value === undefined) return refuse(msg.secretStoredMissing(ref.fromSecret, entry.tenant));
      const ok = checked(value, `stored secret ${ref.fromSecret}`, "fromSecret");
      return ok === undefined ? undefined : new Secret(ok, `stored:${ref.fromSecret}`);
    }
    if ("fromEnv" in ref) {
      if (isForbiddenSecretVariable(ref.fromEnv)) {
        this.problems.push(
          problemAt(
            entry.parsed,
            [...path, "fromEnv"],
            who,
            msg.secretEnvForbidden(ref.fromEnv),
            "secret-unresolved",
          ),
        );
        return undefined;
      }
      if (!this.envPrefixes.some((prefix) => ref.fromEnv.startsWith(prefix))) {
        this.problems.push(
          problemAt(
            entry.parsed,
            [...path, "fromEnv"],
            who,
            msg.secretEnvNotAllowed(ref.fromEnv, this.envPrefixes),
            "secret-unresolved",
          ),
        );
        return undefined;
      }
      const value = this.env[ref.fromEnv];
      if (value) {
        const ok = checked(value, `environment variable ${ref.fromEnv}`, "fromEnv");
        return ok === undefined ? undefined : new Secret(ok, `env:${ref.fromEnv}`);
      }
      this.problems.push(
        problemAt(
          entry.parsed,
          [...path, "fromEnv"],
          who,
          msg.secretEnvUnset(ref.fromEnv),
          "secret-unresolved",
        ),
      );
      return undefined;
    }
    const file = resolve(dirname(entry.parsed.file), ref.fromFile);
    let content = this.#files.get(file);
    if (content === undefined) {
      try {
        content = secretFromFileText(this.readSecretFile(file));
      } catch (err) {
        content = err as Error;
      }
      this.#files.set(file, content);
    }
    if (typeof content === "string" && content.length > 0) {
      const ok = checked(content, `file ${ref.fromFile}`, "fromFile");
      return ok === undefined ? undefined : new Secret(ok, `file:${ref.fromFile}`);
    }
    const reason =
      content instanceof SecretFileRefused
        ? content.message
        : content instanceof Error
          ? (content as NodeJS.ErrnoException).code === "ENOENT"
            ? "the file does not exist"
            : `cannot read it (${(content as NodeJS.ErrnoException).code ?? content.message})`
          : "the file is empty";
    this.problems.push(
      problemAt(
        entry.parsed,
        [...path, "fromFile"],
        who,
        msg.secretFileMissing(ref.fromFile, reason),
        "secret-unresolved",
      ),
    );
    return undefined;
  }
}

// Extensions may define their user inline (cross.ts); those users are built here too.
const userKind = "User" satisfies KindName;

/** Builds the desired state of valid `entries`; secret problems are appended to `problems`. */
export function buildState(
  entries: Entry[],
  inlineUsers: Map<string, UserDefinition>,
  validators: Validators,
  problems: Problem[],
  options: BuildOptions = {},
): DesiredState {
  const state = emptyDesiredState();
  const roots = options.secretRoots ?? [];
  const secrets = new SecretResolver(
    options.env ?? process.env,
    problems,
    options.readSecretFile ?? ((path) => readSecretFileConfined(path, roots)),
    options.secretEnvPrefixes ?? defaultSecretEnvPrefixes,
    options.storedSecrets,
  );
  const tenantDrift = new Map<string, ResourcePolicy["driftMode"]>();
  for (const e of entries)
    if (registry[e.kind].root && e.doc.metadata.driftMode) tenantDrift.set(e.key, e.doc.metadata.driftMode);
  const policyOf = (meta: Metadata, tenant: string): ResourcePolicy => ({
    deletionPolicy: meta.deletionPolicy ?? "delete",
    driftMode: meta.driftMode ?? tenantDrift.get(tenantKey(tenant)) ?? options.defaultDriftMode ?? "enforce",
    ignore: meta.ignore ?? [],
  });
  const base = (e: Entry) => ({
    key: e.key,
    name: e.name,
    tenant: e.tenant,
    labels: e.doc.metadata.labels ?? {},
    policy: policyOf(e.doc.metadata, e.tenant),
    source: { file: e.parsed.file, ...e.parsed.position([]) },
  });
  const declaredUsers = new Set<string>();
  for (const e of entries) {
    if (!e.valid) {
      resolveSecrets(e, secrets); // to report them too; the resource itself is not built
      continue;
    }
    const resolved = resolveSecrets(e, secrets);
    if (!resolved) continue; // a secret did not resolve: its problem is reported
    // A fiscal code written in lower case is valid (formats.ts) and sent upper case.
    const spec =
      typeof resolved.fiscalCode === "string"
        ? { ...resolved, fiscalCode: normaliseFiscalCode(resolved.fiscalCode) }
        : resolved;
    if (e.kind === userKind) declaredUsers.add(e.key);
    const pbx = e.doc.metadata.pbx;
    // Each collection holds the resources of its kind; the entry's kind picks both.
    (state[registry[e.kind].collection] as AnyDesiredResource[]).push({
      kind: e.kind,
      ...base(e),
      ...(pbx === undefined ? {} : { pbx }),
      spec,
    } as AnyDesiredResource);
  }
  for (const [key, def] of inlineUsers) {
    if (declaredUsers.has(key)) continue;
    const e = def.entry;
    state.users.push({
      kind: "User",
      key: userKey(e.tenant, def.email),
      name: nameFromEmail(def.email),
      tenant: e.tenant,
      labels: {},
      policy: policyOf({ name: "" }, e.tenant),
      spec: inlineUserSpec(validators, def, e.tenant),
      source: { file: e.parsed.file, ...e.parsed.position([]) },
    });
  }
  return state;
}

/**
 * The entry's spec with each secret reference (the kind registry's `secretPaths`) replaced by
 * its resolved `Secret`; an absent optional secret stays absent. Undefined when a secret
 * does not resolve (the resolver has reported where and why).
 */
function resolveSecrets(e: Entry, secrets: SecretResolver): Record<string, unknown> | undefined {
  let spec = e.doc.spec as Record<string, unknown>;
  let ok = true;
  for (const path of registry[e.kind].secretPaths) {
    const parts = path.split(".").slice(1); // below `spec`
    const ref = valueAt(spec, parts);
    if (ref === undefined) continue;
    const secret = secrets.resolve(e, ref as SecretRef, path.split("."), secretRuleOf(path));
    if (secret) spec = withValueAt(spec, parts, secret);
    else ok = false;
  }
  return ok ? spec : undefined;
}

function valueAt(node: unknown, parts: readonly string[]): unknown {
  let v = node;
  for (const p of parts)
    v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

/** A copy of `node` with `value` at `parts`, copying only the objects on the way. */
function withValueAt(
  node: Record<string, unknown>,
  parts: readonly string[],
  value: unknown,
): Record<string, unknown> {
  const [head, ...rest] = parts;
  if (head === undefined) return node;
  const child = node[head];
  return {
    ...node,
    [head]: rest.length === 0 ? value : withValueAt((child ?? {}) as Record<string, unknown>, rest, value),
  };
}

/** The spec of a user defined inline: its names and the schema's defaults for the rest. */
function inlineUserSpec(validators: Validators, def: UserDefinition, tenant: string): UserSpec {
  const doc: UserDocument = {
    apiVersion: currentApiVersion,
    kind: userKind,
    metadata: { name: nameFromEmail(def.email), tenant },
    spec: { firstName: def.firstName, lastName: def.lastName, email: def.email },
  };
  validators.User(doc); // applies defaults (roles); the fields were validated in the extension
  return doc.spec;
}

/** A document name made from an email's local part: "giulia.rossi@x" -> "giulia-rossi". */
export function nameFromEmail(email: string): string {
  const local = (email.split("@")[0] ?? "").toLowerCase().replace(/[^a-z0-9-]+/g, "-");
  return (
    local
      .replace(/^-+|-+$/g, "")
      .slice(0, 63)
      .replace(/-+$/, "") || "user"
  );
}

/** Every resource of a state, in kind order. */
export function allResources(state: DesiredState): AnyDesiredResource[] {
  return [
    ...state.tenants,
    ...state.users,
    ...state.trunks,
    ...state.pbxs,
    ...state.numbers,
    ...state.extensions,
  ];
}
