/**
 * Records as the API shows them (the contract's object schemas): write-only secrets
 * become `hasPassword`/`hasPin`, pending objects settle, PBXs carry their counts.
 */
import type { Customer, Extension, NumberBlock, Pbx, SipTrunk, User } from "../../client/api.gen.js";
import { blockLastNumber } from "../decided.js";
import type {
  CustomerRec,
  ExtensionRec,
  NumberRec,
  PbxRec,
  StandinState,
  TrunkRec,
  UserRec,
} from "../state.js";
import { settle } from "./context.js";

/** A customer as the API shows it. */
export function customerView(c: CustomerRec): Customer {
  const { partnerId: _p, ...view } = c;
  return view;
}

/** A user as the API shows it (settled: pending may have become active). */
export function userView(u: UserRec, now: Date): User {
  settle(u, now);
  const { activeAt: _a, invitationsSent: _i, ...view } = u;
  return view;
}

/** A trunk as the API shows it: `hasPassword`, never the password. */
export function trunkView(t: TrunkRec): SipTrunk {
  const { passwordHash, ...view } = t;
  return { ...view, hasPassword: passwordHash !== undefined };
}

/** Counts of a PBX's numbers and extensions, by license. */
export function pbxCounts(state: StandinState, pbxId: string): Pbx["counts"] {
  const counts = { numbers: 0, extensions: 0, start: 0, plus: 0 };
  for (const n of state.numbers.values()) if (n.pbxId === pbxId) counts.numbers++;
  for (const e of state.extensions.values()) {
    if (e.pbxId !== pbxId) continue;
    counts.extensions++;
    counts[e.license]++;
  }
  return counts;
}

/** A PBX as the API shows it, settled, with its counts. */
export function pbxView(state: StandinState, p: PbxRec, now: Date): Pbx {
  settle(p, now);
  const { activeAt: _a, ...view } = p;
  return { ...view, counts: pbxCounts(state, p.id) };
}

/** An extension as the API shows it: its user, `hasPin`, never the PIN. */
export function extensionView(state: StandinState, e: ExtensionRec): Extension {
  const { pinHash: _p, userId, ...view } = e;
  const u = userId ? state.users.get(userId) : undefined;
  return {
    ...view,
    user: u ? { id: u.id, email: u.email, firstName: u.firstName, lastName: u.lastName } : null,
    hasPin: true,
  };
}

/** A number block as the API shows it, with its last number and operator. */
export function numberView(state: StandinState, n: NumberRec): NumberBlock {
  return {
    ...n,
    lastNumber: blockLastNumber(n.number, n.blockDigits),
    operator: state.trunks.get(n.trunkId)?.operator ?? "",
  };
}
