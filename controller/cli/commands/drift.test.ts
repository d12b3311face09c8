import { describe, expect, it } from "vitest";
import { observe } from "../../engine/observe/observe.js";
import { useStandinAndCli } from "../../test-support/cli.js";
import { type WorldShape, worldOf, writeWorld } from "../../test-support/random-world.js";

const setup = useStandinAndCli();

const shape: WorldShape = {
  users: [],
  pbxs: [{ callCenter: false, hotel: false, suspended: false }],
  numbers: [],
  extensions: [{ pbx: 0, number: 201, license: "plus", suspended: false }],
};

describe("omnia drift", () => {
  it("exits 0 when the platform matches, 2 after a hand edit, and writes nothing", async () => {
    const world = worldOf(shape, "DF1", 900);
    const dir = await writeWorld(world);
    await setup.cli.run(["apply", dir, "--auto-approve", "--source", "DF1"], world.env);
    const clean = await setup.cli.run(["drift", dir, "--source", "DF1"], world.env);
    expect(clean.code, clean.stderr + clean.stdout).toBe(0);
    expect(clean.stdout).toContain("No drift");

    const live = await observe(setup.e.client, { tenants: ["DF1"] });
    await setup.e.client
      .extensions(live.tenants[0]?.id ?? "")
      .update(live.extensions[0]?.id ?? "", { license: "start" });
    const drifted = await setup.cli.run(["drift", dir, "--source", "DF1"], world.env);
    expect(drifted.code).toBe(2);
    expect(drifted.stdout).toContain("! Extension/DF1/pbx0/201: changed on the platform");
    expect(drifted.stdout).toContain('spec.license: "start" → "plus"');
    const again = await observe(setup.e.client, { tenants: ["DF1"] });
    expect(again.extensions[0]?.spec.license, "drift must not repair").toBe("start");

    const json = await setup.cli.run(["drift", dir, "--json", "--source", "DF1"], world.env);
    expect(
      JSON.parse(json.stdout).drift.map((d: { key: string; kind: string }) => `${d.kind} ${d.key}`),
    ).toEqual(["changed Extension/DF1/pbx0/201"]);
  });
});
