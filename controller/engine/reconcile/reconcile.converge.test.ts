/**
 * End to end against the real stand-in: source, observe, plan, apply, record, through
 * `reconcileTenant`. Convergence: after one reconcile, a plan of the same source changes
 * nothing. The random repositories are `MemorySource`s: nothing is written to disk.
 */
import fc from "fast-check";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../model/plan.js";
import { FolderSource } from "../../sources/folder.js";
import { testSecrets } from "../../test-support/fakes.js";
import { worldOf, worldShape, worldSource } from "../../test-support/random-world.js";
import { useStandinAndStore } from "../../test-support/standin.js";
import type { Outcome } from "./outcome.js";
import { planTenants } from "./plan-tenants.js";
import { reconcileTenant } from "./reconcile-tenant.js";

const setup = useStandinAndStore();

const logger = pino({ level: "silent" });
const pending = (p: Plan) =>
  p.changes.filter((c) => c.action !== "noop").map((c) => `${c.action} ${c.key} ${JSON.stringify(c.diffs)}`);
const deps = () => ({ client: setup.e.client, store: setup.store, logger, secrets: testSecrets });

/** The result of a `done` outcome; fails the test with the outcome's reason otherwise. */
function done<T>(o: Outcome<T>, what: string): T {
  if (o.status !== "done") throw new Error(`${what}: want done, got ${o.status}: ${o.reason}`);
  return o.result;
}

describe("reconcileTenant end to end", () => {
  it("applies the example partner repository tenant by tenant, after which a plan changes nothing", async () => {
    const source = new FolderSource("examples/gitops-partner", { name: "gitops-partner" });
    const tenants = done(await planTenants({ source }, deps()), "first plan").tenants;
    expect(tenants.length, "tenants in the example").toBe(3);
    let ok = 0;
    for (const tenant of tenants) {
      const r = done(await reconcileTenant({ source, tenant }, deps()), `reconcile ${tenant}`);
      const steps = r.executed?.applied.steps ?? [];
      expect(steps.filter((s) => s.outcome !== "ok").map((s) => `${s.key}: ${s.error}`)).toEqual([]);
      ok += r.executed?.applied.ok ?? 0;
    }
    expect(ok).toBeGreaterThan(60);
    const second = done(await planTenants({ source }, deps()), "plan after apply");
    expect(pending(second.plan)).toEqual([]);
    const runs = await setup.store.listRuns({ source: source.name });
    // Sorted: runs started in the same millisecond have no order.
    expect(runs.map((r) => `${r.mode} ${r.outcome}`).sort()).toEqual([
      "apply ok",
      "apply ok",
      "apply ok",
      "plan changes",
      "plan ok",
    ]);
  });

  it("converges: for random small repositories in memory, reconcileTenant then plan is empty", async () => {
    let serial = 100;
    await fc.assert(
      fc.asyncProperty(worldShape, async (shape) => {
        const n = serial++;
        const world = worldOf(shape, `CV${n}`, n);
        const source = worldSource(world);
        const applied = await reconcileTenant({ source, tenant: world.tenant }, deps());
        const failed =
          applied.result?.executed?.applied.steps
            .filter((s) => s.outcome !== "ok")
            .map((s) => `${s.key}: ${s.error}`) ?? [];
        expect(failed, "failed steps").toEqual([]);
        expect(applied.status, applied.status === "done" ? "" : applied.reason).toBe("done");
        const again = done(await planTenants({ source, tenants: [world.tenant] }, deps()), "plan");
        expect(pending(again.plan), "changes after apply").toEqual([]);
        const second = done(await reconcileTenant({ source, tenant: world.tenant }, deps()), "second");
        expect(second.executed, "a second reconcile applies nothing").toBeUndefined();
      }),
      { numRuns: 20 },
    );
  });
});
