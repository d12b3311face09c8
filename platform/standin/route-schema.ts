/**
 * Fastify route schemas taken from the contract: each route names its operationId and
 * gets its params, querystring, headers and body schema from `schemas/omnia-api.yaml`,
 * so the server validates exactly what the contract declares (style.md §8, §9).
 */
import { loadContract, type OpenApiOperation, resolveComponent, rewriteRefs } from "../contract.js";

interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema: unknown;
}

/** Where each operation is: its path template, method and definition. */
export interface OperationInfo {
  path: string;
  method: string;
  operation: OpenApiOperation;
  pathParameters: unknown[];
}

const methods = ["get", "post", "put", "patch", "delete"];
let index: Map<string, OperationInfo> | undefined;

/** Every operation of the contract by operationId. */
export function operations(): Map<string, OperationInfo> {
  if (index) return index;
  index = new Map();
  for (const [path, item] of Object.entries(loadContract().paths)) {
    const pathParameters = ((item as { parameters?: unknown[] }).parameters ?? []) as unknown[];
    for (const method of methods) {
      const operation = (item as Record<string, OpenApiOperation | undefined>)[method];
      if (operation) index.set(operation.operationId, { path, method, operation, pathParameters });
    }
  }
  return index;
}

/** The operation `operationId`; throws if the contract has none (a programming error). */
export function operation(operationId: string): OperationInfo {
  const info = operations().get(operationId);
  if (!info) throw new Error(`contract has no operation ${operationId}`);
  return info;
}

/** The Fastify path of an OpenAPI path template (`{id}` → `:id`). */
export const fastifyPath = (path: string): string => path.replace(/\{(\w+)\}/g, ":$1");

function objectSchema(params: Parameter[], lowerCase = false): object | undefined {
  if (params.length === 0) return undefined;
  return {
    type: "object",
    properties: Object.fromEntries(
      params.map((p) => [lowerCase ? p.name.toLowerCase() : p.name, rewriteRefs(p.schema)]),
    ),
    required: params.filter((p) => p.required).map((p) => (lowerCase ? p.name.toLowerCase() : p.name)),
  };
}

/** The Fastify `schema` of a route, from the contract's operation. */
export function routeSchema(operationId: string): Record<string, unknown> {
  const { operation: op, pathParameters } = operation(operationId);
  const params = [...pathParameters, ...(op.parameters ?? [])].map((p) => resolveComponent<Parameter>(p));
  const schema: Record<string, unknown> = {};
  const path = objectSchema(params.filter((p) => p.in === "path"));
  const query = objectSchema(params.filter((p) => p.in === "query"));
  const headers = objectSchema(
    params.filter((p) => p.in === "header"),
    true,
  );
  if (path) schema.params = path;
  if (query) schema.querystring = { ...query, additionalProperties: false };
  if (headers) schema.headers = headers;
  const body = op.requestBody?.content["application/json"]?.schema;
  if (body) schema.body = rewriteRefs(body);
  return schema;
}
