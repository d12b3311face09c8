/**
 * From parsed YAML to typed manifest documents: the envelope checks (apiVersion, kind),
 * schema validation, and each document's natural key, tenant and key field.
 */
import type { KindName } from "../model/desired-state.js";
import { documentRefs, isReferenced, keyOf, kindNames, registry } from "../model/registry.js";
import type { KindDocuments } from "../model/resources.gen.js";
import type { NodePath, ParsedDocument } from "./parse.js";
import { msg, type Problem } from "./problems.js";
import { apiVersions, closest, type Validators, validateDocument } from "./schema.js";

/** A manifest document of each kind, by kind (generated from the schemas). */
export type DocumentOfKind = KindDocuments;

/** One document whose identity and references passed its schema, with its identity worked out. */
export interface Entry<K extends KindName = KindName> {
  kind: K;
  doc: DocumentOfKind[K];
  parsed: ParsedDocument;
  name: string;
  /** Customer code of the owning tenant (a Tenant's own). */
  tenant: string;
  /** Natural key (keys.ts). */
  key: string;
  /** False when the document has problems outside its identity: checked across documents, but not built. */
  valid: boolean;
}

/** Where the field that makes a document's natural key stands, per kind (the kind registry's). */
export const keyField: Readonly<Record<KindName, NodePath>> = Object.fromEntries(
  kindNames.map((k) => [k, [...registry[k].keyField]]),
) as unknown as Record<KindName, NodePath>;

/** Natural key and tenant of a valid document. */
function identify(kind: KindName, doc: DocumentOfKind[KindName]): { tenant: string; key: string } {
  const refs = documentRefs(kind, doc);
  // A valid document has its key fields (its schema requires them).
  if (!refs) throw new Error(`no key for a valid ${kind} document`);
  return { tenant: refs.tenant, key: keyOf(kind, refs) };
}

/** A position in a document as a `Problem`. */
export function problemAt(
  parsed: ParsedDocument,
  path: NodePath,
  who: { kind?: string; name?: string },
  message: string,
  code: Problem["code"],
  key = false,
): Problem {
  return { file: parsed.file, ...parsed.position(path, key), ...who, message, code };
}

/** `file:line:col` of a path in a document, for messages that point at a second place. */
export function locate(parsed: ParsedDocument, path: NodePath = []): string {
  const { line, col } = parsed.position(path);
  return `${parsed.file}:${line}:${col}`;
}

/**
 * Checks the envelope and the schema of one document. Returns its entry when the fields
 * that identify it and that it refers by are valid (`valid` says whether all are);
 * otherwise its problems and, when its key could be read, a `partial` key that still
 * answers references (so one bad Tenant does not make every resource of it an error).
 */
export function checkDocument(
  validators: Validators,
  parsed: ParsedDocument,
): { entry?: Entry; partial?: { kind: KindName; key: string }; problems: Problem[] } {
  const value = parsed.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const got = value === null ? "null" : Array.isArray(value) ? "a list" : `${typeof value}`;
    return { problems: [problemAt(parsed, [], {}, msg.notADocument(got), "not-a-document")] };
  }
  const v = value as Record<string, unknown>;
  const meta = v.metadata as Record<string, unknown> | undefined;
  const name = typeof meta?.name === "string" ? meta.name : undefined;
  const who = { kind: typeof v.kind === "string" ? v.kind : undefined, name };
  if (!("kind" in v)) {
    return { problems: [problemAt(parsed, [], who, msg.missingKind(kindNames), "unknown-kind")] };
  }
  if (!kindNames.includes(v.kind as KindName)) {
    return {
      problems: [
        problemAt(
          parsed,
          ["kind"],
          who,
          msg.unknownKind(
            v.kind,
            kindNames,
            typeof v.kind === "string" ? closest(v.kind, kindNames) : undefined,
          ),
          "unknown-kind",
        ),
      ],
    };
  }
  const kind = v.kind as KindName;
  const problems: Problem[] = [];
  if (!apiVersions.includes(v.apiVersion as (typeof apiVersions)[number])) {
    const message =
      "apiVersion" in v ? msg.apiVersion(v.apiVersion, apiVersions) : msg.missingApiVersion(apiVersions);
    problems.push(problemAt(parsed, "apiVersion" in v ? ["apiVersion"] : [], who, message, "api-version"));
  }
  const schema = validateDocument(validators[kind], parsed, { kind, name });
  problems.push(...schema.problems);
  if (schema.fields.some(concernsIdentity)) return { partial: partialKey(kind, v), problems };
  const doc = v as unknown as DocumentOfKind[KindName];
  const { tenant, key } = identify(kind, doc);
  return {
    entry: { kind, doc, parsed, name: name ?? "", tenant, key, valid: problems.length === 0 },
    problems,
  };
}

// The fields the cross-document checks read: a document with a problem elsewhere (a bad
// license, an unknown field) still takes part in them, so that one run reports everything.
// Key fields and secrets come from the kind registry; the rest are the references and
// rules that cross.ts checks.
const identityFields = [
  ...new Set([
    "/metadata/name",
    "/metadata/tenant",
    "/metadata/pbx",
    ...kindNames.flatMap((k) => [
      `/${registry[k].keyField.join("/")}`,
      ...registry[k].secretPaths.map((p) => `/${p.replaceAll(".", "/")}`),
    ]),
    "/spec/firstName",
    "/spec/lastName",
    "/spec/kind",
    "/spec/group",
    "/spec/blockDigits",
    "/spec/pbx",
    "/spec/trunk",
    "/spec/user",
  ]),
];

/** Whether a wrong field at `pointer` is, contains or lies inside one the cross checks read. */
function concernsIdentity(pointer: string): boolean {
  return identityFields.some(
    (f) => pointer.startsWith(`${f}/`) || pointer === f || f.startsWith(`${pointer}/`) || pointer === "",
  );
}

/**
 * The natural key of an invalid document whose key fields are strings, else undefined; only
 * for kinds that other documents refer to (nothing refers to extensions or numbers).
 */
function partialKey(kind: KindName, v: Record<string, unknown>): { kind: KindName; key: string } | undefined {
  if (!isReferenced(kind)) return undefined;
  const refs = documentRefs(kind, v);
  return refs ? { kind, key: keyOf(kind, refs) } : undefined;
}
