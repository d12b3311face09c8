/** The adapter of every kind over one platform client, as `apply()` takes them. */
import type { AdapterSet } from "./adapter.js";
import { extensionAdapter } from "./extension.js";
import { numberAdapter } from "./number.js";
import { pbxAdapter } from "./pbx.js";
import type { PlatformPort } from "./platform-port.js";
import { sipTrunkAdapter } from "./sip-trunk.js";
import { tenantAdapter } from "./tenant.js";
import { userAdapter } from "./user.js";

export type { PlatformPort } from "./platform-port.js";

/** One adapter per kind, all calling `client`. */
export function adapters(client: PlatformPort): AdapterSet {
  // Each adapter is typed by its own desired and live shapes; apply pairs them by kind.
  return {
    Tenant: tenantAdapter(client),
    User: userAdapter(client),
    SipTrunk: sipTrunkAdapter(client),
    Pbx: pbxAdapter(client),
    Number: numberAdapter(client),
    Extension: extensionAdapter(client),
  } as unknown as AdapterSet;
}
