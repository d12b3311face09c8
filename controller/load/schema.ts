/**
 * Validating one document against its kind's JSON Schema (ajv, draft 2020-12), and
 * turning each ajv error into a `Problem` at the offending node: the unknown key, the
 * parent object of a missing field, the value of a wrong one.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { KindName } from "../model/desired-state.js";
import { kindFiles } from "../model/kinds.js";
import { addItalianFormats, formatProblem } from "./formats.js";
import type { NodePath, ParsedDocument } from "./parse.js";
import { HIDDEN, msg, type Problem } from "./problems.js";

// ajv-formats is CommonJS with a default export; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** The apiVersions this loader reads (from common.schema.json, through the kind registry). */
/** The document kinds, in dependency order. */
export { apiVersions, kindNames } from "../model/registry.js";

/** Finds `schemas/` from this module, whether it runs from source or from `dist/`. */
export function findSchemasDir(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "schemas", "common.schema.json"))) return join(dir, "schemas");
    if (dirname(dir) === dir) throw new Error(`schemas/ not found above ${from}`);
  }
}

/** Reads a schema file of `schemas/` as JSON. */
export function readSchema(file: string, dir = findSchemasDir()): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>;
}

/**
 * A validator per kind, compiled on first use of that kind (see `compileValidators`);
 * share one (compiling every kind costs 0.3-1 s on this machine's shared cores).
 */
export type Validators = Record<KindName, ValidateFunction>;

/**
 * The validators of every kind with the project's formats and options, each compiled the
 * first time its kind is read: the Terraform provider, which Terraform starts for every
 * validate of a command, compiles only the kinds the configuration has. Reading a kind
 * throws what ajv throws for a bad schema (schemas/ is checked by the tests).
 * `options.onCompile` is told each kind as it is compiled (tests, timing).
 */
export function compileValidators(
  dir = findSchemasDir(),
  options: { onCompile?: (kind: KindName) => void } = {},
): Validators {
  let ajv: Ajv2020 | undefined;
  const instance = (): Ajv2020 => {
    if (ajv) return ajv;
    ajv = new Ajv2020({
      allErrors: true,
      strict: true,
      strictRequired: false,
      useDefaults: true,
      verbose: true,
    });
    addFormats(ajv);
    addItalianFormats(ajv);
    ajv.addSchema(readSchema("common.schema.json", dir));
    return ajv;
  };
  const out = {} as Validators;
  for (const [kind, file] of Object.entries(kindFiles) as [KindName, string][]) {
    let compiled: ValidateFunction | undefined;
    Object.defineProperty(out, kind, {
      enumerable: true,
      get: () => {
        if (!compiled) {
          compiled = instance().compile(readSchema(file, dir));
          options.onCompile?.(kind);
        }
        return compiled;
      },
    });
  }
  return out;
}

/** Friendly names of string formats, for messages. */
const formatNames: Record<string, string> = {
  email: "an email address",
  "it-vat-number": "an Italian VAT number (Partita IVA, 11 digits)",
  "it-fiscal-code":
    "an Italian fiscal code (Codice Fiscale: 16 characters for a person, 11 digits for a company)",
};

const typeNames: Record<string, string> = {
  string: "a string",
  object: "a mapping",
  array: "a list",
  boolean: "true or false",
  integer: "an integer",
  number: "a number",
};

/** Problems of one document, and the paths of the fields they concern. */
export interface SchemaResult {
  problems: Problem[];
  /** JSON pointers of the fields that are wrong or missing (unknown fields are not listed). */
  fields: string[];
}

/**
 * Validates `doc` (already known to be of `kind`) and returns its problems. Schema
 * defaults are applied to `doc.value` in place.
 */
