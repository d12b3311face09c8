/**
 * Policies end to end against the stand-in: warn and observe never write, deletionPolicy
 * orphan leaves the object on the platform, a failed trunk skips only its numbers. The
 * state store is the real one (PGlite in memory), shared by the tests: each is its own
 * source, as separate repositories sharing a store must be. Through `reconcileTenant`,
 * fed by in-memory sources edited in place (nothing is written to disk).
 */
import pino from "pino";
import { describe, expect, it } from "vitest";
import { testSecrets } from "../../test-support/fakes.js";
import { MemoryReconcileStore } from "../../test-support/memory-store.js";
import {
  type World,
  type WorldShape,
  worldFile,
  worldFiles,
  worldOf,
  worldSource,
} from "../../test-support/random-world.js";
import { useStandinAndStore } from "../../test-support/standin.js";
import { observe } from "../observe/observe.js";
import { planTenants } from "./plan-tenants.js";
import { reconcileTenant } from "./reconcile-tenant.js";

const setup = useStandinAndStore();

const logger = pino({ level: "silent" });
const shape: WorldShape = {
  users: [],
  trunk: { operator: "Fastweb", password: false },
  pbxs: [{ callCenter: false, hotel: false, suspended: false }],
  numbers: [
    { pbx: 0, block: 1 },
    { pbx: 0, block: 2 },
  ],
  extensions: [
    { pbx: 0, number: 201, license: "start", suspended: false },
    { pbx: 0, number: 202, license: "start", suspended: false },
  ],
};

/** A world's in-memory source, and `edit` to rewrite its one file (`edit` gets and returns the text). */
function editable(world: World, name?: string) {
  const source = worldSource(world, name);
  let text = worldFiles(world)[worldFile] ?? "";
  return {
    source,
    edit(change: (text: string) => string): void {
      text = change(text);
      source.set(worldFile, text);
    },
  };
}

const deps = () => ({ client: setup.e.client, store: setup.store, logger, secrets: testSecrets });

const writes = () => {
  const byRoute = setup.e.standin.stats.byRoute;
  return Object.entries(byRoute)
    .filter(([route]) => !route.startsWith("GET"))
    .reduce((n, [, count]) => n + count, 0);
};

