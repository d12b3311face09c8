/**
 * Crash safety end to end (stand-in and PGlite store): the process dies right after each
 * platform write in turn; a rerun converges, with exactly one platform object per
 * declared resource.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { DesiredState } from "../../model/desired-state.js";
import type { Plan } from "../../model/plan.js";
import { storePort } from "../../runtime/store-port.js";
import { crashingClient } from "../../test-support/crashing-client.js";
import { type WorldShape, worldOf, writeWorld } from "../../test-support/random-world.js";
import { useStandinAndStore } from "../../test-support/standin.js";
import { observe } from "../observe/observe.js";
import { reconcile } from "./reconcile.js";

const setup = useStandinAndStore();

const logger = pino({ level: "silent" });
const pending = (p: Plan) => p.changes.filter((c) => c.action !== "noop").map((c) => `${c.action} ${c.key}`);

const shape: WorldShape = {
  users: [{ first: "Ada", last: "Lovelace", role: "admin" }],
  trunk: { operator: "Fastweb", password: true },
  pbxs: [{ callCenter: true, hotel: false, suspended: true }],
  numbers: [{ pbx: 0, block: 1 }],
  extensions: [
    { pbx: 0, number: 201, license: "plus", user: 0, suspended: false },
    { pbx: 0, number: 202, license: "start", suspended: true },
  ],
};

/** Natural keys of every declared resource, sorted. */
const declaredKeys = (d: DesiredState): string =>
  JSON.stringify(
    Object.values(d)
      .flatMap((list: { key: string }[]) => list.map((r) => r.key))
      .sort(),
  );

/** Platform objects of a tenant by natural key, with how many there are of each. */
async function objectCounts(tenant: string): Promise<Map<string, number>> {
  const live = await observe(setup.e.client, { tenants: [tenant] });
  const counts = new Map<string, number>();
  for (const r of [
    ...live.tenants,
    ...live.users,
    ...live.trunks,
    ...live.pbxs,
    ...live.numbers,
    ...live.extensions,
  ]) {
    counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
  }
  return counts;
}

describe("a crash after each platform write", () => {
  it("is repaired by the next run, with no duplicate object", async () => {
    const recorder = storePort(setup.store);
    // A clean run first, to count the writes one apply makes.
    const clean = worldOf(shape, "CR0", 500);
    const counting = crashingClient(setup.e.client, Number.POSITIVE_INFINITY);
    const first = await reconcile(
      { dir: await writeWorld(clean), mode: "apply" },
      { client: counting, store: recorder, logger, load: { env: clean.env } },
    );
    expect(first.applied?.failed, "failed steps of the clean run").toBe(0);
    const writes = counting.writes();
    expect(writes, "writes of one apply").toBeGreaterThanOrEqual(9);
    expect(
      JSON.stringify([...(await objectCounts("CR0")).keys()].sort()),
      "objects of the clean run",
    ).toEqual(declaredKeys(first.desired));

    for (let k = 1; k <= writes; k++) {
      const world = worldOf(shape, `CR${k}`, 500 + k);
      const dir = await writeWorld(world);
      const deps = { store: recorder, logger, load: { env: world.env } };
      const crashed = await reconcile(
        { dir, mode: "apply" },
        { ...deps, client: crashingClient(setup.e.client, k) },
      );
      expect(crashed.applied?.failed, `crash after write ${k}: a step failed`).toBeGreaterThan(0);

      const rerun = await reconcile({ dir, mode: "apply" }, { ...deps, client: setup.e.client });
      const failed =
        rerun.applied?.steps.filter((s) => s.outcome !== "ok").map((s) => `${s.key}: ${s.error}`) ?? [];
      expect(failed, `crash after write ${k}: failed steps of the rerun`).toEqual([]);
      const after = await reconcile({ dir, mode: "plan" }, { ...deps, client: setup.e.client });
      expect(pending(after.plan), `crash after write ${k}: changes after the rerun`).toEqual([]);

      const counts = await objectCounts(world.tenant);
      expect(
        JSON.stringify([...counts.keys()].sort()),
        `crash after write ${k}: objects on the platform`,
      ).toEqual(declaredKeys(after.desired));
      expect(
        [...counts.values()].every((n) => n === 1),
        `crash after write ${k}: duplicates`,
      ).toBe(true);
    }
  });
});
