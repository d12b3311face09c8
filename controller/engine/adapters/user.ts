/** User adapter: a person of a customer (client.users). Creating one sends an invitation. */
import type { DesiredUser } from "../../model/desired-state.js";
import type { LiveUser } from "../../model/live-state.js";
import { plainUpdatable } from "../../model/registry.js";
import type { KindAdapter } from "./adapter.js";
import {
  call,
  changedFields,
  createOrAdopt,
  customerIdOf,
  deleteIfPresent,
  errFind,
  errUpdate,
  findFirst,
  updateBody,
} from "./common.js";
import { liveUser } from "./live-from-api.js";
import type { PlatformPort } from "./platform-port.js";

/**
 * Fields an update can change besides secrets (sent on their own): the contract's update
 * schema, read by the kind registry (registry.ts).
 */
const updatable = plainUpdatable("User");

/** The four verbs for users. */
export function userAdapter(client: PlatformPort): KindAdapter<"User", DesiredUser["spec"], LiveUser> {
  const find = async (customerId: string, tenant: string, email: string) => {
    const wanted = email.toLowerCase();
    const u = await findFirst(client.users(customerId).list(), (x) => x.email.toLowerCase() === wanted);
    return u ? liveUser(tenant, u) : undefined;
  };
  return {
    kind: "User",
    async create(ctx, d) {
      const customerId = customerIdOf(ctx, d.tenant);
      return createOrAdopt(
        d.key,
        () => client.users(customerId).create(d.spec),
        () => find(customerId, d.tenant, d.spec.email),
      );
    },
    async update(ctx, d, live, diffs) {
      const body = updateBody(changedFields(diffs), d.spec, updatable);
      if (Object.keys(body).length === 0) return; // NO-OP: only uncompared or ignored fields differ.
      const customerId = customerIdOf(ctx, d.tenant);
      await call(errUpdate, d.key, () => client.users(customerId).update(live.id, body));
    },
    async delete(ctx, live) {
      const customerId = customerIdOf(ctx, live.tenant);
      await deleteIfPresent(live.key, () => client.users(customerId).delete(live.id));
    },
    async find(ctx, d) {
      const customerId = customerIdOf(ctx, d.tenant);
      return call(errFind, d.key, () => find(customerId, d.tenant, d.spec.email));
    },
  };
}
