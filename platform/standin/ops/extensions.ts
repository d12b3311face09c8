/**
 * Omnia Manager rules for extensions: number unique per PBX (per group for group PBXs),
 * PIN write-only, a user association (existing or invited), Meeting ID for Plus.
 */
import type { ExtensionCreate, ExtensionUpdate, License } from "../../client/api.gen.js";
import { newMeetingId } from "../decided.js";
import { conflict, invalid } from "../errors.js";
import { type ExtensionRec, hashSecret } from "../state.js";
import { audit, changes, childOf, customerOf, type OpCtx, requireOmniaManager } from "./context.js";
import { extensionNumberTaken } from "./numbering.js";
import { getPbx } from "./pbxs.js";
import { createUser } from "./users.js";

/** The user to associate: an existing one of the customer, or a new invited one. */
function resolveUser(
  ctx: OpCtx,
  customerId: string,
  input: ExtensionCreate | ExtensionUpdate,
): string | null | undefined {
  if (input.newUser) return createUser(ctx, customerId, input.newUser).id;
  if (input.userId === undefined || input.userId === null) return input.userId;
  const user = ctx.state.users.get(input.userId);
  if (!user || user.customerId !== customerId) {
    throw invalid("userId", `no user ${input.userId} in this customer`);
  }
  return user.id;
}

const meetingFor = (license: License): string | null => (license === "plus" ? newMeetingId() : null);

/** Creates an extension on a PBX of the customer, with PIN, license and optional user. */
export function createExtension(
  ctx: OpCtx,
  customerId: string,
  pbxId: string,
  input: ExtensionCreate,
): ExtensionRec {
  requireOmniaManager(customerOf(ctx, customerId));
  const pbx = getPbx(ctx, customerId, pbxId);
  const taken = extensionNumberTaken(ctx, pbx, input.number);
  if (taken) {
    throw conflict("extension", input.number, taken.customerId === customerId ? taken.id : undefined);
  }
  const userId = resolveUser(ctx, customerId, input) ?? null;
  const ext: ExtensionRec = {
    id: ctx.state.newId("extensions"),
    customerId,
    pbxId,
    number: input.number,
    license: input.license,
    meetingId: meetingFor(input.license),
    userId,
    pinHash: hashSecret(input.pin),
    status: "active",
    createdAt: ctx.now.toISOString(),
  };
  ctx.state.extensions.set(ext.id, ext);
  audit(ctx, {
    operation: "extension.created",
    objectType: "extension",
    objectId: ext.id,
    object: `${pbx.name}/${ext.number}`,
    customerId,
    details: changes({ ...input, newUser: undefined, userId: userId ?? undefined }, ["pin"]),
  });
  return ext;
}

/** The extension `id` of the customer, else 404. */
export function getExtension(ctx: OpCtx, customerId: string, id: string): ExtensionRec {
  customerOf(ctx, customerId);
  return childOf(ctx.state.extensions, "extension", customerId, id);
}

/** License (Plus gets a Meeting ID, Start loses it), PIN, user association. */
export function updateExtension(
  ctx: OpCtx,
  customerId: string,
  id: string,
  patch: ExtensionUpdate,
): ExtensionRec {
  const ext = getExtension(ctx, customerId, id);
  const userId = resolveUser(ctx, customerId, patch);
  if (userId !== undefined) ext.userId = userId;
  if (patch.license !== undefined && patch.license !== ext.license) {
    ext.license = patch.license;
    ext.meetingId = meetingFor(patch.license);
  }
  if (patch.pin !== undefined) ext.pinHash = hashSecret(patch.pin);
  audit(ctx, {
    operation: "extension.updated",
    objectType: "extension",
    objectId: id,
    object: `${ctx.state.pbxs.get(ext.pbxId)?.name}/${ext.number}`,
    customerId,
    details: changes({ ...patch, newUser: undefined, userId }, ["pin"]),
  });
  return ext;
}

/** Suspends (`suspended`) or resumes (`active`) an extension. */
export function setExtensionStatus(
  ctx: OpCtx,
  customerId: string,
  id: string,
  status: "active" | "suspended",
): ExtensionRec {
  const ext = getExtension(ctx, customerId, id);
  ext.status = status;
  audit(ctx, {
    operation: status === "suspended" ? "extension.suspended" : "extension.resumed",
    objectType: "extension",
    objectId: id,
    object: `${ctx.state.pbxs.get(ext.pbxId)?.name}/${ext.number}`,
    customerId,
  });
  return ext;
}

/** Deletes an extension (its user stays). */
export function deleteExtension(ctx: OpCtx, customerId: string, id: string): void {
  const ext = getExtension(ctx, customerId, id);
  ctx.state.extensions.delete(id);
  audit(ctx, {
    operation: "extension.deleted",
    objectType: "extension",
    objectId: id,
    object: `${ctx.state.pbxs.get(ext.pbxId)?.name}/${ext.number}`,
    customerId,
  });
}
