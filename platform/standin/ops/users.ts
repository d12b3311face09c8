/** Admin Console rules for a customer's users: create = invite (pending), roles, delete. */
import type { NewUser, UserCreate, UserUpdate } from "../../client/api.gen.js";
import { initialStatus } from "../decided.js";
import { conflict, invalidState } from "../errors.js";
import type { UserRec } from "../state.js";
import { audit, changes, childOf, customerOf, type OpCtx, requireOmniaManager, settle } from "./context.js";

/** The user of `customerId` with this email (case-insensitive), if any. */
export function userByEmail(ctx: OpCtx, customerId: string, email: string): UserRec | undefined {
  const wanted = email.toLowerCase();
  return ctx.state.ofCustomer("users", customerId).find((u) => u.email.toLowerCase() === wanted);
}

/** Creates and invites a user: pending until the invitation is accepted (a delay here). */
export function createUser(ctx: OpCtx, customerId: string, input: UserCreate | NewUser): UserRec {
  const customer = customerOf(ctx, customerId);
  const full = input as UserCreate;
  // The Omnia Manager role administers PBXs and SIP trunks: only with the service enabled.
  if ((full.omniaManagerRole ?? "none") !== "none") requireOmniaManager(customer);
  const existing = userByEmail(ctx, customerId, input.email);
  if (existing) throw conflict("user", input.email, existing.id);
  const user: UserRec = {
    id: ctx.state.newId("users"),
    customerId,
    firstName: input.firstName,
    lastName: input.lastName,
    email: input.email,
    ...(full.department !== undefined ? { department: full.department } : {}),
    adminConsoleRole: full.adminConsoleRole ?? "none",
    omniaManagerRole: full.omniaManagerRole ?? "none",
    mayManageCustomers: full.mayManageCustomers ?? false,
    ...initialStatus("user", ctx.now, ctx.pendingDelayMs),
    invitationsSent: 1,
    createdAt: ctx.now.toISOString(),
  };
  ctx.state.users.set(user.id, user);
  audit(ctx, {
    operation: "user.created",
    objectType: "user",
    objectId: user.id,
    object: user.email,
    customerId,
    details: changes({ ...input }),
  });
  return user;
}

/** The user `id` of the customer, else 404. */
export function getUser(ctx: OpCtx, customerId: string, id: string): UserRec {
  customerOf(ctx, customerId);
  return childOf(ctx.state.users, "user", customerId, id);
}

/** Edits names, department and roles (the email is the identity and stays). */
export function updateUser(ctx: OpCtx, customerId: string, id: string, patch: UserUpdate): UserRec {
  const user = getUser(ctx, customerId, id);
  if (patch.omniaManagerRole !== undefined && patch.omniaManagerRole !== "none")
    requireOmniaManager(customerOf(ctx, customerId));
  const { department, ...rest } = patch;
  Object.assign(user, rest);
  if (department === null) delete user.department;
  else if (department !== undefined) user.department = department;
  audit(ctx, {
    operation: "user.updated",
    objectType: "user",
    objectId: id,
    object: user.email,
    customerId,
    details: changes({ ...patch }),
  });
  return user;
}

/** Sends the invitation again; only a pending user has one to resend. */
export function resendInvitation(ctx: OpCtx, customerId: string, id: string): UserRec {
  const user = settle(getUser(ctx, customerId, id), ctx.now);
  if (user.status !== "pending") throw invalidState(`user ${user.email} has already accepted the invitation`);
  user.invitationsSent++;
  audit(ctx, {
    operation: "user.invitation_resent",
    objectType: "user",
    objectId: id,
    object: user.email,
    customerId,
  });
  return user;
}

/** Deletes a user; extensions associated with it keep working without a user. */
export function deleteUser(ctx: OpCtx, customerId: string, id: string): void {
  const user = getUser(ctx, customerId, id);
  for (const e of ctx.state.ofCustomer("extensions", customerId)) if (e.userId === id) e.userId = null;
  ctx.state.users.delete(id);
  audit(ctx, { operation: "user.deleted", objectType: "user", objectId: id, object: user.email, customerId });
}
