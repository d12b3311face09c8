/**
 * Number adapter (client.numbers): a block of direct-dial numbers routed to a PBX over a
 * trunk. The platform has no update: the planner replaces a changed block (delete, create).
 */

import type { NumberBlock as ApiNumberBlock } from "../../../platform/client/api.gen.js";
import type { DesiredNumber } from "../../model/desired-state.js";
import { numberKey, pbxKey, sipTrunkKey } from "../../model/keys.js";
import { TerminalError } from "../errors.js";
import type { KindAdapter, LiveNumber } from "../types.js";
import {
  call,
  collect,
  createOrAdopt,
  customerIdOf,
  deleteIfPresent,
  errFind,
  idOf,
  specFromApi,
} from "./common.js";
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

/**
 * A number block as a live Number; its PBX and trunk by name. An id that matches no listed
 * object (the platform changed between two list calls) is kept as the id, so the planner
 * sees a difference rather than a guess.
 */
export function liveNumber(
  code: string,
  n: ApiNumberBlock,
  pbxNames: Map<string, string>,
  trunkNames: Map<string, string>,
): LiveNumber {
  return {
    kind: "Number",
    key: numberKey(n.number),
    id: n.id,
    tenant: code,
    spec: {
      ...(specFromApi("Number", n) as Pick<LiveNumber["spec"], "number" | "blockDigits">),
      pbx: pbxNames.get(n.pbxId) ?? n.pbxId,
      trunk: trunkNames.get(n.trunkId) ?? n.trunkId,
    },
    status: n.status,
    facts: { lastNumber: n.lastNumber, operator: n.operator, createdAt: n.createdAt },
  };
}