export function validateDocument(
  validate: ValidateFunction,
  doc: ParsedDocument,
  who: { kind: string; name?: string },
): SchemaResult {
  if (validate(doc.value)) return { problems: [], fields: [] };
  const errors = validate.errors ?? [];
  // instancePath -> the condition of a failed `if` ("kind is 'single'"), for its then/else errors
  const conditions = new Map<string, Condition>();
  for (const e of errors) if (e.keyword === "if") conditions.set(e.instancePath, describeCondition(e.schema));
  const problems: Problem[] = [];
  const fields: string[] = [];
  const seen = new Set<string>();
  for (const e of selectErrors(errors)) {
    if (isEnvelopeError(e)) continue; // apiVersion is checked before the schema (documents.ts)
    if (e.propertyName !== undefined) continue; // a bad key: reported once by its propertyNames error
    if (branchOfBadCondition(e, errors, conditions)) continue;
    const mapped = describe(e, errors, conditions, who.kind, doc.source);
    if (!mapped) continue;
    const { line, col } = doc.position(mapped.path, mapped.key);
    const id = `${line}:${col}:${mapped.message}`;
    if (seen.has(id)) continue; // the same rule reached through two schemas (metadata's allOf)
    seen.add(id);
    problems.push({ file: doc.file, line, col, ...who, message: mapped.message, code: mapped.code });
    if (e.keyword !== "additionalProperties") {
      const missing = e.params.missingProperty;
      fields.push(typeof missing === "string" ? `${e.instancePath}/${missing}` : e.instancePath);
    }
  }
  return { problems, fields };
}

/**
 * Errors inside a failed oneOf: when some branch failed only below the oneOf's own node
 * (e.g. `fromEnv` with a bad name), those deeper errors say more than "must match exactly
 * one"; otherwise the oneOf alone is reported and its branches' errors are dropped.
 */
function selectErrors(errors: ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  for (const one of errors) {
    if (one.keyword !== "oneOf") continue;
    const inside = errors.filter((e) => e.schemaPath.startsWith(`${one.schemaPath}/`));
    const deeper = inside.filter((e) => e.instancePath.length > one.instancePath.length);
    for (const e of inside) if (deeper.length === 0 || !deeper.includes(e)) dropped.add(e);
    if (deeper.length > 0) dropped.add(one);
  }
  return errors.filter((e) => !dropped.has(e));
}

function isEnvelopeError(e: ErrorObject): boolean {
  return (
    e.instancePath === "/apiVersion" ||
    (e.instancePath === "" && e.keyword === "required" && e.params.missingProperty === "apiVersion")
  );
}

interface Mapped {
  path: NodePath;
  key?: boolean;
  message: string;
  code: Problem["code"];
}

function describe(
  e: ErrorObject,
  all: ErrorObject[],
  conditions: Map<string, Condition>,
  kind: string,
  source?: (path: NodePath) => string | undefined,
): Mapped | null {
  const path = pointerToPath(e.instancePath);
  const field = fieldName(path);
  const p = e.params as Record<string, unknown>;
  // Inside a secret reference the value is never echoed: `fromEnv: "4711"` may be the PIN itself.
  const data = e.schemaPath.includes("/$defs/secretRef/") ? HIDDEN : e.data;
  switch (e.keyword) {
    case "if":
      return null; // reported through its then/else branch
    case "additionalProperties": {
      const extra = String(p.additionalProperty);
      const allowed = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      return {
        path: [...path, extra],
        key: true,
        message: msg.unknownField(extra, allowed, closest(extra, allowed)),
        code: "unknown-field",
      };
    }
    case "required": {
      const missing = String(p.missingProperty);
      const cond = e.schemaPath.endsWith("/else/required")
        ? conditions.get(e.instancePath)?.fails
        : undefined;
      return { path, message: msg.missingField(missing, cond), code: "missing-field" };
    }
    case "dependentRequired":
      return {
        path,
        message: msg.missingField(String(p.missingProperty), `'${String(p.property)}' is given`),
        code: "missing-field",
      };
    case "not": {
      const required = (e.schema as { required?: string[] } | undefined)?.required;
      const cond = conditions.get(e.instancePath)?.holds;
      if (required?.[0] && cond) {
        return {
          path: [...path, required[0]],
          key: true,
          message: msg.fieldNotAllowed(required[0], cond),
          code: "unknown-field",
        };
      }
      return { path, message: msg.invalid(field, "is not allowed here"), code: "invalid-value" };
    }
    case "false schema": // a field the kind forbids, e.g. metadata.pbx on a Number
      return { path, key: true, message: msg.fieldNotForKind(field, kind), code: "unknown-field" };
    case "enum":
      return {
        path,
        message: msg.enumValue(field, p.allowedValues as unknown[], e.data),
        code: "invalid-value",
      };
    case "const":
      return { path, message: msg.constValue(field, p.allowedValue, e.data), code: "invalid-value" };
    case "type":
      return {
        path,
        message: msg.wrongType(
          field,
          typeNames[String(p.type)] ?? String(p.type),
          data,
          data === HIDDEN ? undefined : source?.(path),
        ),
        code: "invalid-value",
      };
    case "format":
      return {
        path,
        message: msg.badFormat(
          field,
          formatNames[String(p.format)] ?? `a valid ${p.format}`,
          e.data,
          formatProblem(String(p.format), e.data),
        ),
        code: "invalid-value",
      };
    case "pattern":
      return {
        path,
        message: msg.badPattern(field, String(p.pattern), data, firstSentence(e.parentSchema?.description)),
        code: "invalid-value",
      };
    case "oneOf": {
      const alternatives = oneOfAlternatives(e);
      // The value itself is never echoed: it may be a secret written inline by mistake.
      const inline = alternatives.includes("{fromEnv}") && (e.data === null || typeof e.data !== "object");
      return {
        path,
        message: msg.oneOf(field, alternatives) + (inline ? `; ${msg.secretInline}` : ""),
        code: "invalid-value",
      };
    }
    case "propertyNames": {
      const bad = all.find((x) => x.keyword === "pattern" && x.instancePath === e.instancePath);
      return {
        path,
        message: msg.invalid(field, `has an invalid key${bad ? ` (${JSON.stringify(bad.data)})` : ""}`),
        code: "invalid-value",
      };
    }
    default:
      return { path, message: msg.invalid(field, e.message ?? "is not valid"), code: "invalid-value" };
  }
}

