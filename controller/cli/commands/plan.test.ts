import { describe, expect, it } from "vitest";
import { useStandinAndCli } from "../../test-support/cli.js";
import { type WorldShape, worldOf, writeWorld } from "../../test-support/random-world.js";

const setup = useStandinAndCli();

const shape: WorldShape = {
  users: [{ first: "Ada", last: "Lovelace", role: "admin" }],
  pbxs: [{ callCenter: false, hotel: false, suspended: false }],
  numbers: [],
  extensions: [{ pbx: 0, number: 201, license: "plus", user: 0, suspended: false }],
};

describe("omnia plan", () => {
  it("exits 2 with changes and 0 without, under --detailed-exitcode", async () => {
    const world = worldOf(shape, "PL1", 800);
    const dir = await writeWorld(world);
    const before = await setup.cli.run(["plan", dir, "--detailed-exitcode", "--source", "PL1"], world.env);
    expect(before.code, before.stderr).toBe(2);
    expect(before.stdout).toContain("+ create Extension/PL1/pbx0/201");
    expect(before.stdout).toContain("spec.pin: (sensitive)");
    expect(before.stdout).not.toContain(world.env.OMNIA_SECRET_PIN_PL1_PBX0_201);
    const plain = await setup.cli.run(["plan", dir, "--source", "PL1"], world.env);
    expect(plain.code, "without --detailed-exitcode").toBe(0);

    await setup.cli.run(["apply", dir, "--auto-approve", "--source", "PL1"], world.env);
    const after = await setup.cli.run(["plan", dir, "--detailed-exitcode", "--source", "PL1"], world.env);
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toContain("No changes.");
  });

  it("prints the plan as JSON without secrets", async () => {
    const world = worldOf(shape, "PL2", 801);
    const dir = await writeWorld(world);
    const r = await setup.cli.run(["plan", dir, "--json", "--source", "PL2"], world.env);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { summary: Record<string, number>; changes: { key: string }[] };
    expect(json.summary.create).toBe(4);
    expect(json.changes.map((c) => c.key)).toEqual([
      "Tenant/PL2",
      "User/PL2/user0@pl2.example",
      "Pbx/PL2/pbx0",
      "Extension/PL2/pbx0/201",
    ]);
    expect(r.stdout).not.toContain(world.env.OMNIA_SECRET_PIN_PL2_PBX0_201);
  });

  it("plans the tenants named with --tenant, and refuses one the repository does not have", async () => {
    const a = worldOf(shape, "PL3", 802);
    const dir = await writeWorld(a);
    const ok = await setup.cli.run(["plan", dir, "--tenant", "PL3", "--source", "PL3"], a.env);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("+ create Tenant/PL3");
    // A mistyped code must not plan "No changes" (a CI job would call the platform clean).
    const r = await setup.cli.run(
      ["plan", dir, "--tenant", "NOT-THERE", "--detailed-exitcode", "--source", "PL3"],
      a.env,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the source neither declares nor owns this tenant: NOT-THERE (it has: PL3)");
    expect(r.stdout).not.toContain("No changes.");
  });

  it("exits 1 and lists every manifest problem with its place", async () => {
    const world = worldOf(shape, "PL4", 803);
    const dir = await writeWorld(world);
    const r = await setup.cli.run(["plan", dir, "--source", "PL4"], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/problem\(s\) in the manifests:\n.*world\.yaml:\d+:\d+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("says which connection settings are missing", async () => {
    const r = await setup.cli.run(["plan", ".", "--source", "PL5"], { OMNIA_URL: "", OMNIA_DOMAIN: "" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("missing connection setting: --url or OMNIA_URL, --domain or OMNIA_DOMAIN");
  });
});
