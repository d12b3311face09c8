/**
 * The event log (`controller_events`) behind the SSE stream, the dashboard and the audit
 * of API changes, and the webhook replay guard (`webhook_deliveries`). Every append takes
 * its `seq` from the one row of `controller_event_seq` in the same statement, so appends
 * of all replicas commit in seq order with no gap: a reader resuming after seq n
 * (`Last-Event-ID`) never misses an event committed later with a smaller seq.
 */
import type { ControllerEvent, ControllerEventInput } from "../model/control.js";
import { type Queryable, storableJson } from "./driver.js";
import { errEventArgs, errListArgs } from "./errors.js";
import { checkNonEmpty, checkWhole, nowSql } from "./sql-args.js";

/** Which events to list. */
export interface EventFilter {
  /** Only events after this seq (an SSE client's `Last-Event-ID`). Default 0: from the first. */
  afterSeq?: number;
  partner?: string;
  /** At most this many, 1 to 1,000. Default 100. */
  limit?: number;
}

/** The store's event log and webhook delivery guard. */
export interface EventStore {
  /** Appends an event; the store assigns `seq` (one more than the last) and `at` unless given. */
  appendEvent(event: ControllerEventInput): Promise<ControllerEvent>;
  /** Events by seq ascending. */
  listEvents(filter?: EventFilter): Promise<ControllerEvent[]>;
  /** Deletes events before `before`; returns how many. Seqs are never reused. */
  pruneEvents(before: Date): Promise<number>;
  /**
   * Records a webhook delivery of `source` by the forge's delivery id (`X-GitHub-Delivery`,
   * `X-Gitlab-Event-UUID`); false when it was recorded before: a replay.
   */
  recordDelivery(source: string, deliveryId: string, at?: Date): Promise<boolean>;
  /** Forgets deliveries received before `before`; returns how many. */
  pruneDeliveries(before: Date): Promise<number>;
}

/** Largest page of `listEvents`. */
export const maxEventPage = 1_000;

// seq is bigint; as float8 it reads as a JS number (exact below 2^53) on both drivers.
const columns = `seq::float8 AS seq, at, type, partner, source, tenant, actor, ip, data`;

const appendSql = `
  WITH s AS (
    INSERT INTO controller_event_seq AS c (id, last) VALUES (true, 1)
    ON CONFLICT (id) DO UPDATE SET last = c.last + 1
    RETURNING last
  )
  INSERT INTO controller_events (seq, at, type, partner, source, tenant, actor, ip, data)
  SELECT s.last, ${nowSql("$1")}, $2, $3, $4, $5, $6, $7, $8::jsonb FROM s
  RETURNING ${columns}`;

/** See `EventStore.appendEvent`. */
export async function appendEvent(
  db: Queryable,
  now: Date | null,
  e: ControllerEventInput,
): Promise<ControllerEvent> {
  checkNonEmpty(errEventArgs, `partner of event ${e.type}`, e.partner);
  const { rows } = await db.query<ControllerEvent>(appendSql, [
    e.at ?? now,
    e.type,
    e.partner,
    e.source,
    e.tenant,
    e.actor,
    e.ip,
    storableJson(e.data),
  ]);
  return rows[0] as ControllerEvent;
}

/** See `EventStore.listEvents`. */
export async function listEvents(db: Queryable, f: EventFilter = {}): Promise<ControllerEvent[]> {
  const afterSeq = f.afterSeq ?? 0;
  const limit = f.limit ?? 100;
  checkWhole(errListArgs, "afterSeq", afterSeq, 0, Number.MAX_SAFE_INTEGER);
  checkWhole(errListArgs, "limit", limit, 1, maxEventPage);
  const { rows } = await db.query<ControllerEvent>(
    `SELECT ${columns} FROM controller_events
     WHERE seq > $1::bigint AND ($2::text IS NULL OR partner = $2) ORDER BY seq LIMIT $3`,
    [afterSeq, f.partner ?? null, limit],
  );
  return rows;
}

/** See `EventStore.pruneEvents`. */
export async function pruneEvents(db: Queryable, before: Date): Promise<number> {
  const { rows } = await db.query("DELETE FROM controller_events WHERE at < $1 RETURNING seq", [before]);
  return rows.length;
}

/** See `EventStore.recordDelivery`. */
export async function recordDelivery(
  db: Queryable,
  now: Date | null,
  source: string,
  deliveryId: string,
  at?: Date,
): Promise<boolean> {
  checkNonEmpty(errEventArgs, "delivery id", deliveryId);
  const { rows } = await db.query(
    `INSERT INTO webhook_deliveries (source, delivery_id, received_at) VALUES ($1, $2, ${nowSql("$3")})
     ON CONFLICT (source, delivery_id) DO NOTHING RETURNING source`,
    [source, deliveryId, at ?? now],
  );
  return rows.length > 0;
}

/** See `EventStore.pruneDeliveries`. */
export async function pruneDeliveries(db: Queryable, before: Date): Promise<number> {
  const { rows } = await db.query("DELETE FROM webhook_deliveries WHERE received_at < $1 RETURNING source", [
    before,
  ]);
  return rows.length;
}
