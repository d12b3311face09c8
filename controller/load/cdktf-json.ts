/**
 * A synthesized `cdk.tf.json` (a Terraform JSON configuration, as `cdktf synth` writes it
 * into `cdktf.out/stacks/NAME/`) read as manifest documents, so the controller can load a
 * CDKTF app's desired state as a source with the same checks as YAML.
 *
 * Each `resource.kalliope_<kind>.<logical id>` object becomes one document through
 * `documentFromAttributes` (controller/model/terraform.ts: the provider's own mapping,
 * snake_case attributes). A document's place is the line:col of its resource object in the
 * file; `construct()` gives the CDKTF construct path (`//.metadata.path`) of the resource
 * a problem stands in, which messages show after the place.
 *
 * Rules (decided; tested in cdktf-json.test.ts):
 * - strict JSON (no comments, no trailing commas), duplicate keys refused;
 * - `provider`, `terraform`, `data`, `variable`, `output`, `locals`, `module` and the `//`
 *   metadata are ignored, and so are resources of other providers: they are Terraform's
 *   business, and a kalliope resource cannot depend on them silently (a reference to one
 *   is refused below);
 * - `count` and `for_each` are refused (copies Terraform evaluates); `depends_on`,
 *   `lifecycle`, `provider`, `provisioner`, `connection` are ignored (Terraform's ordering
 *   and life cycle; the controller orders by dependency and has `deletion_policy`/`ignore`);
 * - strings are templates: references to another kalliope resource's attribute in the same
 *   file resolve to its value (`id` to its import id); every other expression is refused
 *   naming it (cdktf-template.ts);
 * - a clear secret (`pin`) is refused: the file is in a repository; `pin_from_env` names
 *   the controller's variable. `pin_wo_version` is ignored (it only tells Terraform to send
 *   the write-only value again);
 * - primitive values convert as Terraform converts them (201 for a string is "201", "3"
 *   for a number is 3), so a file Terraform accepts loads the same here; other wrong kinds
 *   of value reach the schema and are refused there;
 * - unknown attributes are refused naming the allowed ones; computed ones (`id`,
 *   `platform_id` ...) are refused as not settable.
 */
import { findNodeAtLocation, type Node, type ParseError, parseTree, printParseErrorCode } from "jsonc-parser";
import type { KindName } from "../model/resources.gen.js";
import {
  defaultDocumentName,
  documentFromAttributes,
  kindOfTypeName,
  type TfAttribute,
  terraformKinds,
  typeNamePrefix,
} from "../model/terraform.js";
import { type RawResource, resolveReferences } from "./cdktf-resolve.js";
import type { Problem } from "./problems.js";

/** The file name `cdktf synth` gives a stack's configuration. */
export const cdktfJsonName = "cdk.tf.json";

/** Whether `file` (any path) is a synthesized CDKTF stack: its name is exactly `cdk.tf.json`. */
export const isCdktfJson = (file: string): boolean => /(^|[\\/])cdk\.tf\.json$/.test(file);

/** The file is not JSON. */
export const errJsonSyntax = "JSON syntax error";
/** The JSON is nested deeper than the parser's stack. */
export const errJsonDepth = "JSON syntax error: the file is nested too deeply";
/** A key written twice in one object. */
export const errDuplicateJsonKey = "duplicate key";
/** The top level, `resource`, a type or a resource is not an object. */
export const errNotAnObject = "must be a JSON object";
/** A `kalliope_` type the provider does not have. */
export const errUnknownType = "unknown resource type";
/** `count` / `for_each`. */
export const errCopies =
  "is not supported: the controller reads each resource as written, not copies Terraform makes; write one resource per object";
/** An attribute the kind does not have. */
export const errUnknownAttribute = "unknown attribute";
/** A computed attribute given a value. */
export const errComputedAttribute = "is computed by the provider and cannot be set";

/** Problem codes of this reader. */
const codeSyntax = "json-syntax" as const;
const codeUnsupported = "terraform-unsupported" as const;

/** Top-level keys of a resource object that are Terraform meta-arguments the controller ignores. */
const ignoredMetaArguments = new Set([
  "depends_on",
  "lifecycle",
  "provider",
  "provisioner",
  "connection",
  "//",
]);
/** Meta-arguments refused. */
const refusedMetaArguments = new Set(["count", "for_each"]);

