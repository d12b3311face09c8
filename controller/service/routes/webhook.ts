/**
 * `POST /v1/sources/{id}/webhook`: a push from the source's git host queues every tenant
 * of the source (only identities travel; the scheduler reads the new revision). No token:
 * the request proves itself with the source's webhook secret, resolved from its
 * SecretReference on each call (so a rotated secret applies at once):
 *
 * - GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`, delivery id
 *   `X-GitHub-Delivery`; a `ping` event is answered and triggers nothing.
 * - GitLab: `X-Gitlab-Token: <secret>`, delivery id `X-Gitlab-Event-UUID`.
 *
 * Both comparisons are constant-time. A delivery id seen before for the source is refused
 * (409), so a captured request cannot be replayed; an unknown source, or one without a
 * webhook secret, is a 404 either way.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  conflict,
  errSourceNotFound,
  errWebhookDelivery,
  errWebhookReplay,
  errWebhookSecret,
  errWebhookSignature,
  invalid,
  notFound,
  unauthorized,
} from "../errors.js";
import { problemResponses } from "../schemas.js";
import type { RouteDeps } from "./access.js";

/** Largest webhook body read (bytes). GitHub caps payloads at 25 MB; a push is far smaller. */
export const webhookBodyLimit = 1024 * 1024;

/** Whether two strings are equal, in time independent of where they differ. */
function sameSecret(a: string, b: string): boolean {
  // Hashing first makes the lengths equal, as timingSafeEqual requires, without leaking them.
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Whether `header` is GitHub's signature of `body` under `secret`. */
export function githubSignatureValid(secret: string, body: Buffer, header: string): boolean {
  const want = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  return sameSecret(want, header.trim().toLowerCase());
}

const one = (h: string | string[] | undefined): string | undefined => (Array.isArray(h) ? h[0] : h);

/** Registers the webhook route (encapsulated: its body is read raw, for the signature). */
export async function webhookRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

  app.post(
    "/v1/sources/:id/webhook",
    {
      bodyLimit: webhookBodyLimit,
      config: { public: true },
      schema: {
        tags: ["sources"],
        summary: "Git host webhook (GitHub or GitLab): queue every tenant of the source",
        params: {
          type: "object",
          properties: { id: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,62}$" } },
          required: ["id"],
        },
        headers: {
          type: "object",
          properties: {
            "x-hub-signature-256": { type: "string" },
            "x-github-delivery": { type: "string", maxLength: 200 },
            "x-github-event": { type: "string" },
            "x-gitlab-token": { type: "string" },
            "x-gitlab-event-uuid": { type: "string", maxLength: 200 },
          },
        },
        response: {
          200: { type: "object", properties: { triggered: { type: "boolean" } }, required: ["triggered"] },
          202: { type: "object", properties: { triggered: { type: "boolean" } }, required: ["triggered"] },
          ...problemResponses,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: Buffer | undefined }>, reply) => {
      const source = await deps.store.getSource(request.params.id);
      if (!source?.webhookSecret) throw notFound(errSourceNotFound);
      let secret: string;
      try {
        secret = await deps.resolveSecret(source.webhookSecret);
      } catch (err) {
        // The reference (not the value) names what is missing; the client learns nothing.
        request.log.error({ err, source: source.id }, errWebhookSecret);
        throw new Error(errWebhookSecret);
      }
      const body = request.body ?? Buffer.alloc(0);
      const h = request.headers;
      const githubSig = one(h["x-hub-signature-256"]);
      const gitlabToken = one(h["x-gitlab-token"]);
      let provider: "github" | "gitlab";
      let delivery: string | undefined;
      if (githubSig !== undefined) {
        if (!githubSignatureValid(secret, body, githubSig)) throw unauthorized(errWebhookSignature);
        provider = "github";
        delivery = one(h["x-github-delivery"]);
      } else if (gitlabToken !== undefined) {
        if (!sameSecret(secret, gitlabToken)) throw unauthorized(errWebhookSignature);
        provider = "gitlab";
        delivery = one(h["x-gitlab-event-uuid"]);
      } else {
        throw unauthorized(errWebhookSignature);
      }
      if (!delivery) throw invalid("headers", errWebhookDelivery);
      if (!(await deps.store.recordDelivery(source.id, `${provider}:${delivery}`, deps.clock())))
        throw conflict(errWebhookReplay);
      const event = one(h["x-github-event"]) ?? null;
      const ping = provider === "github" && event === "ping";
      if (!ping) await deps.trigger(source.id, "*", "webhook", "apply");
      await deps.store.appendEvent({
        type: "api.change",
        partner: source.partner,
        source: source.id,
        tenant: null,
        actor: "webhook",
        ip: request.ip,
        at: deps.clock(),
        data: { action: ping ? "webhook.ping" : "webhook.received", provider, delivery, event },
      });
      return reply.code(ping ? 200 : 202).send({ triggered: !ping });
    },
  );
}
