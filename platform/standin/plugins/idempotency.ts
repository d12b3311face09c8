/**
 * `Idempotency-Key` on writes: the first answer to a key is kept, a repeat of the same
 * request gets that answer again (`Idempotent-Replayed: true`) without writing, and the
 * same key on another request is refused (422). This is what lets the client retry a
 * write whose outcome it does not know (timeout, reset mid-body) without duplicates.
 */
import { createHash } from "node:crypto";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { StandinStats } from "../knobs.js";

/** How long an answer is kept for replay. */
export const idempotencyTtlMs = 24 * 3600_000;

declare module "fastify" {
  interface FastifyRequest {
    /** Set on a write with a key seen for the first time: store its answer. */
    idempotencySlot?: { key: string; fingerprint: string };
  }
}

interface Stored {
  fingerprint: string;
  status: number;
  contentType: string | undefined;
  payload: string;
  expires: number;
}

/** What the plugin needs. */
export interface IdempotencyOptions {
  stats: StandinStats;
  nowMs: () => number;
}

async function idempotencyPlugin(app: FastifyInstance, opts: IdempotencyOptions): Promise<void> {
  const answers = new Map<string, Stored>();
  let lastPrune = 0;
  const prune = (now: number) => {
    if (now - lastPrune < 60_000) return;
    lastPrune = now;
    for (const [k, v] of answers) if (v.expires <= now) answers.delete(k);
  };
  app.decorateRequest("idempotencySlot", undefined);
  app.addHook("preHandler", async (request, reply) => {
    const header = request.headers["idempotency-key"];
    if (request.method === "GET" || typeof header !== "string" || !request.partner) return;
    const key = `${request.partner.id}:${header}`;
    const fingerprint = createHash("sha256")
      .update(`${request.method} ${request.url} ${JSON.stringify(request.body ?? null)}`)
      .digest("hex");
    const now = opts.nowMs();
    const stored = answers.get(key);
    if (stored && stored.expires > now) {
      if (stored.fingerprint !== fingerprint) {
        return reply.code(422).send({
          code: "idempotency_mismatch",
          message: "Idempotency-Key was already used for another request",
          requestId: String(request.id),
        });
      }
      opts.stats.idempotentReplays++;
      reply.code(stored.status).header("idempotent-replayed", "true");
      if (stored.contentType) reply.header("content-type", stored.contentType);
      return reply.send(stored.payload === "" ? undefined : stored.payload);
    }
    request.idempotencySlot = { key, fingerprint };
  });
  app.addHook("onSend", async (request, reply, payload) => {
    const slot = request.idempotencySlot;
    if (slot && reply.statusCode < 500 && reply.statusCode !== 429) {
      request.idempotencySlot = undefined;
      prune(opts.nowMs());
      answers.set(slot.key, {
        fingerprint: slot.fingerprint,
        status: reply.statusCode,
        contentType: reply.getHeader("content-type") as string | undefined,
        payload: typeof payload === "string" ? payload : "",
        expires: opts.nowMs() + idempotencyTtlMs,
      });
    }
    return payload;
  });
}

/** Idempotent writes for the whole app. */
export const idempotencyPluginFp = fp(idempotencyPlugin, { name: "standin-idempotency" });
