/**
 * `GET /v1/events`: the token's partner's events as Server-Sent Events, read by polling
 * `listEvents` (the event log is in the shared database, so every replica streams every
 * event, whichever replica or scheduler appended it). Each event is
 * `id: <seq>` / `event: <type>` / `data: <json>`; a client resumes after the last id it saw
 * with the `Last-Event-ID` header (EventSource sends it on reconnect) or `?lastEventId=`.
 * A comment line every `heartbeatMs` keeps proxies from closing an idle stream. Streams
 * end when the app closes, so shutdown never waits for a client.
 *
 * Written by hand on the raw response: @fastify/sse needs Node >= 20.20.2 and
 * fastify-sse-v2 takes an async iterable we would still have to build from the polling.
 */
import { once } from "node:events";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { ControllerEvent } from "../../model/control.js";
import { invalid } from "../errors.js";
import type { ServiceStore } from "../ports.js";
import { problemResponses } from "../schemas.js";

/** Options of the events plugin. */
export interface EventsOptions {
  store: ServiceStore;
  /** How often the event log is read (ms). Default 1000. */
  pollMs?: number;
  /** How often a heartbeat comment is sent on a quiet stream (ms). Default 15 000. */
  heartbeatMs?: number;
  /** Events read per poll at most. Default 500. */
  batch?: number;
}

/** One event in the SSE wire format. */
export function sseFrame(e: ControllerEvent): string {
  const data = JSON.stringify({ ...e, at: e.at.toISOString() });
  return `id: ${e.seq}\nevent: ${e.type}\ndata: ${data}\n\n`;
}

/** The seq to resume after: `Last-Event-ID` first, then `?lastEventId`; 0 for the whole log. */
function resumeAfter(request: FastifyRequest): number {
  const header = request.headers["last-event-id"];
  const query = (request.query as { lastEventId?: string }).lastEventId;
  const text = (Array.isArray(header) ? header[0] : header) ?? query;
  if (text === undefined || text === "") return 0;
  if (!/^\d{1,15}$/.test(text))
    throw invalid("headers/last-event-id", "must be an event id (a whole number)");
  return Number(text);
}

async function eventsPlugin(app: FastifyInstance, opts: EventsOptions): Promise<void> {
  const pollMs = opts.pollMs ?? 1000;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const batch = opts.batch ?? 500;
  const open = new Set<() => void>();
  app.addHook("preClose", async () => {
    for (const stop of [...open]) stop();
  });

  app.get(
    "/v1/events",
    {
      config: { scope: "read" },
      schema: {
        tags: ["events"],
        summary: "Stream the partner's events (Server-Sent Events)",
        description:
          "text/event-stream: `id` is the event's seq, `event` its type, `data` the Event as JSON. Resume with Last-Event-ID.",
        querystring: {
          type: "object",
          properties: { lastEventId: { type: "string", pattern: "^\\d{1,15}$" } },
          additionalProperties: false,
        },
        headers: {
          type: "object",
          properties: { "last-event-id": { type: "string" } },
        },
        produces: ["text/event-stream"],
        response: { 200: { type: "string", description: "the event stream" }, ...problemResponses },
      },
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      let after = resumeAfter(request);
      const partner = request.token?.partner as string;
      // Fail before the 200 when the store cannot be read at all.
      let pending = await opts.store.listEvents({ afterSeq: after, partner, limit: batch });
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      raw.write(`retry: ${Math.max(pollMs, 1000)}\n\n`);
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      let lastWrite = Date.now();
      const stop = () => {
        if (stopped) return;
        stopped = true;
        clearTimeout(timer);
        open.delete(stop);
        raw.end();
      };
      open.add(stop);
      request.raw.on("close", stop);
      raw.on("close", stop);
      const write = async (text: string) => {
        lastWrite = Date.now();
        if (!raw.write(text)) await once(raw, "drain");
      };
      const tick = async () => {
        try {
          for (const e of pending) {
            if (stopped) return;
            await write(sseFrame(e));
            after = e.seq;
          }
          if (stopped) return;
          if (Date.now() - lastWrite >= heartbeatMs) await write(": heartbeat\n\n");
          pending = await opts.store.listEvents({ afterSeq: after, partner, limit: batch });
        } catch (err) {
          request.log.error({ err }, "event stream failed");
          stop();
          return;
        }
        // A full batch means more are waiting: read again at once.
        if (!stopped) timer = setTimeout(tick, pending.length >= batch ? 0 : pollMs);
      };
      await tick();
    },
  );
}

/** Registers the event stream. */
export const eventsPluginFp = fp(eventsPlugin, { name: "service-events", dependencies: ["service-auth"] });
