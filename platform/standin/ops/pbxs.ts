/** Omnia Manager rules for PBXs: kinds and groups, pending while provisioned, options. */
import type { PbxCreate, PbxKind, PbxUpdate } from "../../client/api.gen.js";
import { groupKindOf, initialStatus, numberingScope } from "../decided.js";
import { conflict, inUse, invalid } from "../errors.js";
import type { PbxRec } from "../state.js";
import { audit, changes, childOf, customerOf, type OpCtx, requireOmniaManager } from "./context.js";
import { extensionNumberTaken } from "./numbering.js";

/** A single PBX has no group; shared and group PBXs must name one. */
function checkKindGroup(kind: PbxKind, group: string | undefined): void {
  if (kind === "single" && group !== undefined) invalidGroup("a single PBX has no group");
  if (kind !== "single" && group === undefined) invalidGroup(`a ${kind} PBX needs a group`);
}
function invalidGroup(message: string): never {
  throw invalid("group", message, { allowed: { single: "no group", shared: "a group", group: "a group" } });
}

/** The message of a PBX joining a group of the other kind (decided.ts `groupKindOf`). */
export const errGroupKind = (group: string, kind: string, groupKind: string) =>
  `group ${group} is a group of ${groupKind} PBXs; a ${kind} PBX cannot join it (a group shares either the numbering plan or queues, routes and BLF)`;

/** A shared or group PBX may join only a group of its own kind among the partner's PBXs. */
function checkGroupKind(ctx: OpCtx, kind: PbxKind, group: string | undefined, exceptId?: string): void {
  if (kind === "single" || group === undefined) return;
  const partnerPbxs = [...ctx.state.pbxs.values()].filter(
    (p) => ctx.state.customers.get(p.customerId)?.partnerId === ctx.partner.id,
  );
  const joined = groupKindOf(partnerPbxs, group, exceptId);
  if (joined && joined.kind !== kind)
    throw invalid("group", errGroupKind(group, kind, joined.kind), { group, groupKind: joined.kind });
}

/** Creates a PBX (pending while provisioned); its name is unique in the customer. */
export function createPbx(ctx: OpCtx, customerId: string, input: PbxCreate): PbxRec {
  requireOmniaManager(customerOf(ctx, customerId));
  checkKindGroup(input.kind, input.group);
  checkGroupKind(ctx, input.kind, input.group);
  const existing = ctx.state.ofCustomer("pbxs", customerId).find((p) => p.name === input.name);
  if (existing) throw conflict("PBX", input.name, existing.id);
  const pbx: PbxRec = {
    id: ctx.state.newId("pbxs"),
    customerId,
    name: input.name,
    kind: input.kind,
    ...(input.group !== undefined ? { group: input.group } : {}),
    callCenter: input.callCenter ?? false,
    hotel: input.hotel ?? false,
    ...initialStatus("pbx", ctx.now, ctx.pendingDelayMs),
    createdAt: ctx.now.toISOString(),
  };
  ctx.state.pbxs.set(pbx.id, pbx);
  audit(ctx, {
    operation: "pbx.created",
    objectType: "pbx",
    objectId: pbx.id,
    object: pbx.name,
    customerId,
    details: changes({ ...input }),
  });
  return pbx;
}

/** The PBX `id` of the customer, else 404. */
export function getPbx(ctx: OpCtx, customerId: string, id: string): PbxRec {
  customerOf(ctx, customerId);
  return childOf(ctx.state.pbxs, "PBX", customerId, id);
}

/** Call center and hotel on/off; a PBX may change kind/group if its numbering stays unique. */
export function updatePbx(ctx: OpCtx, customerId: string, id: string, patch: PbxUpdate): PbxRec {
  const pbx = getPbx(ctx, customerId, id);
  const kind = patch.kind ?? pbx.kind;
  const group =
    patch.group === null ? undefined : (patch.group ?? (patch.kind === "single" ? undefined : pbx.group));
  checkKindGroup(kind, group);
  checkGroupKind(ctx, kind, group, id);
  const moved = { ...pbx, kind, group };
  if (numberingScope(moved) !== numberingScope(pbx)) {
    for (const e of ctx.state.extensions.values()) {
      if (e.pbxId === id && extensionNumberTaken(ctx, moved, e.number, e.id)) {
        throw conflict("extension number in group", `${group}/${e.number}`);
      }
    }
  }
  if (patch.callCenter !== undefined) pbx.callCenter = patch.callCenter;
  if (patch.hotel !== undefined) pbx.hotel = patch.hotel;
  pbx.kind = kind;
  if (group === undefined) delete pbx.group;
  else pbx.group = group;
  audit(ctx, {
    operation: "pbx.updated",
    objectType: "pbx",
    objectId: id,
    object: pbx.name,
    customerId,
    details: changes({ ...patch }),
  });
  return pbx;
}

/** Suspends or resumes a PBX (a resumed PBX is active; provisioning is not repeated). */
export function setPbxStatus(
  ctx: OpCtx,
  customerId: string,
  id: string,
  status: "active" | "suspended",
): PbxRec {
  const pbx = getPbx(ctx, customerId, id);
  pbx.status = status;
  pbx.activeAt = Math.min(pbx.activeAt, ctx.now.getTime());
  audit(ctx, {
    operation: status === "suspended" ? "pbx.suspended" : "pbx.resumed",
    objectType: "pbx",
    objectId: id,
    object: pbx.name,
    customerId,
  });
  return pbx;
}

/** Deletes a PBX without extensions or numbers (else 409 in_use). */
export function deletePbx(ctx: OpCtx, customerId: string, id: string): void {
  const pbx = getPbx(ctx, customerId, id);
  const used: string[] = [];
  const exts = [...ctx.state.extensions.values()].filter((e) => e.pbxId === id).length;
  const nums = [...ctx.state.numbers.values()].filter((n) => n.pbxId === id).length;
  if (exts > 0) used.push(`${exts} extensions`);
  if (nums > 0) used.push(`${nums} numbers`);
  if (used.length > 0) throw inUse(`PBX ${pbx.name}`, used);
  ctx.state.pbxs.delete(id);
  audit(ctx, { operation: "pbx.deleted", objectType: "pbx", objectId: id, object: pbx.name, customerId });
}
