/** Omnia Manager rules for SIP trunks: name unique per customer, password write-only. */
import type { SipTrunkCreate, SipTrunkUpdate } from "../../client/api.gen.js";
import { conflict, inUse } from "../errors.js";
import { hashSecret, type TrunkRec } from "../state.js";
import { audit, changes, childOf, customerOf, type OpCtx, requireOmniaManager } from "./context.js";

/** Creates a SIP trunk; the password is kept only as a salted hash. */
export function createTrunk(ctx: OpCtx, customerId: string, input: SipTrunkCreate): TrunkRec {
  requireOmniaManager(customerOf(ctx, customerId));
  const existing = ctx.state.ofCustomer("trunks", customerId).find((t) => t.name === input.name);
  if (existing) throw conflict("SIP trunk", input.name, existing.id);
  // Fields named one by one: a record holds what the contract shows, nothing a caller adds.
  const trunk: TrunkRec = {
    id: ctx.state.newId("trunks"),
    customerId,
    name: input.name,
    description: input.description,
    operator: input.operator,
    endpoint: input.endpoint,
    authRequired: input.authRequired ?? false,
    ...(input.username !== undefined ? { username: input.username } : {}),
    ...(input.password !== undefined ? { passwordHash: hashSecret(input.password) } : {}),
    status: "active",
    createdAt: ctx.now.toISOString(),
  };
  ctx.state.trunks.set(trunk.id, trunk);
  audit(ctx, {
    operation: "trunk.created",
    objectType: "trunk",
    objectId: trunk.id,
    object: trunk.name,
    customerId,
    details: changes({ ...input }, ["password"]),
  });
  return trunk;
}

/** The SIP trunk `id` of the customer, else 404. */
export function getTrunk(ctx: OpCtx, customerId: string, id: string): TrunkRec {
  customerOf(ctx, customerId);
  return childOf(ctx.state.trunks, "SIP trunk", customerId, id);
}

/** Edits a trunk; username/password null clear them. */
export function updateTrunk(ctx: OpCtx, customerId: string, id: string, patch: SipTrunkUpdate): TrunkRec {
  const trunk = getTrunk(ctx, customerId, id);
  const { username, password, ...rest } = patch;
  Object.assign(trunk, rest);
  if (username === null) delete trunk.username;
  else if (username !== undefined) trunk.username = username;
  if (password === null) delete trunk.passwordHash;
  else if (password !== undefined) trunk.passwordHash = hashSecret(password);
  audit(ctx, {
    operation: "trunk.updated",
    objectType: "trunk",
    objectId: id,
    object: trunk.name,
    customerId,
    details: changes({ ...patch }, ["password"]),
  });
  return trunk;
}

/** Deletes a trunk no number arrives on (else 409 in_use). */
export function deleteTrunk(ctx: OpCtx, customerId: string, id: string): void {
  const trunk = getTrunk(ctx, customerId, id);
  const users = [...ctx.state.numbers.values()].filter((n) => n.trunkId === id).map((n) => n.number);
  if (users.length > 0) throw inUse(`SIP trunk ${trunk.name}`, users);
  ctx.state.trunks.delete(id);
  audit(ctx, {
    operation: "trunk.deleted",
    objectType: "trunk",
    objectId: id,
    object: trunk.name,
    customerId,
  });
}
