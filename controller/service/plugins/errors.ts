/**
 * The one error handler: every failure answers RFC 9457 problem details
 * (`application/problem+json`). A `Problem` keeps its status and detail; a schema failure
 * is a 400 naming the field; a 4xx raised by Fastify keeps its status and message; anything
 * else is a 500 whose details are logged and never sent, so no stack or secret leaves
 * (style.md §8).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { errInternal, Problem } from "../errors.js";

/** Base of the problem `type` URIs; each names a code, e.g. `…/problems/not-found`. */
export const problemTypeBase = "https://omnia.kalliope.io/problems/";

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Sends a problem document. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  detail: string,
  extensions: Record<string, unknown> = {},
): FastifyReply {
  return reply
    .code(status)
    .type("application/problem+json")
    .send({
      ...extensions,
      type: problemTypeBase + code,
      title: titles[status] ?? "Error",
      status,
      detail,
      instance: request.url.split("?")[0],
      requestId: String(request.id),
    });
}

async function errorsPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err: FastifyError | Problem, request, reply) => {
    if (err instanceof Problem) {
      if (err.status === 429) reply.header("retry-after", reply.getHeader("retry-after") ?? "1");
      return sendProblem(request, reply, err.status, err.code, err.message, err.extensions);
    }
    if (err.validation) {
      const first = err.validation[0];
      const where = `${err.validationContext ?? "request"}${first?.instancePath ?? ""}`;
      return sendProblem(request, reply, 400, "invalid", `${where} ${first?.message ?? "is invalid"}`, {
        field: where,
        errors: err.validation.map((v) => ({ path: v.instancePath, message: v.message })),
      });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) return sendProblem(request, reply, status, "bad-request", err.message);
    request.log.error({ err }, "request failed");
    return sendProblem(request, reply, 500, "internal", errInternal);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, 404, "not-found", `no route ${request.method} ${request.url.split("?")[0]}`),
  );
}

/** Registers the error and not-found handlers for the whole app. */
export const errorsPluginFp = fp(errorsPlugin, { name: "service-errors" });
