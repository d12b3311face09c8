/**
 * Fault injection, load limits and counters for `/rest/`: latency, injected failure
 * bursts and error rates, a per-partner token-bucket rate limit (429 + Retry-After),
 * responses cut mid-body, and a call counter per route. Two plugins: `faults` runs
 * first on every request, `resets` last before a response leaves.
 */
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { Knobs, StandinStats } from "../knobs.js";

/** What the fault plugins need. */
export interface FaultOptions {
  knobs: Knobs;
  stats: StandinStats;
  /** Random source in [0,1); injectable for deterministic tests. */
  random: () => number;
  /** Clock in ms, for the rate limiter. */
  nowMs: () => number;
}

const codeOf: Record<number, string> = {
  429: "rate_limited",
  500: "internal",
  502: "bad_gateway",
  503: "unavailable",
  504: "gateway_timeout",
};

function fail(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  retryAfterSec?: number,
): FastifyReply {
  if (retryAfterSec !== undefined) reply.header("retry-after", String(retryAfterSec));
  return reply.code(status).send({
    code: codeOf[status] ?? "injected",
    message: status === 429 ? "too many requests" : "service unavailable (injected)",
    requestId: String(request.id),
  });
}

const isApi = (request: FastifyRequest) => request.url.startsWith("/rest/");

async function faultsPlugin(app: FastifyInstance, opts: FaultOptions): Promise<void> {
  const { knobs, stats } = opts;
  app.addHook("onRequest", async (request, reply) => {
    if (!isApi(request)) return;
    const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
    stats.requests++;
    stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
    if (knobs.latencyMs > 0) await sleep(knobs.latencyMs);
    const burst = knobs.failNext.find(
      (b) =>
        b.count > 0 &&
        (!b.method || b.method === request.method) &&
        (!b.urlContains || request.url.includes(b.urlContains)),
    );
    if (burst) {
      burst.count--;
      if (burst.count === 0) knobs.failNext.splice(knobs.failNext.indexOf(burst), 1);
      stats.injectedFailures++;
      return fail(request, reply, burst.status, burst.retryAfterSec);
    }
    for (const [status, rate] of Object.entries(knobs.errorRates)) {
      if (rate > 0 && opts.random() < rate) {
        stats.injectedFailures++;
        return fail(request, reply, Number(status), Number(status) === 429 ? 1 : undefined);
      }
    }
  });

  // After authentication (onRequest hooks), so the bucket is the partner's.
  const buckets = new Map<string, { tokens: number; at: number }>();
  app.addHook("preParsing", async (request, reply) => {
    const limit = knobs.rateLimit;
    if (!limit || !isApi(request) || !request.partner) return;
    const now = opts.nowMs();
    const bucket = buckets.get(request.partner.id) ?? { tokens: limit.burst, at: now };
    bucket.tokens = Math.min(
      limit.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * limit.requestsPerSecond,
    );
    bucket.at = now;
    buckets.set(request.partner.id, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    stats.rateLimited++;
    const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / limit.requestsPerSecond));
    return fail(request, reply, 429, retryAfter);
  });

  app.addHook("onResponse", async (request, reply) => {
    if (!isApi(request)) return;
    const key = String(reply.statusCode);
    stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1;
  });
}

async function resetsPlugin(app: FastifyInstance, opts: FaultOptions): Promise<void> {
  const { knobs, stats } = opts;
  app.addHook("onSend", async (request, _reply, payload) => {
    if (!isApi(request)) return payload;
    const cut = knobs.resetNext > 0 || (knobs.resetRate > 0 && opts.random() < knobs.resetRate);
    if (!cut) return payload;
    if (knobs.resetNext > 0) knobs.resetNext--;
    stats.resets++;
    if (typeof payload !== "string" || payload.length < 2) {
      // Nothing to cut (a 204): the write has happened, the connection drops before the answer.
      request.raw.socket?.destroy();
      return payload;
    }
    // The write has happened; the client gets the headers and half the body, then a reset.
    const half = payload.slice(0, Math.floor(payload.length / 2));
    const body = new Readable({ read() {} });
    body.push(half);
    setTimeout(() => request.raw.socket?.destroy(), 20);
    return body;
  });
}

/** Counters, latency, injected failures and the rate limit (register first). */
export const faultsPluginFp = fp(faultsPlugin, { name: "standin-faults" });
/** Responses cut mid-body (register last, after every other onSend hook). */
export const resetsPluginFp = fp(resetsPlugin, { name: "standin-resets" });
