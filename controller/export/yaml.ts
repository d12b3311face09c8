/**
 * Renders manifests as YAML files the way people write them (see examples/gitops-partner):
 * a `yaml-language-server` comment pointing at the manifest schema so editors complete and
 * check fields, then the documents, each opened by `---`. Used by `omnia export` and
 * `omnia import-sheet`.
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";

/** The manifest schema's file name in schemas/ (every kind, one schema). */
export const manifestSchemaFile = "omnia-manifest.schema.json";
/** Where the schemas are published, used when this package's schemas/ folder cannot be found. */
export const manifestSchemaUrl = `https://omnia.kalliope.io/schemas/${manifestSchemaFile}`;

/**
 * Path of schemas/omnia-manifest.schema.json of this package, found by walking up from this
 * module (works from the sources and from dist/); undefined when it is not there.
 */
export function findManifestSchema(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "schemas", manifestSchemaFile);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * What a file written into `dir` should name as its schema: a relative path to
 * `schemaPath` (default: this package's, when found), else (null) the published URL.
 */
export function schemaRefFrom(dir: string, schemaPath: string | null = findManifestSchema() ?? null): string {
  if (!schemaPath) return manifestSchemaUrl;
  return relative(dir, schemaPath).split(sep).join("/");
}

/** One YAML file of documents; `header` lines become comments after the schema line. */
export function renderManifestFile(docs: object[], schemaRef: string, header: string[] = []): string {
  const lines = [`# yaml-language-server: $schema=${schemaRef}`, ...header.map((h) => `# ${h}`)];
  const body = docs.map((d) => `---\n${stringify(d, { lineWidth: 0 }).trimEnd()}`).join("\n");
  return `${lines.join("\n")}\n${body}\n`;
}
