/**
 * Observe (architecture.md, engine step 2): read the live platform for the tenants in scope
 * with list calls only — one paged list of customers, then per customer one paged list
 * each of users, trunks, PBXs, numbers and extensions, customers in parallel. The client
 * paces the calls (rate limit, concurrency); observe never writes.
 */
import pLimit from "p-limit";
import type { LiveState } from "../../model/live-state.js";
import { collect } from "../adapters/common.js";
import { type CustomerListing, toLiveState } from "../adapters/live-from-api.js";
import type { PlatformPort } from "../adapters/platform-port.js";
import { EngineError } from "../errors.js";

/** Reading the platform failed; the cause says which call. */
export const errObserve = "cannot read the live platform";

/** Options of `observe`. */
export interface ObserveOptions {
  /**
   * Customer codes to observe. Default: every customer of the partner. A code that is not
   * on the platform is still in `scope` (observed as absent).
   */
  tenants?: readonly string[];
  /** Customers listed at the same time. Default 4 (each runs five lists at once). */
  concurrency?: number;
}

/** Reads the live state of the tenants in scope. */
export async function observe(client: PlatformPort, options: ObserveOptions = {}): Promise<LiveState> {
  try {
    const customers = await collect(client.customers.list());
    const wanted = options.tenants ? new Set(options.tenants) : undefined;
    const inScope = wanted ? customers.filter((c) => wanted.has(c.customerCode)) : customers;
    const limit = pLimit(options.concurrency ?? 4);
    const listings = await Promise.all(
      inScope.map((customer) =>
        limit(async (): Promise<CustomerListing> => {
          const id = customer.id;
          const [users, trunks, pbxs, numbers, extensions] = await Promise.all([
            collect(client.users(id).list()),
            collect(client.trunks(id).list()),
            collect(client.pbxs(id).list()),
            collect(client.numbers(id).list()),
            collect(client.extensions(id).list()),
          ]);
          return { customer, users, trunks, pbxs, numbers, extensions };
        }),
      ),
    );
    const scope = wanted ? [...wanted] : customers.map((c) => c.customerCode);
    return toLiveState(scope.sort(), listings);
  } catch (err) {
    throw new EngineError(errObserve, undefined, { cause: err });
  }
}
