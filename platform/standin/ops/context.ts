/**
 * What every platform operation receives: the state, the authenticated partner, who
 * acts and from where, and the clock. Also the checks every operation shares: finding
 * a customer the partner may act on, and appending to the audit log.
 */
import { ApiFailure, forbidden, notFound } from "../errors.js";
import type { CustomerRec, LogRec, PartnerRec, StandinState } from "../state.js";

/** Context of one operation. */
export interface OpCtx {
  state: StandinState;
  partner: PartnerRec;
  /** `username@domain` of the API user. */
  actor: string;
  /** Client IP address, for the audit log. */
  ip: string;
  now: Date;
  /** How long new PBXs and invited users stay pending (ms). */
  pendingDelayMs: number;
}

/** The customer `id` if it belongs to the context's partner: else 403 (other partner) or 404. */
export function customerOf(ctx: OpCtx, id: string): CustomerRec {
  const customer = ctx.state.customers.get(id);
  if (!customer) throw notFound("customer", id);
  if (customer.partnerId !== ctx.partner.id) throw forbidden(`customer ${id}`);
  return customer;
}

/** A record of `customerId` in `map`, else 404 (also when it belongs to another customer). */
export function childOf<T extends { customerId: string }>(
  map: Map<string, T>,
  what: string,
  customerId: string,
  id: string,
): T {
  const rec = map.get(id);
  if (!rec || rec.customerId !== customerId) throw notFound(what, id);
  return rec;
}

/** Omnia Manager objects (PBXs, trunks, numbers, extensions) need the service enabled. */
export function requireOmniaManager(customer: CustomerRec): void {
  if (!customer.omniaManager) {
    throw new ApiFailure(
      403,
      "omnia_manager_disabled",
      `customer ${customer.customerCode} does not have Omnia Manager enabled`,
    );
  }
}

/** A pending object becomes active once its provisioning time has passed. */
export function settle<T extends { status: string; activeAt: number }>(rec: T, now: Date): T {
  if (rec.status === "pending" && rec.activeAt <= now.getTime()) rec.status = "active";
  return rec;
}

/** Appends an entry to the audit log. `details` must never hold a secret. */
export function audit(
  ctx: OpCtx,
  entry: Pick<LogRec, "operation" | "objectType" | "objectId" | "object" | "customerId"> & {
    details?: Record<string, unknown>;
  },
): void {
  ctx.state.log.push({
    id: ctx.state.newId("log"),
    partnerId: ctx.partner.id,
    time: ctx.now.toISOString(),
    actor: ctx.actor,
    ip: ctx.ip,
    details: {},
    ...entry,
  });
}

/** Field changes for the audit log; secret fields show as `(changed)`. */
export function changes(
  patch: Record<string, unknown>,
  secretFields: string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    out[k] = secretFields.includes(k) ? "(changed)" : v;
  }
  return out;
}
