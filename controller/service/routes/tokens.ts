/**
 * API tokens of the partner (scope admin): list, create (the token's text is in the
 * answer once and never again), revoke. Another partner's token is a 404.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { TokenScope } from "../../model/control.js";
import { errTokenNotFound, notFound } from "../errors.js";
import { problemResponses, ref } from "../schemas.js";
import { issueToken } from "../tokens.js";
import { type RouteDeps, recordChange, tokenOf } from "./access.js";

/** Registers the token routes. */
export async function tokenRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.get(
    "/v1/tokens",
    {
      config: { scope: "admin" },
      schema: {
        tags: ["tokens"],
        summary: "The partner's API tokens (never their secret)",
        response: {
          200: {
            type: "object",
            properties: { items: { type: "array", items: ref("Token") } },
            required: ["items"],
          },
          ...problemResponses,
        },
      },
    },
    async (request) => ({ items: await deps.store.listTokens(tokenOf(request).partner) }),
  );

  app.post(
    "/v1/tokens",
    {
      config: { scope: "admin" },
      schema: {
        tags: ["tokens"],
        summary: "Create a token; its text is shown in this answer only",
        body: {
          type: "object",
          properties: {
            name: { type: "string", minLength: 1, maxLength: 100 },
            scopes: {
              type: "array",
              items: { enum: ["read", "write", "admin"] },
              minItems: 1,
              uniqueItems: true,
            },
          },
          required: ["name", "scopes"],
          additionalProperties: false,
        },
        response: {
          201: {
            type: "object",
            properties: {
              token: { type: "string", description: "omn_…: keep it now, it is stored only as a hash" },
              record: ref("Token"),
            },
            required: ["token", "record"],
          },
          ...problemResponses,
        },
      },
    },
    async (request: FastifyRequest<{ Body: { name: string; scopes: TokenScope[] } }>, reply) => {
      const partner = tokenOf(request).partner;
      const made = await issueToken(deps.store, { partner, ...request.body });
      await recordChange(deps, request, {
        action: "token.created",
        data: { tokenId: made.record.id, name: made.record.name, scopes: made.record.scopes },
      });
      return reply.code(201).send(made);
    },
  );

  app.delete(
    "/v1/tokens/:id",
    {
      config: { scope: "admin" },
      schema: {
        tags: ["tokens"],
        summary: "Revoke a token",
        params: {
          type: "object",
          properties: { id: { type: "string", minLength: 1, maxLength: 128 } },
          required: ["id"],
        },
        response: { 204: { type: "null" }, ...problemResponses },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const partner = tokenOf(request).partner;
      if (!(await deps.store.revokeToken(request.params.id, partner))) throw notFound(errTokenNotFound);
      await recordChange(deps, request, { action: "token.revoked", data: { tokenId: request.params.id } });
      return reply.code(204).send();
    },
  );
}
