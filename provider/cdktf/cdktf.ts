/**
 * `omnia-iac/cdktf`: the Kalliope constructs for apps on `cdktf` 0.21. The same classes
 * as `omnia-iac/cdktn`, built by `defineKalliope` (constructs.ts) on this library; an app
 * moves between the two by renaming both imports (README.md).
 */
import * as lib from "cdktf";
import type {
  ExtensionConstruct,
  KalliopeProviderConstruct,
  PbxConstruct,
  PhoneNumberConstruct,
  SipTrunkConstruct,
  TenantConstruct,
  UserConstruct,
} from "./constructs.js";
import { defineKalliope } from "./constructs.js";
import { asLibrary } from "./library.js";

export type {
  KalliopeProviderProps,
  NumberChildProps,
  SheetOptions,
  TenantChildProps,
} from "./constructs.js";
export { errSheet, KalliopePropsError, providerName, providerSource } from "./constructs.js";
export type {
  ExtensionProps,
  NumberProps as PhoneNumberProps,
  PbxProps,
  SipTrunkProps,
  TenantProps,
  UserProps,
} from "./props.gen.js";

const k = defineKalliope(asLibrary(lib));

/** The `kalliope` provider block (source `omnia-iac/kalliope`, version pinned to this package's). */
export const KalliopeProvider = k.KalliopeProvider;
export type KalliopeProvider = KalliopeProviderConstruct;
/** `kalliope_tenant`: a customer; `addUser`, `addPbx`, `addSipTrunk`, `addNumber` add its resources. */
export const Tenant = k.Tenant;
export type Tenant = TenantConstruct;
/** `kalliope_user`: a user of a tenant. */
export const User = k.User;
export type User = UserConstruct;
/** `kalliope_pbx`: a PBX; `addExtension`, `addExtensionsFromSheet` add its extensions. */
export const Pbx = k.Pbx;
export type Pbx = PbxConstruct;
/** `kalliope_extension`: an extension of a PBX. */
export const Extension = k.Extension;
export type Extension = ExtensionConstruct;
/** `kalliope_number`: a block of direct-dial numbers. */
export const PhoneNumber = k.PhoneNumber;
export type PhoneNumber = PhoneNumberConstruct;
/** `kalliope_sip_trunk`: a SIP trunk. */
export const SipTrunk = k.SipTrunk;
export type SipTrunk = SipTrunkConstruct;
