/**
 * The Omnia API contract (`schemas/omnia-api.yaml`) loaded once, for everything in
 * `platform/` that needs it: the stand-in's route schemas, the response conformance
 * check and the type generator. The YAML file is the one source; nothing here repeats it.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The first `relative` path that exists in this folder or a parent: the repository root
 * from the sources (platform/) and from the build (dist/platform/) alike.
 */
export function findUp(relative: string, from: string = here): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return join(from, "..", relative);
  }
}

/** Path of the OpenAPI document. */
export const contractFile = findUp(join("schemas", "omnia-api.yaml"));
/** `$id` under which the contract's component schemas are registered with ajv. */
export const contractId = "omnia-api";

/** The parts of an OpenAPI document this project reads. */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation | unknown>>;
  components: {
    schemas: Record<string, unknown>;
    parameters: Record<string, unknown>;
    responses: Record<string, unknown>;
  };
}
/** One operation of the document. */
export interface OpenApiOperation {
  operationId: string;
  parameters?: unknown[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, unknown>;
  /** Overrides the document's security; `[]` means no authentication. */
  security?: unknown[];
}

let cached: OpenApiDocument | undefined;

/** The parsed contract (YAML anchors resolved by the parser). */
export function loadContract(): OpenApiDocument {
  cached ??= parse(readFileSync(contractFile, "utf8"), { maxAliasCount: -1 }) as OpenApiDocument;
  return cached;
}

/**
 * The component schemas as one JSON Schema document (`$id` = contractId) whose `$defs`
 * are the components: `#/components/schemas/X` becomes `omnia-api#/$defs/X`, so ajv and
 * json-schema-to-typescript can use them without an OpenAPI layer.
 */
export function contractSchemaDocument(): { $id: string; $schema: string; $defs: Record<string, unknown> } {
  const defs = rewriteRefs(loadContract().components.schemas) as Record<string, unknown>;
  return { $id: contractId, $schema: "https://json-schema.org/draft/2020-12/schema", $defs: defs };
}

/** A `$ref` to component schema `name`, usable from any schema compiled by the same ajv. */
export const schemaRef = (name: string): { $ref: string } => ({ $ref: `${contractId}#/$defs/${name}` });

/** Rewrites OpenAPI component refs into refs to `contractSchemaDocument()`. */
export function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        k === "$ref" && typeof v === "string" && v.startsWith("#/components/schemas/")
          ? `${contractId}#/$defs/${v.slice("#/components/schemas/".length)}`
          : rewriteRefs(v);
    }
    return out;
  }
  return value;
}

/** Resolves `#/components/parameters|responses/X` refs of the document (one level). */
export function resolveComponent<T>(value: unknown): T {
  const ref = (value as { $ref?: string } | null)?.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/components/")) return value as T;
  const [, , section, name] = ref.split("/");
  const components = loadContract().components as unknown as Record<string, Record<string, unknown>>;
  return components[section ?? ""]?.[name ?? ""] as T;
}
