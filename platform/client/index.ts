/**
 * The Omnia platform client: `new OmniaClient(settings, options)`. The only way the rest
 * of omnia-iac talks to the platform (architecture.md). Object types are generated from
 * `schemas/omnia-api.yaml` and re-exported here.
 */

import { setMaxListeners } from "node:events";
import { eitherSignal } from "./abort.js";
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
import { type CallPort, type ClientOptions, type ClientStats, Transport } from "./transport.js";

/** API object types, generated from schemas/omnia-api.yaml. */
export type * from "./api.gen.js";
export { clientCodes, PlatformError, retryAfterOf, retryableStatuses } from "./errors.js";
export type { ExtensionListOptions, Listing, ListOptions, LogListOptions } from "./resources.js";
export { type ClientSettings, clientSettingsFromEnv } from "./settings.js";
export type { CallPort, ClientOptions, ClientStats, ResponseEvent, SharedLimits } from "./transport.js";

/**
 * The sub-APIs over one transport, through a call port that may be bound to an
 * AbortSignal. `OmniaClient` is the one you construct; `withSignal` gives views of it.
 */
export class PlatformClient {
  /** The partner's own company (Azienda). */
  readonly company: ReturnType<typeof companyApi>;
  /** The partner's customers. */
  readonly customers: ReturnType<typeof customersApi>;
  /** Audit logs. */
  readonly logs: ReturnType<typeof logsApi>;
  /** Dashboard figures. */
  readonly dashboard: ReturnType<typeof dashboardApi>;

  protected constructor(
    protected readonly transport: Transport,
    private readonly port: CallPort,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.company = companyApi(port);
    this.customers = customersApi(port);
    this.logs = logsApi(port);
    this.dashboard = dashboardApi(port);
  }

  /** Users of a customer. */
  users(customerId: string): ReturnType<typeof usersApi> {
    return usersApi(this.port, customerId);
  }
  /** SIP trunks of a customer. */
  trunks(customerId: string): ReturnType<typeof trunksApi> {
    return trunksApi(this.port, customerId);
  }
  /** PBXs of a customer. */
  pbxs(customerId: string): ReturnType<typeof pbxsApi> {
    return pbxsApi(this.port, customerId);
  }
  /** Extensions of a customer (create takes the PBX id). */
  extensions(customerId: string): ReturnType<typeof extensionsApi> {
    return extensionsApi(this.port, customerId);
  }
  /** Number blocks of a customer. */
  numbers(customerId: string): ReturnType<typeof numbersApi> {
    return numbersApi(this.port, customerId);
  }

  /**
   * A view of this client whose every call is aborted when `signal` fires (and when this
   * view's own signal does): same transport, connection pool, rate limit, concurrency,
   * counters and idempotency keys, with the same methods. An aborted call stops at once,
   * wherever it waits (a concurrency slot, the rate limit, the answer, a retry backoff),
   * sends nothing more, and throws `PlatformError` with code `aborted`, status 0,
   * `retryable` false and the signal's reason as `cause`.
   */
  withSignal(signal: AbortSignal): PlatformClient {
    const both = eitherSignal(this.signal, signal) as AbortSignal;
    // Each call in flight listens to the signal (up to the concurrency limit, plus the
    // calls waiting for a slot): many listeners here are expected, not a leak.
    setMaxListeners(0, signal, both);
    return new PlatformClient(this.transport, this.transport.bound(both), both);
  }

  /** Counters since the client was made, shared by its views (a copy). */
  stats(): ClientStats {
    const c = this.transport.counters;
    return { ...c, byRoute: { ...c.byRoute } };
  }

  /** Closes idle keep-alive connections (of the client and all its views). */
  close(): Promise<void> {
    return this.transport.close();
  }
}

/** A client of one partner account on the Omnia platform. */
export class OmniaClient extends PlatformClient {
  constructor(settings: ClientSettings, options: ClientOptions = {}) {
    const transport = new Transport(settings, options);
    super(transport, transport, undefined);
  }
}
