/**
 * reconcile over the real store (PGlite in memory) and the stand-in: runs and steps are
 * recorded, and drift checks record each resource's drift status.
 */
import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { observe } from "../engine/observe/observe.js";
import { errLeaseHeld } from "../engine/reconcile/leases.js";
import { reconcile } from "../engine/reconcile/reconcile.js";
import { type WorldShape, worldOf, writeWorld } from "../test-support/random-world.js";
import { useStandinAndStore } from "../test-support/standin.js";
import { storePort } from "./store-port.js";

const setup = useStandinAndStore();

const shape: WorldShape = {
  users: [],
  pbxs: [{ callCenter: false, hotel: false, suspended: false }],
  numbers: [],
  extensions: [{ pbx: 0, number: 201, license: "start", suspended: false }],
};

describe("reconcile over the state store", () => {
  it("logs each line as JSON with every key once, the run id included", async () => {
    const raw: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        raw.push(String(chunk));
        cb();
      },
    });
    const world = worldOf(shape, "ST0", 599);
    const dir = await writeWorld(world);
    const deps = {
      client: setup.e.client,
      store: storePort(setup.store),
      logger: pino(sink),
      load: { env: world.env },
    };
    const applied = await reconcile({ dir, mode: "apply", source: "log-test" }, deps);
    const stepLines = raw.filter((l) => l.includes('"action"'));
    expect(stepLines.length, "one log line per step").toBe(3);
    for (const line of raw) {
      const keys = [...line.matchAll(/"([A-Za-z]+)":/g)].map((m) => m[1]);
      const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
      expect(twice, line).toEqual([]);
      expect(JSON.parse(line).runId, line).toBe(applied.runId);
    }
  });

  it("records the run, its steps and the inventory, then drift status per resource", async () => {
    const world = worldOf(shape, "ST1", 600);
    const dir = await writeWorld(world);
    const deps = {
      client: setup.e.client,
      store: storePort(setup.store),
      logger: pino({ level: "silent" }),
      load: { env: world.env },
    };
    const applied = await reconcile({ dir, mode: "apply" }, deps);

    const run = await setup.store.getRun(applied.runId);
    expect(run).toMatchObject({
      mode: "apply",
      outcome: "ok",
      tenants: ["ST1"],
      summary: { create: 3, ok: 3, failed: 0 },
    });
    expect(
      (await setup.store.listSteps(applied.runId)).map((s) => `${s.action} ${s.key} ${s.state}`),
    ).toEqual(["create Tenant/ST1 ok", "create Pbx/ST1/pbx0 ok", "create Extension/ST1/pbx0/201 ok"]);
    const inventory = await setup.store.listInventory({ tenants: ["ST1"] });
    expect(inventory.map((x) => `${x.key} ${x.state} ${Object.keys(x.secretHashes).join(",")}`)).toEqual([
      "Extension/ST1/pbx0/201 managed spec.pin",
      "Pbx/ST1/pbx0 managed ",
      "Tenant/ST1 managed ",
    ]);
    expect(JSON.stringify(inventory)).not.toContain(world.env.PIN_ST1_PBX0_201);

    await reconcile({ dir, mode: "drift" }, deps);
    const status = async () =>
      Object.fromEntries(
        (await setup.store.listResourceStatus({ tenants: ["ST1"] })).map((s) => [s.key, s.drift]),
      );
    expect(await status()).toMatchObject({
      "Extension/ST1/pbx0/201": "in_sync",
      "Pbx/ST1/pbx0": "in_sync",
      "Tenant/ST1": "in_sync",
    });

    const live = await observe(setup.e.client, { tenants: ["ST1"] });
    await setup.e.client
      .extensions(live.tenants[0]?.id ?? "")
      .update(live.extensions[0]?.id ?? "", { license: "plus" });
    const drift = await reconcile({ dir, mode: "drift" }, deps);
    expect(await status()).toMatchObject({ "Extension/ST1/pbx0/201": "drifted", "Pbx/ST1/pbx0": "in_sync" });
    const ext = (await setup.store.listResourceStatus({ tenants: ["ST1"] })).find(
      (s) => s.key === "Extension/ST1/pbx0/201",
    );
    expect(ext?.driftDiffs).toEqual([{ path: "spec.license", before: "plus", after: "start" }]);
    expect((await setup.store.getRun(drift.runId))?.outcome).toBe("changes");
  });

  it("refuses to apply a tenant whose lease another live run holds, and writes nothing", async () => {
    const world = worldOf(shape, "ST2", 601);
    const dir = await writeWorld(world);
    const deps = {
      client: setup.e.client,
      store: storePort(setup.store),
      logger: pino({ level: "silent" }),
      load: { env: world.env },
    };
    await setup.store.acquireLease("ST2", "another-host/1/other-run", 60_000);
    await expect(reconcile({ dir, mode: "apply" }, deps)).rejects.toThrow(
      `${errLeaseHeld}: ST2 (held by another-host/1/other-run`,
    );
    expect((await observe(setup.e.client, { tenants: ["ST2"] })).tenants).toEqual([]);
    await setup.store.releaseLease("ST2", "another-host/1/other-run");
    expect((await reconcile({ dir, mode: "apply" }, deps)).applied?.ok).toBe(3);
  });
});
