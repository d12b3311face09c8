/**
 * Number adapter (client.numbers): a block of direct-dial numbers routed to a PBX over a
 * trunk. The platform has no update: the planner replaces a changed block (delete, create).
 */
import type { DesiredNumber } from "../../model/desired-state.js";
import { pbxKey, sipTrunkKey } from "../../model/keys.js";
import { TerminalError } from "../errors.js";
import { liveNumber } from "../observe/live-from-api.js";
import type { KindAdapter, LiveNumber } from "../types.js";
import { call, collect, createOrAdopt, customerIdOf, deleteIfPresent, errFind, idOf } from "./common.js";
import type { PlatformPort } from "./platform-port.js";

/** A Number update reached the adapter: the planner should have replaced the block. */
export const errNumberUpdate = "a number block cannot be updated; plan it as a delete and a create";

/** The four verbs for number blocks. */
export function numberAdapter(
  client: PlatformPort,
): KindAdapter<"Number", DesiredNumber["spec"], LiveNumber> {
  const find = async (customerId: string, tenant: string, e164: string) => {
    const n = (await collect(client.numbers(customerId).list())).find((x) => x.number === e164);
    if (!n) return undefined;
    const [pbxs, trunks] = await Promise.all([
      collect(client.pbxs(customerId).list()),
      collect(client.trunks(customerId).list()),
    ]);
    return liveNumber(
      tenant,
      n,
      new Map(pbxs.map((p) => [p.id, p.name])),
      new Map(trunks.map((t) => [t.id, t.name])),
    );
  };
  return {
    kind: "Number",
    async create(ctx, d) {
      const customerId = customerIdOf(ctx, d.tenant);
      const body = {
        number: d.spec.number,
        blockDigits: d.spec.blockDigits,
        pbxId: idOf(ctx, pbxKey(d.tenant, d.spec.pbx)),
        trunkId: idOf(ctx, sipTrunkKey(d.tenant, d.spec.trunk)),
      };
      return createOrAdopt(
        d.key,
        () => client.numbers(customerId).create(body),
        () => find(customerId, d.tenant, d.spec.number),
      );
    },
    async update(_ctx, d) {
      throw new TerminalError(`${errNumberUpdate}: ${d.key}`);
    },
    async delete(ctx, live) {
      const customerId = customerIdOf(ctx, live.tenant);
      await deleteIfPresent(live.key, () => client.numbers(customerId).delete(live.id));
    },
    async find(ctx, d) {
      const customerId = customerIdOf(ctx, d.tenant);
      return call(errFind, d.key, () => find(customerId, d.tenant, d.spec.number));
    },
  };
}
