/**
 * How a route is declared: by the contract's operationId, which gives its method, path
 * and schemas (route-schema.ts); the handler gets the operation context.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { resolveComponent } from "../../contract.js";
import { type ListColumns, type ListQuery, listPage, selectItems, toCsv } from "../listing.js";
import type { OpCtx } from "../ops/context.js";
import { fastifyPath, operation, routeSchema } from "../route-schema.js";
import type { StandinState } from "../state.js";

/** What every route plugin needs. */
export interface RouteDeps {
  state: StandinState;
  clock: () => Date;
  /** Current pending delay (a knob, so read on each call). */
  pendingDelayMs: () => number;
}

/** The operation context of an authenticated request. */
export function opCtx(deps: RouteDeps, request: FastifyRequest): OpCtx {
  return {
    state: deps.state,
    partner: request.partner,
    actor: request.actor,
    ip: request.ip,
    now: deps.clock(),
    pendingDelayMs: deps.pendingDelayMs(),
  };
}

/** A route handler whose body type `B` is the contract's request schema type (api.gen.ts). */
type Handler<B> = (request: FastifyRequest<{ Body: B }>, reply: FastifyReply) => unknown;

/**
 * Registers the route of `operationId`; `status` is the success status (200, 201, 204).
 * `B` names the generated type of the operation's request body, which the route schema
 * (from the same contract) has validated before the handler runs.
 */
export function defineOp<B = unknown>(
  app: FastifyInstance,
  operationId: string,
  handler: Handler<B>,
  status = 200,
): void {
  const info = operation(operationId);
  app.route({
    method: info.method.toUpperCase() as "GET",
    url: fastifyPath(info.path),
    schema: routeSchema(operationId),
    // An operation with `security: []` in the contract (the salt) needs no X-authenticate.
    config: {
      operationId,
      public: Array.isArray(info.operation.security) && info.operation.security.length === 0,
    },
    handler: async (request, reply) => {
      const result = await handler(request as FastifyRequest<{ Body: B }>, reply);
      if (status === 204) return reply.code(204).send();
      return reply.code(status).send(result);
    },
  });
}

/** Path parameters of the customer routes. */
export type Ids = {
  customerId: string;
  userId: string;
  trunkId: string;
  pbxId: string;
  extensionId: string;
  numberId: string;
};
/** The path parameters of a request. */
export const ids = (request: FastifyRequest): Ids => request.params as Ids;
/** The list query of a request. */
export const query = (request: FastifyRequest): ListQuery => request.query as ListQuery;

/** Whether the request's operation may answer CSV (the manual has an export for that list). */
function declaresCsv(request: FastifyRequest): boolean {
  const operationId = request.routeOptions.config?.operationId;
  if (!operationId) return false;
  const ok = resolveComponent<{ content?: Record<string, unknown> } | undefined>(
    operation(operationId).operation.responses["200"],
  );
  return ok?.content?.["text/csv"] !== undefined;
}

/** Answers a list: a page of JSON, or the whole selection as CSV when asked (`Accept: text/csv`). */
export function answerList<T extends { id: string; status?: string }>(
  request: FastifyRequest,
  reply: FastifyReply,
  items: T[],
  columns: ListColumns<T>,
  forceCsv = false,
): unknown {
  if (forceCsv || (request.headers.accept?.includes("text/csv") && declaresCsv(request))) {
    reply.type("text/csv; charset=utf-8");
    return toCsv(selectItems(items, query(request), columns), columns);
  }
  return listPage(items, query(request), columns);
}
