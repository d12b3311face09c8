/**
 * API objects to live resources: the one place that knows how the platform's JSON maps onto
 * the manifest specs. Field names are the same on both sides; what changes is that ids
 * become natural names (a number's PBX and trunk, an extension's PBX and user email),
 * write-only fields are absent, and platform-only values go to `facts`.
 */
import type {
  Customer,
  Extension,
  NumberBlock,
  Pbx,
  SipTrunk,
  User,
} from "../../../platform/client/api.gen.js";
import type { KindName } from "../../model/desired-state.js";
import { extensionKey, numberKey, pbxKey, sipTrunkKey, tenantKey, userKey } from "../../model/keys.js";
import type {
  LiveExtension,
  LiveNumber,
  LivePbx,
  LiveSipTrunk,
  LiveState,
  LiveStatus,
  LiveTenant,
  LiveUser,
} from "../../model/live-state.js";
import { registry } from "../../model/registry.js";

/** Everything listed for one customer, as the API returned it. */
export interface CustomerListing {
  customer: Customer;
  users: User[];
  trunks: SipTrunk[];
  pbxs: Pbx[];
  numbers: NumberBlock[];
  extensions: Extension[];
}

/** The declarable status of a live object: the platform's `pending` counts as active. */
const adminStatus = (status: LiveStatus): "active" | "suspended" =>
  status === "suspended" ? "suspended" : "active";

/**
 * The spec fields of `kind` (the kind registry's `specFields`) copied from an API object of
 * the same names: a status field as the declarable status; secrets (write-only) and fields
 * the contract names otherwise (`contractFields`, mapped by the caller) left out; absent,
 * null and empty values left out, as a spec leaves out what it does not declare.
 */
export function specFromApi(kind: KindName, obj: object): Record<string, unknown> {
  const d = registry[kind];
  const skip = new Set([
    ...d.secretPaths.map((p) => p.replace(/^spec\./, "")),
    ...Object.keys(d.contractFields ?? {}),
  ]);
  const status = new Set(d.statusPaths.map((p) => p.replace(/^spec\./, "")));
  const api = obj as Record<string, unknown>;
  const spec: Record<string, unknown> = {};
  for (const f of d.specFields) {
    if (skip.has(f)) continue;
    const v = api[f];
    if (status.has(f)) spec[f] = adminStatus(v as LiveStatus);
    else if (v !== undefined && v !== null && v !== "") spec[f] = v;
  }
  return spec;
}

/** A customer as a live Tenant. */
export function liveTenant(c: Customer): LiveTenant {
  return {
    kind: "Tenant",
    key: tenantKey(c.customerCode),
    id: c.id,
    tenant: c.customerCode,
    spec: specFromApi("Tenant", c) as LiveTenant["spec"],
    status: c.status,
    facts: { createdAt: c.createdAt },
  };
}

/** A platform user as a live User of tenant `code`. */
export function liveUser(code: string, u: User): LiveUser {
  const spec = specFromApi("User", u) as LiveUser["spec"];
  return {
    kind: "User",
    key: userKey(code, u.email),
    id: u.id,
    tenant: code,
    spec,
    status: u.status,
    facts: { createdAt: u.createdAt },
  };
}

/** A SIP trunk as a live SipTrunk; whether it has a password is a fact, never a value. */
export function liveTrunk(code: string, t: SipTrunk): LiveSipTrunk {
  const spec = specFromApi("SipTrunk", t) as LiveSipTrunk["spec"];
  return {
    kind: "SipTrunk",
    key: sipTrunkKey(code, t.name),
    id: t.id,
    tenant: code,
    name: t.name,
    spec,
    status: t.status,
    facts: { hasPassword: t.hasPassword, createdAt: t.createdAt },
  };
}

/** A PBX as a live Pbx, its counts as facts. */
export function livePbx(code: string, p: Pbx): LivePbx {
  const spec = specFromApi("Pbx", p) as LivePbx["spec"];
  return {
    kind: "Pbx",
    key: pbxKey(code, p.name),
    id: p.id,
    tenant: code,
    name: p.name,
    spec,
    status: p.status,
    facts: {
      numbers: p.counts.numbers,
      extensions: p.counts.extensions,
      startLicenses: p.counts.start,
      plusLicenses: p.counts.plus,
      createdAt: p.createdAt,
    },
  };
}

/**
 * A number block as a live Number; its PBX and trunk by name. An id that matches no listed
 * object (the platform changed between two list calls) is kept as the id, so the planner
 * sees a difference rather than a guess.
 */
export function liveNumber(
  code: string,
  n: NumberBlock,
  pbxNames: Map<string, string>,
  trunkNames: Map<string, string>,
): LiveNumber {
  return {
    kind: "Number",
    key: numberKey(n.number),
    id: n.id,
    tenant: code,
    spec: {
      ...(specFromApi("Number", n) as Pick<LiveNumber["spec"], "number" | "blockDigits">),
      pbx: pbxNames.get(n.pbxId) ?? n.pbxId,
      trunk: trunkNames.get(n.trunkId) ?? n.trunkId,
    },
    status: n.status,
    facts: { lastNumber: n.lastNumber, operator: n.operator, createdAt: n.createdAt },
  };
}

/** An extension as a live Extension of its PBX (by name); its user by email only. */
export function liveExtension(code: string, e: Extension, pbxNames: Map<string, string>): LiveExtension {
  const pbx = pbxNames.get(e.pbxId) ?? e.pbxId;
  const spec = specFromApi("Extension", e) as LiveExtension["spec"];
  if (e.user) spec.user = { email: e.user.email };
  return {
    kind: "Extension",
    key: extensionKey(code, pbx, e.number),
    id: e.id,
    tenant: code,
    pbx,
    spec,
    status: e.status,
    facts: { meetingId: e.meetingId, hasPin: e.hasPin, userId: e.user?.id ?? null, createdAt: e.createdAt },
  };
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
