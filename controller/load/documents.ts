/**
 * From parsed YAML to typed manifest documents: the envelope checks (apiVersion, kind),
 * schema validation, and each document's natural key, tenant and key field.
 */
import type { KindName } from "../model/desired-state.js";
import { extensionKey, numberKey, pbxKey, sipTrunkKey, tenantKey, userKey } from "../model/keys.js";
import type {
  ExtensionDocument,
  NumberDocument,
  PbxDocument,
  SipTrunkDocument,
  TenantDocument,
  UserDocument,
} from "../model/resources.gen.js";
import type { NodePath, ParsedDocument } from "./parse.js";
import { msg, type Problem } from "./problems.js";
import { apiVersions, closest, kindNames, type Validators, validateDocument } from "./schema.js";

/** A manifest document of each kind, by kind. */
export interface DocumentOfKind {
  Tenant: TenantDocument;
  User: UserDocument;
  Pbx: PbxDocument;
  Extension: ExtensionDocument;
  Number: NumberDocument;
  SipTrunk: SipTrunkDocument;
}

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

/** Where the field that makes a document's natural key stands, per kind. */
export const keyField: Record<KindName, NodePath> = {
  Tenant: ["spec", "customerCode"],
  User: ["spec", "email"],
  Pbx: ["metadata", "name"],
  SipTrunk: ["metadata", "name"],
  Extension: ["spec", "number"],
  Number: ["spec", "number"],
};

/** Natural key and tenant of a valid document. */
function identify(kind: KindName, doc: DocumentOfKind[KindName]): { tenant: string; key: string } {
  const tenant = doc.kind === "Tenant" ? doc.spec.customerCode : (doc.metadata.tenant ?? "");
  switch (doc.kind) {
    case "Tenant":
      return { tenant, key: tenantKey(tenant) };
    case "User":
      return { tenant, key: userKey(tenant, doc.spec.email) };
    case "Pbx":
      return { tenant, key: pbxKey(tenant, doc.metadata.name) };
    case "SipTrunk":
      return { tenant, key: sipTrunkKey(tenant, doc.metadata.name) };
    case "Extension":
      return { tenant, key: extensionKey(tenant, doc.metadata.pbx ?? "", doc.spec.number) };
    case "Number":
      return { tenant, key: numberKey(doc.spec.number) };
    default:
      throw new Error(`no key for kind ${kind}`);
  }
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
const identityFields = [
  "/metadata/name",
  "/metadata/tenant",
  "/metadata/pbx",
  "/spec/customerCode",
  "/spec/email",
  "/spec/firstName",
  "/spec/lastName",
  "/spec/kind",
  "/spec/group",
  "/spec/number",
  "/spec/blockDigits",
  "/spec/pbx",
  "/spec/trunk",
  "/spec/user",
  "/spec/pin",
  "/spec/password",
];

/** Whether a wrong field at `pointer` is, contains or lies inside one the cross checks read. */
function concernsIdentity(pointer: string): boolean {
  return identityFields.some(
    (f) => pointer.startsWith(`${f}/`) || pointer === f || f.startsWith(`${pointer}/`) || pointer === "",
  );
}

/** The natural key of an invalid document whose key fields are strings, else undefined. */
function partialKey(kind: KindName, v: Record<string, unknown>): { kind: KindName; key: string } | undefined {
  const meta = (v.metadata ?? {}) as Record<string, unknown>;
  const spec = (v.spec ?? {}) as Record<string, unknown>;
  const s = (x: unknown) => (typeof x === "string" ? x : undefined);
  const tenant = s(meta.tenant);
  const name = s(meta.name);
  switch (kind) {
    case "Tenant":
      return s(spec.customerCode) ? { kind, key: tenantKey(spec.customerCode as string) } : undefined;
    case "Pbx":
      return tenant && name ? { kind, key: pbxKey(tenant, name) } : undefined;
    case "SipTrunk":
      return tenant && name ? { kind, key: sipTrunkKey(tenant, name) } : undefined;
    case "User":
      return tenant && s(spec.email) ? { kind, key: userKey(tenant, spec.email as string) } : undefined;
    default:
      return undefined; // nothing refers to extensions or numbers
  }
}
