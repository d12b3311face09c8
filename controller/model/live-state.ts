/**
 * The live platform as observe sees it: each object in the same shape as the desired
 * spec, so the planner can compare field by field.
 */
import type { KindName } from "./desired-state.js";
import type {
  ExtensionSpec,
  NumberSpec,
  PbxSpec,
  SipTrunkSpec,
  TenantSpec,
  UserSpec,
} from "./resources.gen.js";

/** Platform status of a live object; `pending` while the platform provisions it. */
export type LiveStatus = "active" | "pending" | "suspended";

/**
 * A live object as observed, in the same shape as the desired spec so the planner can
 * compare field by field. Write-only fields (PINs, passwords) are absent; references are
 * by natural name (a Number's `pbx` and `trunk` are names, not ids).
 */
export interface LiveResource<K extends KindName, S> {
  kind: K;
  /** Natural key, as `resourceKey()` builds it (controller/model/keys.ts). */
  key: string;
  /** Platform id. */
  id: string;
  /** Customer code of the owning tenant. */
  tenant: string;
  /** For extensions: the PBX name. */
  pbx?: string;
  /** The live name for kinds named by metadata.name (PBX, SIP trunk). */
  name?: string;
  spec: S;
  status: LiveStatus;
  /** Platform-only facts shown to people (meetingId, hasPassword, counts, createdAt). */
  facts: Record<string, string | number | boolean | null>;
}

export type LiveTenant = LiveResource<"Tenant", TenantSpec>;

export type LiveUser = LiveResource<"User", UserSpec>;

export type LiveSipTrunk = LiveResource<"SipTrunk", Omit<SipTrunkSpec, "password">>;

export type LivePbx = LiveResource<"Pbx", PbxSpec>;

export type LiveNumber = LiveResource<"Number", NumberSpec>;

export type LiveExtension = LiveResource<"Extension", Omit<ExtensionSpec, "pin">>;

export type AnyLiveResource = LiveTenant | LiveUser | LiveSipTrunk | LivePbx | LiveNumber | LiveExtension;

/** Everything observed on the platform for the tenants in scope. */
export interface LiveState {
  /** Customer codes that were observed (a tenant not listed here was not looked at). */
  scope: string[];
  tenants: LiveTenant[];
  users: LiveUser[];
  trunks: LiveSipTrunk[];
  pbxs: LivePbx[];
  numbers: LiveNumber[];
  extensions: LiveExtension[];
}
