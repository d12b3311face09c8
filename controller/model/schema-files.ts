/**
 * The kind schemas of `schemas/` as the generators (`npm run gen`) read them: every
 * `*.schema.json` whose `properties.kind.const` names a kind is one document kind. This is
 * how a new kind is found: add its schema file, and the generated `KindName` grows by one.
 * Used at generation time only (the runtime reads the generated files, never `schemas/`).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** `schemas/` of this repository, as seen from the sources (generators run with tsx). */
export const schemasDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "schemas");

/** Files of `schemas/` that are not a kind: shared definitions, the generated bundle, the controller's config file. */
const notKindFiles = new Set([
  "common.schema.json",
  "omnia-manifest.schema.json",
  "controller-config.schema.json",
]);

/** A JSON Schema node, as read from a file. */
export type SchemaNode = { [k: string]: unknown };

/** One kind's schema file. */
export interface KindSchemaFile {
  /** The kind, from `properties.kind.const`, e.g. "SipTrunk". */
  kind: string;
  /** File name in `schemas/`, e.g. "sip-trunk.schema.json". */
  file: string;
  /** The parsed schema. */
  schema: SchemaNode;
}

/** A kind schema without `properties.kind.const` (a typo would silently drop the kind). */
export const errNoKindConst = "a schema in schemas/ has no properties.kind.const naming its kind";

/**
 * Every kind schema in `dir`, sorted by file name so generated files do not depend on the
 * directory order. Throws `errNoKindConst` (with the file) for a schema without a kind.
 */
export function readKindSchemas(dir: string = schemasDir): KindSchemaFile[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".schema.json") && !notKindFiles.has(f))
    .sort();
  return files.map((file) => {
    const schema = JSON.parse(readFileSync(join(dir, file), "utf8")) as SchemaNode;
    const kind = (schema.properties as { kind?: { const?: unknown } } | undefined)?.kind?.const;
    if (typeof kind !== "string") throw new Error(`${errNoKindConst}: ${file}`);
    return { kind, file, schema };
  });
}

/** Reads one JSON file of `dir`. */
export function readSchemaFile(file: string, dir: string = schemasDir): SchemaNode {
  return JSON.parse(readFileSync(join(dir, file), "utf8")) as SchemaNode;
}
