/**
 * The Omnia platform client: `new OmniaClient(settings, options)`. The only way the rest
 * of omnia-iac talks to the platform (architecture.md). Object types are generated from
 * `schemas/omnia-api.yaml` and re-exported here.
 */
import {
  companyApi,
  customersApi,
  dashboardApi,
  extensionsApi,
  logsApi,
  numbersApi,
  pbxsApi,
  trunksApi,
  usersApi,
} from "./resources.js";
import type { ClientSettings } from "./settings.js";
import { type ClientOptions, type ClientStats, Transport } from "./transport.js";

/** API object types, generated from schemas/omnia-api.yaml. */
export type * from "./api.gen.js";
export { PlatformError, retryableStatuses } from "./errors.js";
export type { ExtensionListOptions, Listing, ListOptions, LogListOptions } from "./resources.js";
export { type ClientSettings, clientSettingsFromEnv } from "./settings.js";
export type { ClientOptions, ClientStats, ResponseEvent, SharedLimits } from "./transport.js";

/** A client of one partner account on the Omnia platform. */
export class OmniaClient {
  private readonly transport: Transport;
  /** The partner's own company (Azienda). */
  readonly company: ReturnType<typeof companyApi>;
  /** The partner's customers. */
  readonly customers: ReturnType<typeof customersApi>;
  /** Audit logs. */
  readonly logs: ReturnType<typeof logsApi>;
  /** Dashboard figures. */
  readonly dashboard: ReturnType<typeof dashboardApi>;

  constructor(settings: ClientSettings, options: ClientOptions = {}) {
    this.transport = new Transport(settings, options);
    this.company = companyApi(this.transport);
    this.customers = customersApi(this.transport);
    this.logs = logsApi(this.transport);
    this.dashboard = dashboardApi(this.transport);
  }

  /** Users of a customer. */
  users(customerId: string): ReturnType<typeof usersApi> {
    return usersApi(this.transport, customerId);
  }
  /** SIP trunks of a customer. */
  trunks(customerId: string): ReturnType<typeof trunksApi> {
    return trunksApi(this.transport, customerId);
  }
  /** PBXs of a customer. */
  pbxs(customerId: string): ReturnType<typeof pbxsApi> {
    return pbxsApi(this.transport, customerId);
  }
  /** Extensions of a customer (create takes the PBX id). */
  extensions(customerId: string): ReturnType<typeof extensionsApi> {
    return extensionsApi(this.transport, customerId);
  }
  /** Number blocks of a customer. */
  numbers(customerId: string): ReturnType<typeof numbersApi> {
    return numbersApi(this.transport, customerId);
  }

  /** Counters since the client was made (a copy). */
  stats(): ClientStats {
    const c = this.transport.counters;
    return { ...c, byRoute: { ...c.byRoute } };
  }

  /** Closes idle keep-alive connections. */
  close(): Promise<void> {
    return this.transport.close();
  }
}
