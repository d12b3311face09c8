/**
 * The tfplugin6 `Provider` service: one handler per RPC Terraform 1.11 calls, each
 * decoding its `DynamicValue`s by the schema, calling the `ProviderDefinition` and
 * encoding the answer as cty would. Every failure becomes an error diagnostic in the
 * response (Terraform shows those to the user); gRPC errors are left to transport faults.
 *
 * Source: tfplugin6.proto 6.8 as embedded in Terraform 1.11.4 (protos/tfplugin6.proto).
 */
import { attributesType, type DynamicValue, decodeObject, encodeMsgpack, parseJson } from "./codec.js";
import type {
  CallContext,
  CtyType,
  DataSourceType,
  ProviderDefinition,
  ResourceType,
  Schema,
  SchemaAttribute,
  TfObject,
  TfValue,
} from "./contract.js";
import { diagnosticsToWire, errorDiagnostic, pathToWire, schemaToWire } from "./wire.js";

/** Error text: a resource type name this provider does not have. */
export const errUnknownResourceType = "unknown resource type";
/** Error text: a data source type name this provider does not have. */
export const errUnknownDataSourceType = "unknown data source type";
/** Error text: UpgradeResourceState got only the pre-0.12 flatmap form. */
export const errNoJsonState =
  "the stored state has no JSON form (a flatmap state from Terraform 0.11 is not supported)";

/** What the handlers share for the life of the process. */
export interface ProviderServiceState {
  /** The definition, loaded once (lazily, after the handshake line). */
  definition: () => Promise<ProviderDefinition>;
  /** Aborted by StopProvider and at shutdown; every call's `ctx.signal`. */
  stop: AbortController;
}

/** A decoded tfplugin6 request (proto-loader objects, snake_case fields). */
// biome-ignore lint/suspicious/noExplicitAny: proto-loader hands over untyped objects; each handler reads its own fields.
type Request = Record<string, any>;
/** A unary handler in @grpc/grpc-js's untyped shape. */
export type UnaryHandler = (
  call: { request: Request },
  callback: (error: Error | null, response?: Record<string, unknown>) => void,
) => void;

const objectTypes = new WeakMap<Schema, CtyType>();
/** The object type of a schema's block, computed once per schema. */
function typeOf(schema: Schema): CtyType {
  let type = objectTypes.get(schema);
  if (type === undefined) {
    type = attributesType(schema.block.attributes);
    objectTypes.set(schema, type);
  }
  return type;
}

/** `DynamicValue` for a state: msgpack, null encoded as msgpack nil. Write-only attributes are nulled. */
function stateValue(state: TfObject | null, schema: Schema): DynamicValue {
  return { msgpack: encodeMsgpack(withoutWriteOnly(state, schema.block.attributes), typeOf(schema)) };
}

/**
 * The value with every write-only attribute set to null, at any nesting depth: Terraform
 * rejects a plan or state that holds one, and a secret must never reach the state.
 */
export function withoutWriteOnly(
  value: TfObject | null,
  attributes: readonly SchemaAttribute[],
): TfObject | null {
  if (value === null || typeof value !== "object") return value;
  const out: TfObject = { ...value };
  for (const attribute of attributes) {
    const current = out[attribute.name];
    if (attribute.writeOnly) out[attribute.name] = null;
    else if (
      attribute.nestedType &&
      current !== null &&
      current !== undefined &&
      typeof current === "object"
    ) {
      const inner = attribute.nestedType.attributes;
      const strip = (v: TfValue): TfValue =>
        v !== null && typeof v === "object" && !Array.isArray(v) ? withoutWriteOnly(v as TfObject, inner) : v;
      if (Array.isArray(current)) out[attribute.name] = current.map(strip);
      else if (attribute.nestedType.nesting === "map") {
        out[attribute.name] = Object.fromEntries(Object.entries(current).map(([k, v]) => [k, strip(v)]));
      } else out[attribute.name] = strip(current);
    }
  }
  return out;
}

/**
 * Builds the handlers of `tfplugin6.Provider`, keyed by RPC name. `ctx.writeOnlyAllowed`
 * is the call's `client_capabilities`, or for calls without any (ApplyResourceChange,
 * UpgradeResourceState) the last ones Terraform sent.
 */
