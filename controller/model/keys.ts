/**
 * Natural keys: how a declared resource and a live object are recognised as the same
 * thing. One string per resource, readable in plans and logs.
 */

/** Key of a tenant, by customer code. */
export const tenantKey = (customerCode: string): string => `Tenant/${customerCode}`;
/** Key of a user, by tenant and email (emails compare case-insensitively). */
export const userKey = (tenant: string, email: string): string => `User/${tenant}/${email.toLowerCase()}`;
/** Key of a SIP trunk, by tenant and name. */
export const sipTrunkKey = (tenant: string, name: string): string => `SipTrunk/${tenant}/${name}`;
/** Key of a PBX, by tenant and name. */
export const pbxKey = (tenant: string, name: string): string => `Pbx/${tenant}/${name}`;
/** Key of an extension, by tenant, PBX name and extension number. */
export const extensionKey = (tenant: string, pbx: string, number: string): string =>
  `Extension/${tenant}/${pbx}/${number}`;
/** Key of a number block, by its first number (E.164 is global). */
export const numberKey = (e164: string): string => `Number/${e164}`;