/**
 * A path into a document and a parsed document: parse.ts's `NodePath` and `ParsedDocument`,
 * written here by shape because parse.ts imports this file (no import cycle).
 */
type NodePath = ReadonlyArray<string | number>;
interface ParsedDocument {
  file: string;
  value: unknown;
  position(path: NodePath, key?: boolean): { line: number; col: number };
}

/** What reading one `cdk.tf.json` gives: documents, problems, and the construct path at a place. */
export interface CdktfParse {
  documents: ParsedDocument[];
  problems: Problem[];
  /** The construct path (`partner/acme/hq/ext-201`) of the resource at `line:col` of `file`, if any. */
  construct(file: string, line: number, col: number): string | undefined;
}

/**
 * Reads the text of a `cdk.tf.json` (LF line ends, no BOM: parse.ts gives it so) into one
 * document per kalliope resource, with problems at their line:col. Never throws.
 */
export function parseCdktfJsonText(file: string, text: string): CdktfParse {
  const lines = lineIndex(text);
  const problems: Problem[] = [];
  const ranges: { start: number; end: number; path: string }[] = [];
  const construct = (f: string, line: number, col: number) => {
    if (f !== file) return undefined;
    // Resources do not overlap and `ranges` is sorted by start: the last one starting at
    // or before the offset is the only candidate.
    const offset = lines.offset(line, col);
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((ranges[mid] as { start: number }).start <= offset) lo = mid;
      else hi = mid - 1;
    }
    const r = ranges[lo];
    return r && r.start <= offset && offset < r.end ? r.path : undefined;
  };
  const at = (offset: number, message: string, code: Problem["code"]): Problem => ({
    file,
    ...lines.linePos(offset),
    message,
    code,
  });
  const errors: ParseError[] = [];
  let root: Node | undefined;
  try {
    root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  } catch {
    return { documents: [], problems: [at(0, errJsonDepth, codeSyntax)], construct };
  }
  if (errors.length > 0 || !root) {
    const first = errors[0];
    const reason = first ? syntaxReason(first) : "the file is empty";
    return {
      documents: [],
      problems: [at(first?.offset ?? 0, `${errJsonSyntax}: ${reason}`, codeSyntax)],
      construct,
    };
  }
  problems.push(
    ...duplicateKeys(root).map((n) => at(n.offset, `${errDuplicateJsonKey} "${n.value}"`, codeSyntax)),
  );
  if (problems.length > 0) return { documents: [], problems, construct };
  if (root.type !== "object")
    return {
      documents: [],
      problems: [at(root.offset, `the file ${errNotAnObject}`, codeSyntax)],
      construct,
    };

  const raw = collectResources(root, (n, message, code) => problems.push(at(n.offset, message, code)));
  for (const r of raw) {
    if (r.construct)
      ranges.push({ start: r.node.offset, end: r.node.offset + r.node.length, path: r.construct });
  }
  ranges.sort((a, b) => a.start - b.start);
  const resolved = resolveReferences(raw);
  const documents: ParsedDocument[] = [];
  for (const r of raw) {
    const result = resolved.get(r) ?? { attributes: r.attributes, problems: [] };
    // Searched from the resource's own object: from the root, finding a resource among
    // thousands of its type would make every document's place cost O(resources).
    const place = (attributePath: ReadonlyArray<string | number>, key = false) =>
      lines.linePos(offsetAt(r.node, attributePath, key));
    for (const p of result.problems)
      problems.push({ file, ...place(p.attribute), message: p.message, code: codeUnsupported });
    if (result.problems.length > 0 || r.refused) continue;
    const attributes = convertPrimitives(r.kind, result.attributes);
    const { document, problems: mapped } = documentFromAttributes(r.kind, attributes);
    // Without its key fields no name can be derived; the logical id names it, so the one
    // problem reported is the missing field, not a `name` the author never had to write.
    const metadata = document.metadata as Record<string, unknown>;
    metadata.name ??= defaultDocumentName(r.name);
    for (const p of mapped)
      problems.push({ file, ...place(p.attribute), message: p.message, code: "secret-invalid" });
    if (mapped.length > 0) continue;
    documents.push({
      file,
      value: document,
      position: (path: NodePath, key?: boolean) => place(attributePathOf(r.kind, path, r.attributes), key),
    });
  }
  return { documents, problems, construct };
}