export function providerHandlers(state: ProviderServiceState): Record<string, UnaryHandler> {
  let writeOnlyAllowed = false;
  const ctx = (request: Request): CallContext => {
    // proto3 leaves a false out: a capabilities message without the field means false.
    if (request.client_capabilities)
      writeOnlyAllowed = request.client_capabilities.write_only_attributes_allowed === true;
    return { signal: state.stop.signal, writeOnlyAllowed };
  };
  const resource = async (name: string): Promise<ResourceType> => {
    const found = (await state.definition()).resources.find((r) => r.name === name);
    if (!found) throw new Error(`${errUnknownResourceType} ${JSON.stringify(name)}`);
    return found;
  };
  const dataSource = async (name: string): Promise<DataSourceType> => {
    const found = (await state.definition()).dataSources.find((d) => d.name === name);
    if (!found) throw new Error(`${errUnknownDataSourceType} ${JSON.stringify(name)}`);
    return found;
  };
  /** One RPC: runs `fn`, and answers a thrown error as an error diagnostic saying which call failed. */
  const unary =
    (summary: string, fn: (request: Request) => Promise<Record<string, unknown>>): UnaryHandler =>
    (call, callback) => {
      fn(call.request).then(
        (response) => callback(null, response),
        (error: unknown) => callback(null, { diagnostics: errorDiagnostic(summary, error) }),
      );
    };
  const serverCapabilities = {
    plan_destroy: true,
    get_provider_schema_optional: false,
    move_resource_state: false,
  };

  return {
    GetMetadata: unary("GetMetadata failed", async () => {
      const definition = await state.definition();
      return {
        server_capabilities: serverCapabilities,
        resources: definition.resources.map((r) => ({ type_name: r.name })),
        data_sources: definition.dataSources.map((d) => ({ type_name: d.name })),
        diagnostics: [],
      };
    }),
    GetProviderSchema: unary("GetProviderSchema failed", async () => {
      const definition = await state.definition();
      return {
        provider: schemaToWire(definition.schema),
        resource_schemas: Object.fromEntries(
          definition.resources.map((r) => [r.name, schemaToWire(r.schema)]),
        ),
        data_source_schemas: Object.fromEntries(
          definition.dataSources.map((d) => [d.name, schemaToWire(d.schema)]),
        ),
        server_capabilities: serverCapabilities,
        diagnostics: [],
      };
    }),
    GetFunctions: unary("GetFunctions failed", async () => ({ functions: {}, diagnostics: [] })),
    ValidateProviderConfig: unary("invalid provider configuration", async (request) => {
      const definition = await state.definition();
      const config = decodeObject(request.config, typeOf(definition.schema)) ?? {};
      return { diagnostics: diagnosticsToWire(await definition.validateConfig(config, ctx(request))) };
    }),
    ConfigureProvider: unary("configuring the provider failed", async (request) => {
      const definition = await state.definition();
      const config = decodeObject(request.config, typeOf(definition.schema)) ?? {};
      return { diagnostics: diagnosticsToWire(await definition.configure(config, ctx(request))) };
    }),
    ValidateResourceConfig: unary("invalid resource configuration", async (request) => {
      const r = await resource(request.type_name);
      const config = decodeObject(request.config, typeOf(r.schema)) ?? {};
      return { diagnostics: diagnosticsToWire(await r.validate(config, ctx(request))) };
    }),
    ValidateDataResourceConfig: unary("invalid data source configuration", async (request) => {
      const d = await dataSource(request.type_name);
      const config = decodeObject(request.config, typeOf(d.schema)) ?? {};
      return { diagnostics: diagnosticsToWire(await d.validate(config, ctx(request))) };
    }),
    UpgradeResourceState: unary("upgrading the stored state failed", async (request) => {
      const r = await resource(request.type_name);
      const json: Buffer | undefined = request.raw_state?.json;
      if (!json || json.length === 0) throw new Error(errNoJsonState);
      const stored = parseJson(json.toString("utf8")) as Record<string, unknown>;
      const result = await r.upgrade(Number(request.version ?? 0), stored, ctx(request));
      return {
        upgraded_state: stateValue(result.state, r.schema),
        diagnostics: diagnosticsToWire(result.diagnostics),
      };
    }),
    ReadResource: unary("refreshing the resource failed", async (request) => {
      const r = await resource(request.type_name);
      const current = decodeObject(request.current_state, typeOf(r.schema));
      if (current === null) return { new_state: stateValue(null, r.schema), diagnostics: [] };
      const result = await r.read(current, request.private ?? new Uint8Array(), ctx(request));
      return {
        new_state: stateValue(result.newState, r.schema),
        private: result.private ? Buffer.from(result.private) : Buffer.alloc(0),
        diagnostics: diagnosticsToWire(result.diagnostics),
      };
    }),
    PlanResourceChange: unary("planning the change failed", async (request) => {
      const r = await resource(request.type_name);
      const type = typeOf(r.schema);
      const result = await r.plan(
        {
          priorState: decodeObject(request.prior_state, type),
          proposedNewState: decodeObject(request.proposed_new_state, type),
          config: decodeObject(request.config, type),
          priorPrivate: request.prior_private ?? new Uint8Array(),
        },
        ctx(request),
      );
      return {
        planned_state: stateValue(result.plannedState, r.schema),
        requires_replace: result.requiresReplace.map(pathToWire),
        planned_private: result.plannedPrivate ? Buffer.from(result.plannedPrivate) : Buffer.alloc(0),
        diagnostics: diagnosticsToWire(result.diagnostics),
      };
    }),
    ApplyResourceChange: unary("applying the change failed", async (request) => {
      const r = await resource(request.type_name);
      const type = typeOf(r.schema);
      const result = await r.apply(
        {
          priorState: decodeObject(request.prior_state, type),
          plannedState: decodeObject(request.planned_state, type),
          config: decodeObject(request.config, type),
          plannedPrivate: request.planned_private ?? new Uint8Array(),
        },
        ctx(request),
      );
      return {
        new_state: stateValue(result.newState, r.schema),
        private: result.private ? Buffer.from(result.private) : Buffer.alloc(0),
        diagnostics: diagnosticsToWire(result.diagnostics),
      };
    }),
    ImportResourceState: unary("importing the resource failed", async (request) => {
      const r = await resource(request.type_name);
      const result = await r.import(String(request.id ?? ""), ctx(request));
      const imported =
        result.state === null
          ? []
          : [{ type_name: r.name, state: stateValue(result.state, r.schema), private: Buffer.alloc(0) }];
      return { imported_resources: imported, diagnostics: diagnosticsToWire(result.diagnostics) };
    }),
    ReadDataSource: unary("reading the data source failed", async (request) => {
      const d = await dataSource(request.type_name);
      const config = decodeObject(request.config, typeOf(d.schema)) ?? {};
      const result = await d.read(config, ctx(request));
      return {
        state: stateValue(result.state, d.schema),
        diagnostics: diagnosticsToWire(result.diagnostics),
      };
    }),
    StopProvider: (_call, callback) => {
      // Terraform's interrupt: every call in flight sees ctx.signal aborted and ends early.
      state.stop.abort(new Error("Terraform asked the provider to stop"));
      callback(null, { Error: "" });
    },
  };
}
