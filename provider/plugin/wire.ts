/**
 * The contract's schemas, diagnostics and attribute paths ↔ their tfplugin6 protobuf
 * messages, as plain objects in @grpc/proto-loader's shape (snake_case field names as in
 * tfplugin6.proto, enums as their names, int64 as strings or numbers).
 *
 * Source: tfplugin6.proto 6.8 as embedded in Terraform 1.11.4 (see protos/tfplugin6.proto).
 */
import type { AttributePath, Diagnostic, PathStep, Schema, SchemaAttribute } from "./contract.js";

/** tfplugin6 `Schema.Attribute` as proto-loader takes it. */
export interface WireAttribute {
  name: string;
  type?: Buffer;
  nested_type?: { attributes: WireAttribute[]; nesting: "SINGLE" | "LIST" | "SET" | "MAP" };
  description: string;
  description_kind: "MARKDOWN";
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
  deprecated: boolean;
  write_only: boolean;
}

/** tfplugin6 `Schema` as proto-loader takes it. */
export interface WireSchema {
  version: number;
  block: {
    version: number;
    attributes: WireAttribute[];
    description: string;
    description_kind: "MARKDOWN";
    deprecated: boolean;
  };
}

/** One tfplugin6 `AttributePath.Step` (a oneof: exactly one key is set). */
export type WireStep =
  | { attribute_name: string }
  | { element_key_string: string }
  | { element_key_int: number };

/** tfplugin6 `Diagnostic` as proto-loader takes it. */
export interface WireDiagnostic {
  severity: "ERROR" | "WARNING";
  summary: string;
  detail: string;
  attribute?: { steps: WireStep[] };
}

/** Error text: an attribute must have exactly one of `type` and `nestedType`. */
export const errAttributeShape = "a schema attribute needs exactly one of type and nestedType";

/** Translates a contract `Schema` to tfplugin6 `Schema` (types as JSON bytes, Markdown descriptions). */
export function schemaToWire(schema: Schema): WireSchema {
  return {
    version: schema.version,
    block: {
      version: schema.version,
      attributes: schema.block.attributes.map(attributeToWire),
      description: schema.block.description,
      description_kind: "MARKDOWN",
      deprecated: false,
    },
  };
}

function attributeToWire(attribute: SchemaAttribute): WireAttribute {
  if ((attribute.type === undefined) === (attribute.nestedType === undefined)) {
    throw new Error(`${errAttributeShape}: ${attribute.name}`);
  }
  const wire: WireAttribute = {
    name: attribute.name,
    description: attribute.description,
    description_kind: "MARKDOWN",
    required: attribute.required ?? false,
    optional: attribute.optional ?? false,
    computed: attribute.computed ?? false,
    sensitive: attribute.sensitive ?? false,
    deprecated: attribute.deprecated ?? false,
    write_only: attribute.writeOnly ?? false,
  };
  if (attribute.type !== undefined) wire.type = Buffer.from(JSON.stringify(attribute.type));
  if (attribute.nestedType !== undefined) {
    wire.nested_type = {
      attributes: attribute.nestedType.attributes.map(attributeToWire),
      nesting: attribute.nestedType.nesting.toUpperCase() as "SINGLE" | "LIST" | "SET" | "MAP",
    };
  }
  return wire;
}

/** Translates an attribute path to tfplugin6 `AttributePath` steps. */
export function pathToWire(path: AttributePath): { steps: WireStep[] } {
  return { steps: path.map(stepToWire) };
}

function stepToWire(step: PathStep): WireStep {
  if ("attribute" in step) return { attribute_name: step.attribute };
  if ("key" in step) return { element_key_string: step.key };
  return { element_key_int: step.index };
}

/** Translates contract diagnostics to tfplugin6 `Diagnostic`s. */
export function diagnosticsToWire(diagnostics: readonly Diagnostic[]): WireDiagnostic[] {
  return diagnostics.map((d) => {
    const wire: WireDiagnostic = {
      severity: d.severity === "error" ? "ERROR" : "WARNING",
      summary: d.summary,
      detail: d.detail ?? "",
    };
    if (d.attribute !== undefined && d.attribute.length > 0) wire.attribute = pathToWire(d.attribute);
    return wire;
  });
}

/** One error diagnostic from a thrown error: the summary names what failed, the detail the cause. */
export function errorDiagnostic(summary: string, error: unknown): WireDiagnostic[] {
  return diagnosticsToWire([
    { severity: "error", summary, detail: error instanceof Error ? error.message : String(error) },
  ]);
}
