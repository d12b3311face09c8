/** PBX adapter (client.pbxs): kind and group, call-center and hotel modules, suspend/resume. */
import type { DesiredPbx } from "../../model/desired-state.js";
import type { LivePbx } from "../../model/live-state.js";
import { plainUpdatable } from "../../model/registry.js";
import type { KindAdapter } from "./adapter.js";
import {
  call,
  changedFields,
  createOrAdopt,
  customerIdOf,
  deleteIfPresent,
  errCreate,
  errFind,
  findFirst,
  updateBody,
  withStatus,
} from "./common.js";
import { livePbx } from "./live-from-api.js";
import type { PlatformPort } from "./platform-port.js";

/**
 * Fields an update can change besides secrets (sent on their own): the contract's update
 * schema, read by the kind registry (registry.ts).
 */
const updatable = plainUpdatable("Pbx");

/** The four verbs for PBXs. */
export function pbxAdapter(client: PlatformPort): KindAdapter<"Pbx", DesiredPbx["spec"], LivePbx> {
  const find = async (customerId: string, tenant: string, name: string) => {
    const p = await findFirst(client.pbxs(customerId).list(), (x) => x.name === name);
    return p ? livePbx(tenant, p) : undefined;
  };
  return {
    kind: "Pbx",
    async create(ctx, d) {
      const customerId = customerIdOf(ctx, d.tenant);
      const { status, ...spec } = d.spec;
      const made = await createOrAdopt(
        d.key,
        () => client.pbxs(customerId).create({ name: d.name, ...spec }),
        () => find(customerId, d.tenant, d.name),
      );
      if (!made.adopted && status === "suspended") {
        await call(errCreate, d.key, () => client.pbxs(customerId).suspend(made.id));
      }
      return made;
    },
    async update(ctx, d, live, diffs) {
      const customerId = customerIdOf(ctx, d.tenant);
      const fields = changedFields(diffs);
      const body = updateBody(fields, d.spec, updatable);
      // The platform checks kind and group together: send both when either changes.
      if ("kind" in body || "group" in body)
        Object.assign(body, { kind: d.spec.kind, group: d.spec.group ?? null });
      const pbxs = client.pbxs(customerId);
      await withStatus(d.key, d.spec.status, fields.has("status"), {
        update: Object.keys(body).length > 0 ? () => pbxs.update(live.id, body) : undefined,
        suspend: () => pbxs.suspend(live.id),
        resume: () => pbxs.resume(live.id),
      });
    },
    async delete(ctx, live) {
      const customerId = customerIdOf(ctx, live.tenant);
      await deleteIfPresent(live.key, () => client.pbxs(customerId).delete(live.id));
    },
    async find(ctx, d) {
      const customerId = customerIdOf(ctx, d.tenant);
      return call(errFind, d.key, () => find(customerId, d.tenant, d.name));
    },
  };
}
