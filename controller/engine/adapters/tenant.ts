/** Tenant adapter: a customer of the partner (client.customers). */
import type { DesiredTenant } from "../../model/desired-state.js";
import type { LiveTenant } from "../../model/live-state.js";
import { plainUpdatable } from "../../model/registry.js";
import type { KindAdapter } from "./adapter.js";
import {
  call,
  changedFields,
  createOrAdopt,
  deleteIfPresent,
  errCreate,
  errFind,
  findFirst,
  updateBody,
  withStatus,
} from "./common.js";
import { liveTenant } from "./live-from-api.js";
import type { PlatformPort } from "./platform-port.js";

/**
 * Fields an update can change besides secrets (sent on their own): the contract's update
 * schema, read by the kind registry (registry.ts).
 */
const updatable = plainUpdatable("Tenant");

/** The four verbs for tenants. */
export function tenantAdapter(
  client: PlatformPort,
): KindAdapter<"Tenant", DesiredTenant["spec"], LiveTenant> {
  const find = async (code: string) =>
    findFirst(client.customers.list(), (c) => c.customerCode === code).then((c) =>
      c ? liveTenant(c) : undefined,
    );
  return {
    kind: "Tenant",
    async create(_ctx, d) {
      const { status, ...spec } = d.spec;
      const made = await createOrAdopt(
        d.key,
        () => client.customers.create(spec),
        () => find(d.spec.customerCode),
      );
      if (!made.adopted && status === "suspended") {
        await call(errCreate, d.key, () => client.customers.suspend(made.id));
      }
      return made;
    },
    async update(_ctx, d, live, diffs) {
      const fields = changedFields(diffs);
      const body = updateBody(fields, d.spec, updatable);
      await withStatus(d.key, d.spec.status, fields.has("status"), {
        update: Object.keys(body).length > 0 ? () => client.customers.update(live.id, body) : undefined,
        suspend: () => client.customers.suspend(live.id),
        resume: () => client.customers.resume(live.id),
      });
    },
    async delete(_ctx, live) {
      await deleteIfPresent(live.key, () => client.customers.delete(live.id));
    },
    async find(_ctx, d) {
      return call(errFind, d.key, () => find(d.spec.customerCode));
    },
  };
}
