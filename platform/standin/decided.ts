/**
 * Facts about the platform that the manual leaves open, decided for this project
 * (shared/platform/domain.md "Decided for this project", restated in the contract's
 * description). They live here and nowhere else in the stand-in, so that adapting to the
 * real platform is a change of this one module.
 */
import { randomInt } from "node:crypto";

/** How long a new PBX or an invited user stays `pending` by default (ms). */
export const defaultPendingDelayMs = 2_000;

/** Nonces are remembered (and rejected on reuse) for this long. */
export const nonceWindowMs = 5 * 60_000;
/** `Created` may differ from the server clock by at most this much. */
export const createdSkewMs = 5 * 60_000;

/** Page size bounds of every list. */
export const pageSize = { default: 100, max: 500 } as const;

/** Length of a Plus extension's Meeting ID (like the vendor's LAM room instance id). */
export const meetingIdLength = 42;
const alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A new Meeting ID: 42 random alphanumeric characters. */
export function newMeetingId(): string {
  let id = "";
  for (let i = 0; i < meetingIdLength; i++) id += alphanumeric[randomInt(alphanumeric.length)];
  return id;
}

/** Which new objects start `pending` (provisioned by the platform): PBXs and invited users. */
export const startsPending = { pbx: true, user: true } as const;

/** The status a new object starts with, and when a pending one becomes active (epoch ms). */
export function initialStatus(kind: keyof typeof startsPending, now: Date, pendingDelayMs: number) {
  return startsPending[kind]
    ? { status: "pending" as const, activeAt: now.getTime() + pendingDelayMs }
    : { status: "active" as const, activeAt: now.getTime() };
}

/**
 * Natural keys (a create with an existing one answers 409 `conflict` with `existingId`):
 * customerCode on the platform; user email (case-insensitive), SIP trunk `name` and PBX
 * `name` within the customer; extension number within its numbering scope (below);
 * number block by its first E.164 number. Trunk and PBX `name`s are ours: the manual
 * gives trunks only a description and PBXs only a number.
 */
export const naturalKeys = {
  customer: ["customerCode"],
  user: ["customerId", "email"],
  trunk: ["customerId", "name"],
  pbx: ["customerId", "name"],
  extension: ["numberingScope", "number"],
  number: ["number"],
} as const;

/**
 * A number block: `blockDigits` N covers 10^N numbers starting at `number`, whose last N
 * digits must be 0. Returns the first and last number as integers (E.164 without '+'),
 * or an error text.
 */
export function blockRange(number: string, blockDigits: number): { first: bigint; last: bigint } | string {
  const digits = number.slice(1);
  if (!digits.endsWith("0".repeat(blockDigits))) {
    return `a ${blockDigits}-digit block must start at a number whose last ${blockDigits} digits are 0`;
  }
  const first = BigInt(digits);
  return { first, last: first + 10n ** BigInt(blockDigits) - 1n };
}

/** The last number of a valid block, in E.164. */
export function blockLastNumber(number: string, blockDigits: number): string {
  const range = blockRange(number, blockDigits);
  return typeof range === "string" ? number : `+${range.last.toString()}`;
}

/** Whether two blocks share any number (blocks never overlap on the platform). */
export function blocksOverlap(
  a: { first: bigint; last: bigint },
  b: { first: bigint; last: bigint },
): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/**
 * Where an extension number must be unique: the PBX itself, or for a `group` PBX every
 * `group` PBX of the same group among the partner's customers.
 */
export function numberingScope(pbx: { id: string; kind: string; group?: string | undefined }): string {
  return pbx.kind === "group" && pbx.group ? `group:${pbx.group}` : `pbx:${pbx.id}`;
}

/**
 * A PBX group is of one kind: the manual's shared PBXs join a group to share queues,
 * groups, routes and BLF, its group PBXs to share the internal numbering plan; a group
 * holding both would mean two things. The kind of the group `group` among `pbxs` (the
 * partner's PBXs, `exceptId` left out: the PBX being changed), or undefined when no PBX
 * has joined it.
 */
export function groupKindOf(
  pbxs: Iterable<{ id: string; kind: string; group?: string | undefined }>,
  group: string,
  exceptId?: string,
): { kind: string; id: string } | undefined {
  for (const p of pbxs)
    if (p.group === group && p.id !== exceptId && p.kind !== "single") return { kind: p.kind, id: p.id };
  return undefined;
}

/** A customer of another partner: 403 (an id that exists nowhere: 404). */
export const otherPartnerStatus = 403;
