/**
 * Extension adapter (client.extensions): number, license, PIN and associated user, plus
 * suspend/resume. The user is passed by id when the engine knows it (a User resource of
 * the same tenant), else created with the extension from the inline names (`newUser`).
 */

import type { ExtensionUpdate, NewUser } from "../../../platform/client/api.gen.js";
import type { DesiredExtension } from "../../model/desired-state.js";
import { pbxKey, userKey } from "../../model/keys.js";
import { TerminalError } from "../errors.js";
import { liveExtension } from "../observe/live-from-api.js";
import type { ApplyContext, KindAdapter, LiveExtension } from "../types.js";
import {
  call,
  changedFields,
  createOrAdopt,
  customerIdOf,
  deleteIfPresent,
  errCreate,
  errFind,
  findFirst,
  idOf,
  withStatus,
} from "./common.js";
import type { PlatformPort } from "./platform-port.js";

/** An extension's user is neither known to the engine nor given with names to create it. */
export const errNoUser = "the extension's user is not on the platform and has no names to create it with";

/** `{userId}` or `{newUser}` for the desired user; `{}` for none. */
function userRef(ctx: ApplyContext, d: DesiredExtension): { userId?: string; newUser?: NewUser } {
  const u = d.spec.user;
  if (!u) return {};
  const userId = ctx.idOf(userKey(d.tenant, u.email));
  if (userId) return { userId };
  if (u.firstName && u.lastName)
    return { newUser: { email: u.email, firstName: u.firstName, lastName: u.lastName } };
  throw new TerminalError(`${errNoUser}: ${d.key} (${u.email})`);
}

/** The four verbs for extensions. */
export function extensionAdapter(
  client: PlatformPort,
): KindAdapter<"Extension", DesiredExtension["spec"], LiveExtension> {
  const find = async (ctx: ApplyContext, d: DesiredExtension) => {
    const customerId = customerIdOf(ctx, d.tenant);
    const pbx = d.pbx ?? "";
    const pbxId = idOf(ctx, pbxKey(d.tenant, pbx));
    const e = await findFirst(
      client.extensions(customerId).list({ pbxId }),
      (x) => x.number === d.spec.number && x.pbxId === pbxId,
    );
    return e ? liveExtension(d.tenant, e, new Map([[pbxId, pbx]])) : undefined;
  };
  return {
    kind: "Extension",
    async create(ctx, d) {
      const customerId = customerIdOf(ctx, d.tenant);
      const pbxId = idOf(ctx, pbxKey(d.tenant, d.pbx ?? ""));
      const extensions = client.extensions(customerId);
      const made = await createOrAdopt(
        d.key,
        () =>
          extensions.create(pbxId, {
            number: d.spec.number,
            license: d.spec.license,
            pin: d.spec.pin.reveal(),
            ...userRef(ctx, d),
          }),
        () => find(ctx, d),
      );
      if (!made.adopted && d.spec.status === "suspended") {
        await call(errCreate, d.key, () => extensions.suspend(made.id));
      }
      return made;
    },
    async update(ctx, d, live, diffs) {
      const customerId = customerIdOf(ctx, d.tenant);
      const fields = changedFields(diffs);
      const body: ExtensionUpdate = {};
      if (fields.has("license")) body.license = d.spec.license;
      if (fields.has("pin")) body.pin = d.spec.pin.reveal();
      if (diffs.some((x) => x.path === "spec.user" || x.path === "spec.user.email")) {
        const ref = userRef(ctx, d);
        if (ref.userId) body.userId = ref.userId;
        else if (ref.newUser) body.newUser = ref.newUser;
        else body.userId = null;
      }
      const extensions = client.extensions(customerId);
      await withStatus(d.key, d.spec.status, fields.has("status"), {
        update: Object.keys(body).length > 0 ? () => extensions.update(live.id, body) : undefined,
        suspend: () => extensions.suspend(live.id),
        resume: () => extensions.resume(live.id),
      });
    },
    async delete(ctx, live) {
      const customerId = customerIdOf(ctx, live.tenant);
      await deleteIfPresent(live.key, () => client.extensions(customerId).delete(live.id));
    },
    async find(ctx, d) {
      return call(errFind, d.key, () => find(ctx, d));
    },
  };
}
