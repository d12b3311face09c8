/**
 * `omnia apply` policies through the command line, against the stand-in and an embedded
 * state folder: confirmation, prune off by default, the mass-delete guard, exit codes.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { observe } from "../../engine/observe/observe.js";
import { useStandinAndCli } from "../../test-support/cli.js";
import { type WorldShape, worldOf, writeWorld } from "../../test-support/random-world.js";
import { errNeedsApproval } from "./apply.js";

const setup = useStandinAndCli();

const shape: WorldShape = {
  users: [],
  pbxs: [{ callCenter: false, hotel: false, suspended: false }],
  numbers: [],
  extensions: [200, 201, 202, 203, 204, 205].map((number) => ({
    pbx: 0,
    number,
    license: "start" as const,
    suspended: false,
  })),
};

/** Applies a fresh world of `shape` for `tenant`; returns its folder and environment. */
async function applied(tenant: string, serial: number) {
  const world = worldOf(shape, tenant, serial);
  const dir = await writeWorld(world);
  const r = await setup.cli.run(["apply", dir, "--auto-approve", "--source", tenant], world.env);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return { dir, env: world.env, world };
}

/** Keeps only the documents whose text passes `keep` in the world file. */
async function dropDocs(dir: string, drop: (doc: string) => boolean): Promise<void> {
  const file = join(dir, "world.yaml");
  const [head, ...docs] = (await readFile(file, "utf8")).split("\n---\n");
  await writeFile(file, [head, ...docs.filter((d) => !drop(d))].join("\n---\n"));
}

const extensionNumbers = async (tenant: string) =>
  (await observe(setup.e.client, { tenants: [tenant] })).extensions.map((x) => x.spec.number).sort();

describe("omnia apply", () => {
  it("applies with --auto-approve, prints a summary, and a second apply has nothing to do", async () => {
    const world = worldOf(shape, "AP1", 700);
    const dir = await writeWorld(world);
    const first = await setup.cli.run(
      ["apply", dir, "--auto-approve", "--parallelism", "4", "--source", "AP1"],
      world.env,
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("Plan: 8 to create, 0 to update, 0 to delete, 0 to adopt.");
    expect(first.stdout).toMatch(/Apply complete: 8 done, 0 failed, 0 skipped/);
    const second = await setup.cli.run(["apply", dir, "--auto-approve", "--source", "AP1"], world.env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("No changes.");
  });

  it("refuses to apply without --auto-approve when stdin is not a terminal, and changes nothing", async () => {
    const world = worldOf(shape, "AP2", 701);
    const dir = await writeWorld(world);
    const r = await setup.cli.run(["apply", dir, "--source", "AP2"], world.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(errNeedsApproval);
    expect((await observe(setup.e.client, { tenants: ["AP2"] })).tenants).toEqual([]);
  });

  it("leaves objects made by hand on the platform alone, and keeps removed documents without --prune", async () => {
    const { dir, env } = await applied("AP3", 702);
    const live = await observe(setup.e.client, { tenants: ["AP3"] });
    const customerId = live.tenants[0]?.id ?? "";
    const pbxId = live.pbxs[0]?.id ?? "";
    await setup.e.client
      .extensions(customerId)
      .create(pbxId, { number: "299", pin: "4321", license: "plus" });
    await dropDocs(dir, (d) => d.includes('number: "205"'));

    const plan = await setup.cli.run(["plan", dir, "--detailed-exitcode", "--source", "AP3"], env);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      "Extension/AP3/pbx0/205 was removed from the source; left on the platform (prune off)",
    );
    expect(plan.stdout).not.toContain("299");

    const r = await setup.cli.run(["apply", dir, "--auto-approve", "--prune", "--source", "AP3"], env);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(await extensionNumbers("AP3"), "the hand-made 299 stays, the pruned 205 goes").toEqual([
      "200",
      "201",
      "202",
      "203",
      "204",
      "299",
    ]);
  });

  it("refuses a plan deleting more than 20% of a tenant unless --allow-mass-delete", async () => {
    const { dir, env } = await applied("AP4", 703);
    await dropDocs(dir, (d) => /number: "20[345]"/.test(d));
    const refused = await setup.cli.run(["apply", dir, "--auto-approve", "--prune", "--source", "AP4"], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("tenant AP4: the plan deletes 3 of 8 managed objects (38%)");
    expect(await extensionNumbers("AP4"), "nothing deleted").toEqual([
      "200",
      "201",
      "202",
      "203",
      "204",
      "205",
    ]);

    const allowed = await setup.cli.run(
      ["apply", dir, "--auto-approve", "--prune", "--allow-mass-delete", "--source", "AP4"],
      env,
    );
    expect(allowed.code, allowed.stderr + allowed.stdout).toBe(0);
    expect(await extensionNumbers("AP4")).toEqual(["200", "201", "202"]);
  });

  it("refuses before writing anything a PIN the platform's contract refuses, naming its variable", async () => {
    const world = worldOf(shape, "AP5", 704);
    const dir = await writeWorld(world);
    const env = { ...world.env, OMNIA_SECRET_PIN_AP5_PBX0_203: "12" };
    const r = await setup.cli.run(["apply", dir, "--auto-approve", "--source", "AP5"], env);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(
      /Extension\/\S+: secret from environment variable OMNIA_SECRET_PIN_AP5_PBX0_203: the platform refuses it as a PIN/,
    );
    expect(r.stdout).not.toMatch(/create /);
    expect(r.stdout + r.stderr).not.toContain('"12"');
  });

  it.each(["0", "-1", "0x10", "1e3", "100000", "65", "2.5", " 8", "eight", ""])(
    "rejects --parallelism %j as a usage error naming the allowed range",
    async (value) => {
      const r = await setup.cli.run(["apply", ".", "--parallelism", value]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--parallelism ${value}: allowed: a whole number from 1 to 64`);
    },
  );

  it("rejects an empty --source as a usage error", async () => {
    const r = await setup.cli.run(["apply", ".", "--auto-approve", "--source", ""]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--source: must not be empty");
  });
});
