import { describe, expect, it } from "vitest";
import { OmniaClient } from "../../../platform/client/index.js";
import { testClientOptions } from "../../../platform/standin/testing.js";
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

  it("with --who, says who changed a drifted object by hand, from where and when", async () => {
    const world = worldOf(shape, "DF2", 901);
    const dir = await writeWorld(world);
    await setup.cli.run(["apply", dir, "--auto-approve", "--source", "DF2"], world.env);
    setup.e.standin.state.addApiUser("demo", "tecnico", "tecnico-pw");
    const technician = new OmniaClient(
      { ...setup.e.standin.settings, username: "tecnico", password: "tecnico-pw" },
      testClientOptions,
    );
    try {
      const live = await observe(setup.e.client, { tenants: ["DF2"] });
      await technician
        .extensions(live.tenants[0]?.id ?? "")
        .update(live.extensions[0]?.id ?? "", { license: "start" });
    } finally {
      await technician.close();
    }
    const plain = await setup.cli.run(["drift", dir, "--source", "DF2"], world.env);
    expect(plain.stdout, "no log lookup without --who").not.toContain("changed by");

    const who = await setup.cli.run(["drift", dir, "--who", "--source", "DF2"], world.env);
    expect(who.code, who.stderr).toBe(2);
    expect(who.stdout).toMatch(
      /Extension\/DF2\/pbx0\/201: changed by tecnico@demo from 127\.0\.0\.1 at \S+ in Omnia Manager \(extension\.updated\)/,
    );
    const json = await setup.cli.run(["drift", dir, "--who", "--json", "--source", "DF2"], world.env);
    expect(
      JSON.parse(json.stdout).drift.map((d: { changedBy: { actor: string } }) => d.changedBy.actor),
    ).toEqual(["tecnico@demo"]);
  });
});
