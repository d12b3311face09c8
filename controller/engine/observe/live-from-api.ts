/**
 * The listings of one observe pass to a `LiveState`. How each API object maps onto its
 * kind's spec lives in the kind's adapter file (`liveTenant`, `liveTrunk`, ...), with the
 * field copy shared by all (`specFromApi` in adapters/common.ts).
 */
import type {
  Customer,
  Extension,
  NumberBlock,
  Pbx,
  SipTrunk,
  User,
} from "../../../platform/client/api.gen.js";
import { specFromApi } from "../adapters/common.js";
import { liveExtension } from "../adapters/extension.js";
import { liveNumber } from "../adapters/number.js";
import { livePbx } from "../adapters/pbx.js";
import { liveTrunk } from "../adapters/sip-trunk.js";
import { liveTenant } from "../adapters/tenant.js";
import { liveUser } from "../adapters/user.js";
import type { LiveState } from "../types.js";

export { liveExtension, liveNumber, livePbx, liveTenant, liveTrunk, liveUser, specFromApi };

/** Everything listed for one customer, as the API returned it. */
export interface CustomerListing {
  customer: Customer;
  users: User[];
  trunks: SipTrunk[];
  pbxs: Pbx[];
  numbers: NumberBlock[];
  extensions: Extension[];
}

/** Maps the listings of the tenants in scope into a `LiveState`. */
export function toLiveState(scope: string[], listings: CustomerListing[]): LiveState {
  const live: LiveState = {
    scope,
    tenants: [],
    users: [],
    trunks: [],
    pbxs: [],
    numbers: [],
    extensions: [],
  };
  for (const l of listings) {
    const code = l.customer.customerCode;
    const pbxNames = new Map(l.pbxs.map((p) => [p.id, p.name]));
    const trunkNames = new Map(l.trunks.map((t) => [t.id, t.name]));
    live.tenants.push(liveTenant(l.customer));
    for (const u of l.users) live.users.push(liveUser(code, u));
    for (const t of l.trunks) live.trunks.push(liveTrunk(code, t));
    for (const p of l.pbxs) live.pbxs.push(livePbx(code, p));
    for (const n of l.numbers) live.numbers.push(liveNumber(code, n, pbxNames, trunkNames));
    for (const e of l.extensions) live.extensions.push(liveExtension(code, e, pbxNames));
  }
  return live;
}