/**
 * Every `resource.kalliope_*.*` object, checked for shape, meta-arguments and attribute
 * names; `report` gets each problem at its node.
 */
function collectResources(
  root: Node,
  report: (n: Node, message: string, code: Problem["code"]) => void,
): RawResource[] {
  const out: RawResource[] = [];
  const resource = findNodeAtLocation(root, ["resource"]);
  if (!resource) return out;
  if (resource.type !== "object") {
    report(resource, `"resource" ${errNotAnObject} of resource types`, codeSyntax);
    return out;
  }
  for (const typeProp of resource.children ?? []) {
    const [typeKey, typeNode] = typeProp.children as [Node, Node];
    const type = String(typeKey.value);
    if (!type.startsWith(typeNamePrefix)) continue; // NO-OP: another provider's resource is Terraform's
    const kind = kindOfTypeName(type);
    if (!kind) {
      const allowed = Object.values(terraformKinds).map((k) => k.typeName);
      report(typeKey, `${errUnknownType} "${type}" (allowed: ${allowed.join(", ")})`, "unknown-kind");
      continue;
    }
    if (typeNode.type !== "object") {
      report(typeNode, `"${type}" ${errNotAnObject} of resources by name`, codeSyntax);
      continue;
    }
    for (const resProp of typeNode.children ?? []) {
      const [nameKey, node] = resProp.children as [Node, Node];
      const name = String(nameKey.value);
      if (node.type !== "object") {
        report(node, `resource "${type}.${name}" ${errNotAnObject} of attributes`, codeSyntax);
        continue;
      }
      const checked = checkAttributes(kind, node, report);
      const meta = findNodeAtLocation(node, ["//", "metadata", "path"]);
      const raw: RawResource = { type, name, kind, attributes: checked.attributes, node };
      if (meta?.type === "string") raw.construct = String(meta.value);
      // Kept when refused, so that references to it resolve and only its own problems show.
      if (!checked.ok) raw.refused = true;
      out.push(raw);
    }
  }
  return out;
}

/** The attributes of one resource object; problems for meta-arguments and unknown names. */
function checkAttributes(
  kind: KindName,
  node: Node,
  report: (n: Node, message: string, code: Problem["code"]) => void,
): { attributes: Record<string, unknown>; ok: boolean } {
  const all = terraformKinds[kind].attributes;
  const settable = all.filter((a) => a.role !== "id" && a.role !== "computed");
  const attributes: Record<string, unknown> = {};
  let ok = true;
  for (const prop of node.children ?? []) {
    const [keyNode, valueNode] = prop.children as [Node, Node];
    const key = String(keyNode.value);
    if (ignoredMetaArguments.has(key)) continue; // NO-OP: Terraform's ordering and life cycle
    if (refusedMetaArguments.has(key)) {
      report(keyNode, `${key} ${errCopies}`, codeUnsupported);
      ok = false;
      continue;
    }
    const attr = all.find((a) => a.name === key);
    if (!attr) {
      report(
        keyNode,
        `${errUnknownAttribute} "${key}" (allowed: ${settable.map((a) => a.name).join(", ")})`,
        "unknown-field",
      );
      ok = false;
      continue;
    }
    if (attr.role === "id" || attr.role === "computed") {
      report(keyNode, `attribute "${key}" ${errComputedAttribute}`, "unknown-field");
      ok = false;
      continue;
    }
    if (attr.type === "object" && valueNode.type === "object") {
      const names = (attr.fields ?? []).map((f) => f.name);
      for (const inner of valueNode.children ?? []) {
        const innerKey = (inner.children as [Node, Node])[0];
        if (!names.includes(String(innerKey.value))) {
          report(
            innerKey,
            `${errUnknownAttribute} "${key}.${innerKey.value}" (allowed: ${names.join(", ")})`,
            "unknown-field",
          );
          ok = false;
        }
      }
    }
    attributes[key] = plainValue(valueNode);
  }
  return { attributes, ok };
}

/** A JSON node's plain value (objects, arrays, primitives). */
function plainValue(node: Node): unknown {
  switch (node.type) {
    case "object":
      return Object.fromEntries(
        (node.children ?? []).map((p) => {
          const [k, v] = p.children as [Node, Node];
          return [String(k.value), plainValue(v)];
        }),
      );
    case "array":
      return (node.children ?? []).map(plainValue);
    default:
      return node.value;
  }
}

