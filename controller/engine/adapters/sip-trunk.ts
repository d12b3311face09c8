/** SIP trunk adapter (client.trunks). The password goes out only in a create or update body. */

import type { SipTrunkUpdate } from "../../../platform/client/api.gen.js";
import type { DesiredSipTrunk } from "../../model/desired-state.js";
import type { LiveSipTrunk } from "../../model/live-state.js";
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
import { liveTrunk } from "./live-from-api.js";
import type { PlatformPort } from "./platform-port.js";

/**
 * Fields an update can change besides secrets (sent on their own): the contract's update
 * schema, read by the kind registry (registry.ts).
 */
const updatable = plainUpdatable("SipTrunk");

/** The four verbs for SIP trunks. */
export function sipTrunkAdapter(
  client: PlatformPort,
): KindAdapter<"SipTrunk", DesiredSipTrunk["spec"], LiveSipTrunk> {
  const find = async (customerId: string, tenant: string, name: string) => {
    const t = await findFirst(client.trunks(customerId).list(), (x) => x.name === name);
    return t ? liveTrunk(tenant, t) : undefined;
  };
  return {
    kind: "SipTrunk",
    async create(ctx, d) {
      const customerId = customerIdOf(ctx, d.tenant);
      const { password, ...spec } = d.spec;
      return createOrAdopt(
        d.key,
        () =>
          client
            .trunks(customerId)
            .create({ name: d.name, ...spec, ...(password ? { password: password.reveal() } : {}) }),
        () => find(customerId, d.tenant, d.name),
      );
    },
    async update(ctx, d, live, diffs) {
      const fields = changedFields(diffs);
      const body: SipTrunkUpdate = updateBody(fields, d.spec, updatable);
      if (fields.has("password")) body.password = d.spec.password ? d.spec.password.reveal() : null;
      if (Object.keys(body).length === 0) return; // NO-OP: only ignored fields differ.
      const customerId = customerIdOf(ctx, d.tenant);
      await call(errUpdate, d.key, () => client.trunks(customerId).update(live.id, body));
    },
    async delete(ctx, live) {
      const customerId = customerIdOf(ctx, live.tenant);
      await deleteIfPresent(live.key, () => client.trunks(customerId).delete(live.id));
    },
    async find(ctx, d) {
      const customerId = customerIdOf(ctx, d.tenant);
      return call(errFind, d.key, () => find(customerId, d.tenant, d.name));
    },
  };
}
