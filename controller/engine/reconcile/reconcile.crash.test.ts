/**
 * Crash safety end to end (stand-in and PGlite store): the process dies right after each
 * platform write in turn; a rerun converges, with exactly one platform object per
 * declared resource. Through `reconcileTenant`, fed by an in-memory source.
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { DesiredState } from "../../model/desired-state.js";
import type { Plan } from "../../model/plan.js";
import { crashingClient } from "../../test-support/crashing-client.js";
import { testSecrets } from "../../test-support/fakes.js";
import { type WorldShape, worldOf, worldSource } from "../../test-support/random-world.js";
import { useStandinAndStore } from "../../test-support/standin.js";
import { observe } from "../observe/observe.js";
import { planTenants } from "./plan-tenants.js";
import { reconcileTenant } from "./reconcile-tenant.js";

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
  it("is repaired by the next reconcileTenant, with no duplicate object", async () => {
    const deps = { store: setup.store, logger, secrets: testSecrets };
    // A clean run first, to count the writes one apply makes.
    const clean = worldOf(shape, "CR0", 500);
    const counting = crashingClient(setup.e.client, Number.POSITIVE_INFINITY);
    const first = await reconcileTenant(
      { source: worldSource(clean), tenant: clean.tenant },
      { ...deps, client: counting },
    );
    if (first.status !== "done")
      throw new Error(`the clean run: want done, got ${first.status}: ${first.reason}`);
    expect(first.result.executed?.applied.failed, "failed steps of the clean run").toBe(0);
    const writes = counting.writes();
    expect(writes, "writes of one apply").toBeGreaterThanOrEqual(9);
    expect(
      JSON.stringify([...(await objectCounts("CR0")).keys()].sort()),
      "objects of the clean run",
    ).toEqual(declaredKeys(first.result.planned.desired));

    for (let k = 1; k <= writes; k++) {
      const world = worldOf(shape, `CR${k}`, 500 + k);
      const source = worldSource(world);
      const req = { source, tenant: world.tenant };
      const crashed = await reconcileTenant(req, { ...deps, client: crashingClient(setup.e.client, k) });
      expect(crashed.status, `crash after write ${k}: the outcome`).toBe("retry");
      expect(
        crashed.result?.executed?.applied.failed,
        `crash after write ${k}: a step failed`,
      ).toBeGreaterThan(0);

      const rerun = await reconcileTenant(req, { ...deps, client: setup.e.client });
      const failed =
        rerun.result?.executed?.applied.steps
          .filter((s) => s.outcome !== "ok")
          .map((s) => `${s.key}: ${s.error}`) ?? [];
      expect(failed, `crash after write ${k}: failed steps of the rerun`).toEqual([]);
      expect(rerun.status, `crash after write ${k}: the rerun's outcome`).toBe("done");
      const after = await planTenants(
        { source, tenants: [world.tenant] },
        { ...deps, client: setup.e.client },
      );
      if (after.status !== "done") throw new Error(`crash after write ${k}: plan: ${after.reason}`);
      expect(pending(after.result.plan), `crash after write ${k}: changes after the rerun`).toEqual([]);

      const counts = await objectCounts(world.tenant);
      expect(
        JSON.stringify([...counts.keys()].sort()),
        `crash after write ${k}: objects on the platform`,
      ).toEqual(declaredKeys(after.result.desired));
      expect(
        [...counts.values()].every((n) => n === 1),
        `crash after write ${k}: duplicates`,
      ).toBe(true);
    }
  });
});