/** Key nodes written a second time in their object, anywhere in the tree. */
function duplicateKeys(root: Node): Node[] {
  const out: Node[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (node.type === "object") {
      const seen = new Set<string>();
      for (const p of node.children ?? []) {
        const [k, v] = p.children as [Node, Node | undefined];
        if (seen.has(String(k.value))) out.push(k);
        seen.add(String(k.value));
        if (v) stack.push(v);
      }
    } else if (node.type === "array") stack.push(...(node.children ?? []));
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** A parser error said in words: `ColonExpected` → "colon expected". */
function syntaxReason(error: ParseError): string {
  return printParseErrorCode(error.error)
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase();
}

/**
 * Offset of the node at a JSON path below `root` (of its key with `key`), else of its
 * nearest ancestor that exists; `root`'s own offset for the empty path.
 */
function offsetAt(root: Node, path: ReadonlyArray<string | number>, key: boolean): number {
  for (let n = path.length; n > 0; n--) {
    const node = findNodeAtLocation(root, path.slice(0, n) as (string | number)[]);
    if (!node) continue;
    const keyNode = node.parent?.type === "property" ? node.parent.children?.[0] : undefined;
    return key && n === path.length && keyNode ? keyNode.offset : node.offset;
  }
  return root.offset;
}

/**
 * The attribute path that declares a document path: `["spec", "license"]` → `["license"]`,
 * `["spec", "user", "firstName"]` → `["user", "first_name"]`, a secret → whichever of
 * `pin_from_env`/`pin` is written; `[]` (the resource object) for the envelope, for a
 * derived `metadata.name` and for anything unknown.
 */
export function attributePathOf(
  kind: KindName,
  path: NodePath,
  written: Record<string, unknown>,
): (string | number)[] {
  const [part, field, ...rest] = path;
  if ((part !== "metadata" && part !== "spec") || field === undefined) return [];
  const dotted = `${part}.${field}`;
  const attrs = terraformKinds[kind].attributes;
  const secret = attrs.filter((a) => a.path === dotted && (a.role === "secret" || a.role === "secretEnv"));
  if (secret.length > 0) {
    const given = secret.find((a) => written[a.name] !== undefined && written[a.name] !== null);
    return given ? [given.name] : [];
  }
  const attr = attrs.find((a) => a.role === "field" && a.path === dotted);
  if (!attr || written[attr.name] === undefined) return [];
  const [inner, ...more] = rest;
  if (inner === undefined) return [attr.name];
  const sub = attr.fields?.find((f: TfAttribute) => f.path === `${dotted}.${inner}`);
  return [attr.name, sub ? sub.name : inner, ...more];
}

/**
 * Terraform's conversions between primitive types, applied where the attribute's type asks
 * for them: a number or bool given for a string becomes its text, a numeric string for a
 * number becomes the number, "true"/"false" for a bool the bool. Anything else is left for
 * the schema to refuse with the field's name.
 */
function convertPrimitives(kind: KindName, attributes: Record<string, unknown>): Record<string, unknown> {
  const out = { ...attributes };
  const convert = (type: TfAttribute["type"], v: unknown): unknown => {
    if (type === "string" && (typeof v === "number" || typeof v === "boolean")) return String(v);
    if (type === "number" && typeof v === "string" && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v))
      return Number(v);
    if (type === "bool" && (v === "true" || v === "false")) return v === "true";
    return v;
  };
  for (const a of terraformKinds[kind].attributes) {
    const v = out[a.name];
    if (v === undefined || v === null) continue;
    if (a.type === "object" && typeof v === "object" && !Array.isArray(v)) {
      const inner = { ...(v as Record<string, unknown>) };
      for (const f of a.fields ?? [])
        if (inner[f.name] != null) inner[f.name] = convert(f.type, inner[f.name]);
      out[a.name] = inner;
    } else out[a.name] = convert(a.type, v);
  }
  return out;
}

/** Line and column (1-based) of an offset, and back. */
function lineIndex(text: string): {
  linePos(offset: number): { line: number; col: number };
  offset(line: number, col: number): number;
} {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return {
    linePos(offset) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((starts[mid] as number) <= offset) lo = mid;
        else hi = mid - 1;
      }
      return { line: lo + 1, col: offset - (starts[lo] as number) + 1 };
    },
    offset: (line, col) => (starts[line - 1] ?? 0) + col - 1,
  };
}
