/**
 * Hand edits on the platform, end to end: random sets of edits made through the client
 * show up in drift exactly (no more, no less), and one apply repairs them all. Through
 * `reconcileTenant` (modes apply and drift), fed by an in-memory source.
 */
import fc from "fast-check";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { OmniaClient } from "../../../platform/client/index.js";
import type { LiveState } from "../../model/live-state.js";
import { testSecrets } from "../../test-support/fakes.js";
import { type WorldShape, worldOf, worldSource } from "../../test-support/random-world.js";
import { useStandinAndStore } from "../../test-support/standin.js";
import { observe } from "../observe/observe.js";
import { driftOf } from "../plan/drift-report.js";
import type { Outcome } from "./outcome.js";
import { reconcileTenant, type TenantReconcile } from "./reconcile-tenant.js";

const setup = useStandinAndStore();

const logger = pino({ level: "silent" });

/** The drift a `done` reconcile planned; fails the test with the outcome's reason otherwise. */
function driftIn(o: Outcome<TenantReconcile>) {
  if (o.status !== "done") throw new Error(`want done, got ${o.status}: ${o.reason}`);
  return driftOf(o.result.planned.plan);
}

/** Two users, a trunk with a password, two PBXs, a number block and three extensions. */
const shape: WorldShape = {
  users: [
    { first: "Ada", last: "Lovelace", role: "admin", department: "IT" },
    { first: "Alan", last: "Turing", role: "none" },
  ],
  trunk: { operator: "Fastweb", password: true },
  pbxs: [
    { callCenter: true, hotel: false, suspended: false },
    { callCenter: false, hotel: false, suspended: false },
  ],
  numbers: [{ pbx: 0, block: 1 }],
  extensions: [
    { pbx: 0, number: 201, license: "plus", user: 0, suspended: false },
    { pbx: 0, number: 202, license: "start", user: 1, suspended: false },
    { pbx: 0, number: 203, license: "start", user: 0, suspended: false },
  ],
};

/** One hand edit: what it does through the client, and the drift lines it must cause. */
interface Edit {
  name: string;
  run(client: OmniaClient, live: LiveState): Promise<unknown>;
  expect(tenant: string): string[];
}

const one = <T extends { key: string }>(list: T[], key: string): T => {
  const found = list.find((x) => x.key === key);
  if (!found) throw new Error(`want ${key} on the platform, got ${list.map((x) => x.key).join(", ")}`);
  return found;
};
const cid = (live: LiveState) => live.tenants[0]?.id ?? "";

const edits: Edit[] = [
  {
    name: "rename the customer",
    run: (c, l) => c.customers.update(cid(l), { businessName: "Renamed by hand" }),
    expect: (t) => [`Tenant/${t} spec.businessName`],
  },
  {
    name: "change a user's last name",
    run: (c, l) =>
      c
        .users(cid(l))
        .update(one(l.users, `User/${l.scope[0]}/user0@${l.scope[0]?.toLowerCase()}.example`).id, {
          lastName: "Byron",
        }),
    expect: (t) => [`User/${t}/user0@${t.toLowerCase()}.example spec.lastName`],
  },
  {
    name: "clear a user's department",
    run: (c, l) =>
      c
        .users(cid(l))
        .update(one(l.users, `User/${l.scope[0]}/user0@${l.scope[0]?.toLowerCase()}.example`).id, {
          department: null,
        }),
    expect: (t) => [`User/${t}/user0@${t.toLowerCase()}.example spec.department`],
  },
  {
    name: "change the trunk's operator",
    run: (c, l) =>
      c.trunks(cid(l)).update(one(l.trunks, `SipTrunk/${l.scope[0]}/main`).id, { operator: "Vodafone" }),
    expect: (t) => [`SipTrunk/${t}/main spec.operator`],
  },
  {
    name: "enable the hotel module",
    run: (c, l) => c.pbxs(cid(l)).update(one(l.pbxs, `Pbx/${l.scope[0]}/pbx0`).id, { hotel: true }),
    expect: (t) => [`Pbx/${t}/pbx0 spec.hotel`],
  },
  {
    name: "suspend a PBX",
    run: (c, l) => c.pbxs(cid(l)).suspend(one(l.pbxs, `Pbx/${l.scope[0]}/pbx1`).id),
    expect: (t) => [`Pbx/${t}/pbx1 spec.status`],
  },
  {
    name: "downgrade an extension's license",
    run: (c, l) =>
      c
        .extensions(cid(l))
        .update(one(l.extensions, `Extension/${l.scope[0]}/pbx0/201`).id, { license: "start" }),
    expect: (t) => [`Extension/${t}/pbx0/201 spec.license`],
  },
  {
    name: "detach an extension's user",
    run: (c, l) =>
      c.extensions(cid(l)).update(one(l.extensions, `Extension/${l.scope[0]}/pbx0/203`).id, { userId: null }),
    expect: (t) => [`Extension/${t}/pbx0/203 spec.user.email`],
  },
  {
    name: "delete an extension",
    run: (c, l) => c.extensions(cid(l)).delete(one(l.extensions, `Extension/${l.scope[0]}/pbx0/202`).id),
    expect: (t) => [`Extension/${t}/pbx0/202 missing`],
  },
  {
    name: "delete the number block",
    run: (c, l) => c.numbers(cid(l)).delete(l.numbers[0]?.id ?? ""),
    expect: () => ["Number/+3902{serial}100 missing"],
  },
];

describe("hand edits on the platform", () => {
  it("show up in drift exactly, and apply repairs them", async () => {
    let serial = 300;
    await fc.assert(
      fc.asyncProperty(fc.subarray(edits, { minLength: 1 }), async (chosen) => {
        const n = serial++;
        const world = worldOf(shape, `DR${n}`, n);
        const source = worldSource(world);
        const deps = { client: setup.e.client, store: setup.store, logger, secrets: testSecrets };
        const req = { source, tenant: world.tenant };
        const first = await reconcileTenant(req, deps);
        expect(first.result?.executed?.applied.failed, "failed steps of the first apply").toBe(0);
        expect(first.status, "the first apply's outcome").toBe("done");
        expect(
          driftIn(await reconcileTenant({ ...req, mode: "drift" }, deps)),
          "drift before any edit",
        ).toEqual([]);

        const live = await observe(setup.e.client, { tenants: [world.tenant] });
        for (const edit of chosen) await edit.run(setup.e.client, live);
        const items = driftIn(await reconcileTenant({ ...req, mode: "drift" }, deps));
        const got = items.flatMap((i) =>
          i.kind === "changed" ? i.diffs.map((d) => `${i.key} ${d.path}`) : [`${i.key} ${i.kind}`],
        );
        const want = chosen
          .flatMap((x) => x.expect(world.tenant))
          .map((w) => w.replace("{serial}", String(n).padStart(3, "0")));
        expect(got.sort(), `drift after: ${chosen.map((x) => x.name).join(", ")}`).toEqual(want.sort());

        const repaired = await reconcileTenant(req, deps);
        expect(repaired.result?.executed?.applied.failed ?? 0, "failed repair steps").toBe(0);
        expect(repaired.status, "the repair's outcome").toBe("done");
        expect(
          driftIn(await reconcileTenant({ ...req, mode: "drift" }, deps)),
          "drift after the repair",
        ).toEqual([]);
      }),
      { numRuns: 15 },
    );
  });
});
