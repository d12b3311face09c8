/**
 * The one error handler: every failure answers the contract's ApiError shape
 * `{code, message, requestId, details?}`. Rule failures keep their code; schema
 * failures become 400 `validation` with the field; anything else is a 500 whose
 * details are logged, never sent (style.md §8).
 */
import type { FastifyError, FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { ApiFailure } from "../errors.js";

/** Text of a hidden internal error. */
export const internalErrorMessage = "internal error";

async function errorsPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err: FastifyError | ApiFailure, request, reply) => {
    const requestId = String(request.id);
    if (err instanceof ApiFailure) {
      return reply.code(err.status).send({
        code: err.code,
        message: err.message,
        requestId,
        ...(err.details ? { details: err.details } : {}),
      });
    }
    if (err.validation) {
      const first = err.validation[0];
      const where = `${err.validationContext ?? "request"}${first?.instancePath ?? ""}`;
      return reply.code(400).send({
        code: "validation",
        message: `${where} ${first?.message ?? "is invalid"}`,
        requestId,
        details: {
          field: where,
          errors: err.validation.map((v) => ({ path: v.instancePath, message: v.message, params: v.params })),
        },
      });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) {
      return reply.code(status).send({
        code: status === 415 ? "unsupported_media_type" : "bad_request",
        message: err.message,
        requestId,
      });
    }
    request.log.error({ err }, "request failed");
    return reply.code(500).send({ code: "internal", message: internalErrorMessage, requestId });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      code: "not_found",
      message: `no route ${request.method} ${request.url}`,
      requestId: String(request.id),
    });
  });
}

/** Registers the error and not-found handlers for the whole app. */
export const errorsPluginFp = fp(errorsPlugin, { name: "standin-errors" });
