/**
 * `GET /ui/events`: the dashboard's live feed. EventSource cannot send an Authorization
 * header, so the dashboard cannot use `/v1/events`; this stream is authenticated by the
 * login cookie and tells the page only *that* something of its partner changed (type,
 * source, tenant), never the event's data: the page then reloads its live region through
 * the normal, access-checked routes. Read by polling `listEvents` like `/v1/events`.
 */
import { once } from "node:events";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServiceStore } from "../ports.js";

/** Options of the live feed. */
export interface LiveOptions {
  store: ServiceStore;
  /** Store polling period (ms). Default 1000. */
  pollMs: number;
  /** Heartbeat comment period (ms). Default 15 000. */
  heartbeatMs: number;
  /** Streams to end when the app closes. */
  open: Set<() => void>;
}

const batch = 500;

/** A programming error: the feed's route lost its login check. */
export const errFeedWithoutToken = "the dashboard's live feed was reached without a login";

/**
 * The newest event seq of `partner`. Without `Last-Event-ID` a new page needs only what
 * happens from now on; the log is read in batches to find its end (the store prunes it).
 */
async function newestSeq(store: ServiceStore, partner: string): Promise<number> {
  let after = 0;
  for (;;) {
    const page = await store.listEvents({ afterSeq: after, partner, limit: batch });
    const last = page.at(-1);
    if (!last) return after;
    after = last.seq;
    if (page.length < batch) return after;
  }
}

/** Streams the partner's changes to the page. */
export async function liveFeed(request: FastifyRequest, reply: FastifyReply, o: LiveOptions): Promise<void> {
  const partner = request.token?.partner;
  if (!partner) throw new Error(errFeedWithoutToken);
  const header = request.headers["last-event-id"];
  const resume = typeof header === "string" && /^\d{1,15}$/.test(header) ? Number(header) : undefined;
  let after = resume ?? (await newestSeq(o.store, partner));
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    "x-accel-buffering": "no",
  });
  raw.write(`retry: ${Math.max(o.pollMs, 1000)}\n\n`);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastWrite = Date.now();
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    o.open.delete(stop);
    raw.end();
  };
  o.open.add(stop);
  request.raw.on("close", stop);
  raw.on("close", stop);
  const write = async (text: string) => {
    lastWrite = Date.now();
    if (!raw.write(text)) await once(raw, "drain");
  };
  const tick = async () => {
    let full = false;
    try {
      const events = await o.store.listEvents({ afterSeq: after, partner, limit: batch });
      full = events.length >= batch;
      for (const e of events) {
        if (stopped) return;
        const data = JSON.stringify({ type: e.type, source: e.source, tenant: e.tenant });
        await write(`id: ${e.seq}\nevent: change\ndata: ${data}\n\n`);
        after = e.seq;
      }
      if (!stopped && Date.now() - lastWrite >= o.heartbeatMs) await write(": heartbeat\n\n");
    } catch (err) {
      request.log.error({ err }, "dashboard live feed failed");
      stop();
      return;
    }
    if (!stopped) timer = setTimeout(tick, full ? 0 : o.pollMs);
  };
  timer = setTimeout(tick, 0);
}
