/**
 * End to end against the real stand-in: load, observe, plan, apply, record. Convergence:
 * after one apply, a plan of the same repository changes nothing.
 */
import fc from "fast-check";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../model/plan.js";
import { storePort } from "../../runtime/store-port.js";
import { worldOf, worldShape, writeWorld } from "../../test-support/random-world.js";
import { useStandinAndStore } from "../../test-support/standin.js";
import { reconcile } from "./reconcile.js";

const setup = useStandinAndStore();

const logger = pino({ level: "silent" });
const pending = (p: Plan) =>
  p.changes.filter((c) => c.action !== "noop").map((c) => `${c.action} ${c.key} ${JSON.stringify(c.diffs)}`);

describe("reconcile end to end", () => {
  it("applies the example partner repository, after which a plan changes nothing", async () => {
    const deps = { client: setup.e.client, store: storePort(setup.store), logger };
    const source = "gitops-partner";
    const first = await reconcile({ dir: "examples/gitops-partner", source, mode: "apply" }, deps);
    expect(
      first.applied?.steps.filter((s) => s.outcome !== "ok").map((s) => `${s.key}: ${s.error}`) ?? [],
    ).toEqual([]);
    expect(first.applied?.ok ?? 0).toBeGreaterThan(60);
    const second = await reconcile({ dir: "examples/gitops-partner", source, mode: "plan" }, deps);
    expect(pending(second.plan)).toEqual([]);
    const runs = await setup.store.listRuns({ source });
    expect(runs.map((r) => [r.mode, r.outcome])).toEqual([
      ["plan", "ok"],
      ["apply", "ok"],
    ]);
  });

  it("converges: for random small repositories, apply then plan is empty", async () => {
    let serial = 100;
    await fc.assert(
      fc.asyncProperty(worldShape, async (shape) => {
        const n = serial++;
        const world = worldOf(shape, `CV${n}`, n);
        const dir = await writeWorld(world);
        const deps = {
          client: setup.e.client,
          store: storePort(setup.store),
          logger,
          load: { env: world.env },
        };
        const applied = await reconcile({ dir, source: world.tenant, mode: "apply" }, deps);
        const failed =
          applied.applied?.steps.filter((s) => s.outcome !== "ok").map((s) => `${s.key}: ${s.error}`) ?? [];
        expect(failed, "failed steps").toEqual([]);
        const again = await reconcile({ dir, source: world.tenant, mode: "plan" }, deps);
        expect(pending(again.plan), "changes after apply").toEqual([]);
      }),
      { numRuns: 20 },
    );
  });
});
