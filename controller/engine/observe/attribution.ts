/**
 * Who did it: for resources found drifted, the latest change of each in the platform's
 * own audit logs, the Admin Console log and the Omnia Manager log (omnia-manual §Log:
 * date and time, operation, object, "Effettuato da" and IP address of every operation;
 * `GET /rest/logs/admin` and `/rest/logs/manager` in schemas/omnia-api.yaml). The logs are
 * read newest first, per customer when the customer is known, and never past a bound:
 * the start of the window, or `maxEntriesPerLog` entries, whichever comes first. Observes
 * only; never writes.
 */
import type { LogEntry } from "../../../platform/client/api.gen.js";
import type { DriftAttribution } from "../../model/control.js";

/** Query of a log listing (the client's `LogListOptions`). */
export interface AuditLogQuery {
  customerId?: string;
  sort?: string;
}

/** What attribution needs of the platform client (`OmniaClient` has it as `client.logs`). */
export interface AuditLogPort {
  logs: {
    /** Admin Console log, newest first, page by page. */
    admin(query?: AuditLogQuery): AsyncIterable<LogEntry>;
    /** Omnia Manager log (extension operations), newest first, page by page. */
    manager(query?: AuditLogQuery): AsyncIterable<LogEntry>;
  };
}

/** A drifted resource to attribute. */
export interface AttributionTarget {
  /** Natural key (`Extension/ACME001/hq/201`): the key of the answer. */
  key: string;
  /** The object's platform id (for one deleted by hand: the id it had). */
  platformId: string;
  /** Platform id of its customer, when known: the logs are then read for that customer only. */
  customerId?: string | null;
}

/** Bounds and filters of one attribution. */
export interface AttributionOptions {
  /** Changes before this are not looked at (the reading stops there). */
  since: Date;
  /** Changes after this are not looked at (made after the drift was seen). Default: no bound. */
  until?: Date;
  /**
   * Platform users whose changes are not hand changes: the controller's own account
   * (`username@domain`). When one of them made an object's latest change the answer is
   * unknown (absent), not an older entry. Default none.
   */
  ignoreActors?: readonly string[];
  /** Entries read at most per log and customer. Default 500 (a few pages). */
  maxEntriesPerLog?: number;
}

/** Default `maxEntriesPerLog`. */
export const defaultMaxEntriesPerLog = 500;

const logs = [
  ["omnia-manager", "manager"],
  ["admin-console", "admin"],
] as const;

/**
 * The latest change of each target (by platform id, and customer when known) inside the
 * window, across both logs. That latest entry alone decides: when its actor is one of
 * `ignoreActors` the target is absent from the map (unknown), never attributed to an older
 * entry, because the controller cannot tell its own writes from someone using its login.
 * Targets without any entry in the window are absent too. When both logs hold the same
 * change, the Omnia Manager's line is kept (it is the more specific log). Throws what the
 * port throws (a `PlatformError`).
 */
export async function attributeDrift(
  port: AuditLogPort,
  targets: readonly AttributionTarget[],
  options: AttributionOptions,
): Promise<Map<string, DriftAttribution>> {
  const since = options.since.getTime();
  const until = options.until?.getTime() ?? Number.POSITIVE_INFINITY;
  const ignored = new Set(options.ignoreActors ?? []);
  const max = options.maxEntriesPerLog ?? defaultMaxEntriesPerLog;
  const found = new Map<string, DriftAttribution>();
  const byCustomer = new Map<string | null, AttributionTarget[]>();
  for (const t of targets) {
    const c = t.customerId ?? null;
    byCustomer.set(c, [...(byCustomer.get(c) ?? []), t]);
  }
  for (const [customerId, group] of byCustomer) {
    for (const [log, method] of logs) {
      const waiting = new Map<string, AttributionTarget[]>();
      for (const t of group) waiting.set(t.platformId, [...(waiting.get(t.platformId) ?? []), t]);
      const query: AuditLogQuery = { sort: "-time", ...(customerId ? { customerId } : {}) };
      let read = 0;
      for await (const entry of port.logs[method](query)) {
        if (++read > max) break;
        const at = Date.parse(entry.time);
        if (at < since) break; // newest first: nothing older can be in the window
        if (at > until) continue;
        const matched = waiting.get(entry.objectId);
        if (!matched) continue;
        if (customerId && entry.customerId !== null && entry.customerId !== customerId) continue;
        waiting.delete(entry.objectId);
        const attribution: DriftAttribution = {
          actor: entry.actor,
          at: new Date(at),
          ip: entry.ip || null,
          log,
          operation: entry.operation,
        };
        for (const t of matched) {
          const had = found.get(t.key);
          if (!had || had.at.getTime() < at) found.set(t.key, attribution);
        }
        if (waiting.size === 0) break;
      }
    }
  }
  // Dropped only now: an ignored actor's entry must still hide every older one.
  for (const [key, a] of found) if (ignored.has(a.actor)) found.delete(key);
  return found;
}

/** The attribution in words: `changed by X from IP at T in the Admin Console (operation)`. */
export function describeAttribution(a: DriftAttribution): string {
  const where = a.log === "admin-console" ? "the Admin Console" : "Omnia Manager";
  return `changed by ${a.actor} from ${a.ip ?? "an unknown address"} at ${a.at.toISOString()} in ${where} (${a.operation})`;
}