describe("policies end to end", () => {
  it.each(["warn", "observe"])(
    "driftMode %s reports hand edits and never writes to the platform",
    async (mode) => {
      const serial = mode === "warn" ? 400 : 401;
      const world = worldOf(shape, `PO${serial}`, serial);
      const w = editable(world);
      const req = { source: w.source, tenant: world.tenant };
      expect((await reconcileTenant(req, deps())).status, "the first apply").toBe("done");
      w.edit((t) => t.replace(`name: po${serial}\n`, `name: po${serial}\n  driftMode: ${mode}\n`));
      const live = await observe(setup.e.client, { tenants: [world.tenant] });
      const customerId = live.tenants[0]?.id ?? "";
      await setup.e.client.extensions(customerId).update(live.extensions[0]?.id ?? "", { license: "plus" });
      await setup.e.client.pbxs(customerId).update(live.pbxs[0]?.id ?? "", { hotel: true });

      const before = writes();
      const r = await reconcileTenant(req, deps());
      expect(writes() - before, "platform writes").toBe(0);
      if (r.status !== "done") throw new Error(`want done, got ${r.status}: ${r.reason}`);
      expect(
        r.result.planned.plan.drift
          .map((d) => `${d.mode} ${d.key} ${d.diffs.map((x) => x.path).join(",")}`)
          .sort(),
      ).toEqual([
        `${mode} Extension/${world.tenant}/pbx0/201 spec.license`,
        `${mode} Pbx/${world.tenant}/pbx0 spec.hotel`,
      ]);
    },
  );

  it("leaves a removed document with deletionPolicy orphan on the platform, and stops managing it", async () => {
    const world = worldOf(shape, "PO402", 402);
    const w = editable(world);
    w.edit((t) => t.replace("name: pbx0-202\n", "name: pbx0-202\n  deletionPolicy: orphan\n"));
    expect((await reconcileTenant({ source: w.source, tenant: world.tenant }, deps())).status).toBe("done");
    w.edit((t) =>
      t
        .split("\n---\n")
        .filter((doc) => !doc.includes("name: pbx0-20"))
        .join("\n---\n"),
    );
    const r = await reconcileTenant(
      { source: w.source, tenant: world.tenant, prune: true, allowMassDelete: true },
      deps(),
    );
    if (r.status !== "done") throw new Error(`want done, got ${r.status}: ${r.reason}`);
    expect(
      r.result.planned.plan.changes.filter((c) => c.action !== "noop").map((c) => `${c.action} ${c.key}`),
    ).toEqual(["delete Extension/PO402/pbx0/201", "forget Extension/PO402/pbx0/202"]);
    const live = await observe(setup.e.client, { tenants: ["PO402"] });
    expect(live.extensions.map((x) => x.key)).toEqual(["Extension/PO402/pbx0/202"]);
    expect((await setup.store.listInventory({ tenants: ["PO402"] })).map((x) => x.key)).not.toContain(
      "Extension/PO402/pbx0/202",
    );
  });

  it("skips only the numbers of a trunk that fails, and applies the rest", async () => {
    const world = worldOf(shape, "PO403", 403);
    const req = { source: worldSource(world), tenant: world.tenant };
    setup.e.standin.knobs.failNext.push({ status: 422, count: 1, method: "POST", urlContains: "/trunks" });
    const r = await reconcileTenant(req, deps());
    expect(r.status, "a 422 the platform will give again").toBe("terminal");
    const outcome = Object.fromEntries(
      r.result?.executed?.applied.steps.map((s) => [s.key, s.outcome]) ?? [],
    );
    expect(outcome).toEqual({
      "Tenant/PO403": "ok",
      "SipTrunk/PO403/main": "terminal",
      "Pbx/PO403/pbx0": "ok",
      "Number/+3902403100": "skipped",
      "Number/+3902403200": "skipped",
      "Extension/PO403/pbx0/201": "ok",
      "Extension/PO403/pbx0/202": "ok",
    });
    const skipped = r.result?.executed?.applied.steps.find((s) => s.outcome === "skipped");
    expect(skipped?.error).toContain("SipTrunk/PO403/main");
    const again = await reconcileTenant(req, deps());
    expect(again.result?.executed?.applied.failed ?? 0, "the rerun creates the trunk and its numbers").toBe(
      0,
    );
    expect(again.status, "the rerun's outcome").toBe("done");
  });

  it("adopts objects under warn mode without writing, and stops reporting their unknowable PINs", async () => {
    const world = worldOf(shape, "PO404", 404);
    // The same objects made by hand first, with PINs omnia does not know.
    const byHand = await reconcileTenant(
      { source: worldSource(world, "by-hand"), tenant: world.tenant },
      { ...deps(), store: new MemoryReconcileStore() },
    );
    expect(byHand.status, "the objects made by hand").toBe("done");
    const w = editable(world);
    w.edit((t) => t.replace("name: po404\n", "name: po404\n  driftMode: warn\n"));
    const before = writes();
    const adopted = await reconcileTenant({ source: w.source, tenant: world.tenant }, deps());
    expect(writes() - before, "platform writes").toBe(0);
    if (adopted.status !== "done") throw new Error(`want done, got ${adopted.status}: ${adopted.reason}`);
    expect(adopted.result.planned.plan.changes.filter((c) => c.action === "adopt")).toHaveLength(7);
    const again = await planTenants({ source: w.source, tenants: [world.tenant] }, deps());
    if (again.status !== "done") throw new Error(`want done, got ${again.status}: ${again.reason}`);
    expect(again.result.plan.drift, "drift after adoption").toEqual([]);
    expect(again.result.plan.changes.every((c) => c.action === "noop")).toBe(true);
  });

  it.each([
    { explicit: false, serial: 406, want: "refused" },
    { explicit: true, serial: 407, want: "applied" },
  ])(
    "a source whose deletes are explicit: $explicit, removing most of a tenant is $want",
    async ({ explicit, serial, want }) => {
      const world = worldOf(shape, `PO${serial}`, serial);
      const w = editable(world);
      // The api source's way (controller/sources/stored.ts); a folder or git source says nothing.
      const source = explicit
        ? {
            name: w.source.name,
            location: w.source.location,
            deletesAreExplicit: true,
            read: w.source.read.bind(w.source),
          }
        : w.source;
      expect((await reconcileTenant({ source, tenant: world.tenant }, deps())).status).toBe("done");
      w.edit((t) =>
        t
          .split("\n---\n")
          .filter((doc) => !doc.includes("kind: Extension"))
          .join("\n---\n"),
      );
      const r = await reconcileTenant({ source, tenant: world.tenant, prune: true }, deps());
      const live = await observe(setup.e.client, { tenants: [world.tenant] });
      if (want === "refused") {
        expect(r.status).toBe("terminal");
        expect(r.status !== "done" && r.reason).toMatch(/--allow-mass-delete/);
        expect(live.extensions).toHaveLength(2);
      } else {
        if (r.status !== "done") throw new Error(`want done, got ${r.status}: ${r.reason}`);
        expect(live.extensions).toEqual([]);
      }
    },
  );
});
