/** Omnia Manager rules for number blocks: same-customer trunk and PBX, no overlap. */
import type { NumberBlockCreate } from "../../client/api.gen.js";
import { blockRange, blocksOverlap } from "../decided.js";
import { ApiFailure, conflict, invalid } from "../errors.js";
import type { NumberRec } from "../state.js";
import { audit, childOf, customerOf, type OpCtx, requireOmniaManager } from "./context.js";

/** Creates a number block routed to a PBX over a trunk of the same customer. */
export function createNumber(ctx: OpCtx, customerId: string, input: NumberBlockCreate): NumberRec {
  requireOmniaManager(customerOf(ctx, customerId));
  const range = blockRange(input.number, input.blockDigits);
  if (typeof range === "string") throw invalid("number", range, { blockDigits: input.blockDigits });
  if (ctx.state.trunks.get(input.trunkId)?.customerId !== customerId) {
    throw invalid("trunkId", `no SIP trunk ${input.trunkId} in this customer`);
  }
  if (ctx.state.pbxs.get(input.pbxId)?.customerId !== customerId) {
    throw invalid("pbxId", `no PBX ${input.pbxId} in this customer`);
  }
  for (const n of ctx.state.numbers.values()) {
    if (n.number === input.number) {
      const mine = ctx.state.customers.get(n.customerId)?.partnerId === ctx.partner.id;
      throw conflict("number", input.number, mine ? n.id : undefined);
    }
    const other = blockRange(n.number, n.blockDigits);
    if (typeof other !== "string" && blocksOverlap(range, other)) {
      throw new ApiFailure(409, "overlap", `number block ${input.number} overlaps block ${n.number}`, {
        overlaps: n.number,
      });
    }
  }
  const rec: NumberRec = {
    id: ctx.state.newId("numbers"),
    customerId,
    number: input.number,
    blockDigits: input.blockDigits,
    trunkId: input.trunkId,
    pbxId: input.pbxId,
    status: "active",
    createdAt: ctx.now.toISOString(),
  };
  ctx.state.numbers.set(rec.id, rec);
  audit(ctx, {
    operation: "number.created",
    objectType: "number",
    objectId: rec.id,
    object: rec.number,
    customerId,
    details: { ...input },
  });
  return rec;
}

/** The number block `id` of the customer, else 404. */
export function getNumber(ctx: OpCtx, customerId: string, id: string): NumberRec {
  customerOf(ctx, customerId);
  return childOf(ctx.state.numbers, "number", customerId, id);
}

/** Deletes a number block. */
export function deleteNumber(ctx: OpCtx, customerId: string, id: string): void {
  const rec = getNumber(ctx, customerId, id);
  ctx.state.numbers.delete(id);
  audit(ctx, {
    operation: "number.deleted",
    objectType: "number",
    objectId: id,
    object: rec.number,
    customerId,
  });
}