/** An `if` condition in words, when it holds and when it fails, and the fields it tests. */
interface Condition {
  holds: string;
  fails: string;
  fields: string[];
}

/**
 * A then/else error whose condition tests a field that is itself wrong or missing
 * (`kind: cluster` makes "group is required" noise): the field's own error says it all.
 */
function branchOfBadCondition(
  e: ErrorObject,
  all: ErrorObject[],
  conditions: Map<string, Condition>,
): boolean {
  if (!/\/(then|else)\//.test(e.schemaPath)) return false;
  const fields = conditions.get(e.instancePath)?.fields ?? [];
  return all.some(
    (x) =>
      x !== e &&
      fields.some(
        (f) =>
          x.instancePath === `${e.instancePath}/${f}` ||
          (x.keyword === "required" && x.instancePath === e.instancePath && x.params.missingProperty === f),
      ),
  );
}

/** "kind is 'single'" from an `if` schema made of `properties: {x: {const: v}}`. */
function describeCondition(schema: unknown): Condition {
  const props =
    (schema as { properties?: Record<string, { const?: unknown }> } | undefined)?.properties ?? {};
  const consts = Object.entries(props).filter(([, s]) => s && "const" in s);
  const value = (v: unknown) => JSON.stringify(v).replace(/"/g, "'");
  if (consts.length === 0) return { holds: "the condition holds", fails: "the condition fails", fields: [] };
  return {
    fields: consts.map(([k]) => k),
    holds: consts.map(([k, s]) => `${k} is ${value(s.const)}`).join(" and "),
    fails: consts.map(([k, s]) => `${k} is not ${value(s.const)}`).join(" or "),
  };
}

/** The alternatives of a oneOf, each as the required keys of its branch: "{fromEnv}". */
function oneOfAlternatives(e: ErrorObject): string[] {
  const branches = (e.schema as Array<{ required?: string[] }> | undefined) ?? [];
  return branches.map((b) => `{${(b.required ?? []).join(", ")}}`);
}

function pointerToPath(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Dotted field name for messages: spec.user.email, metadata.ignore[0]. */
function fieldName(path: NodePath): string {
  let out = "";
  for (const s of path) out += /^\d+$/.test(String(s)) ? `[${s}]` : out ? `.${s}` : String(s);
  return out || "(document)";
}

function firstSentence(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  const m = /^(.*?)\.(\s|$)/.exec(text);
  return m?.[1] ?? text;
}

/** The allowed name nearest to `word` by edit distance, when near enough to be a typo. */
export function closest(word: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const candidate of allowed) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
