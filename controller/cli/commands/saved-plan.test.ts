/**
 * Saved plans through the command line (`omnia plan --out FILE`, `omnia apply FILE`), as
 * a GitOps pull request uses them: the reviewed plan applies exactly, without secrets in
 * the file; a plan whose source or platform changed since is refused, naming what changed.
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { observe } from "../../engine/observe/observe.js";
import { errPlanOtherState, type SavedPlanState } from "../../engine/plan/saved-plan.js";
import { renderManifestFile } from "../../export/yaml.js";
import { testCli, useStandinAndCli } from "../../test-support/cli.js";
import { type WorldShape, worldOf, writeWorld } from "../../test-support/random-world.js";

const setup = useStandinAndCli();

/** The id of the key `"ab".repeat(32)` (hex): the first 8 hex digits of its SHA-256. */
const otherStateKeyId = createHash("sha256")
  .update(Buffer.from("ab".repeat(32), "hex"))
  .digest("hex")
  .slice(0, 8);

const shape: WorldShape = {
  users: [],
  trunk: { operator: "Fastweb", password: true },
  pbxs: [{ callCenter: false, hotel: false, suspended: false }],
  numbers: [],
  extensions: [300, 301, 302].map((number) => ({
    pbx: 0,
    number,
    license: "start" as const,
    suspended: false,
  })),
};

/** Every string value in a JSON document. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === "object") for (const v of Object.values(value)) strings(v, out);
  return out;
}

const licenses = async (tenant: string) =>
  Object.fromEntries(
    (await observe(setup.e.client, { tenants: [tenant] })).extensions.map((x) => [
      x.spec.number,
      x.spec.license,
    ]),
  );

describe("omnia plan --out / omnia apply FILE", () => {
  it("applies the saved plan exactly, and the file holds no PIN or password", async () => {
    const world = worldOf(shape, "SP1", 810);
    const dir = await writeWorld(world);
    const file = join(dir, "..", "sp1.plan.json");
    const planned = await setup.cli.run(["plan", dir, "--out", file, "--source", "SP1"], world.env);
    expect(planned.code, planned.stderr + planned.stdout).toBe(0);
    expect(planned.stdout).toContain(`omnia apply ${file}`);

    const text = await readFile(file, "utf8");
    const values = new Set(strings(JSON.parse(text)));
    for (const secret of Object.values(world.env))
      expect(values.has(secret), `secret ${secret} in the plan`).toBe(false);
    expect(text).toContain('"sensitive": true');

    const applied = await setup.cli.run(["apply", file, "--source", "SP1"], world.env);
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    expect(applied.stdout).toMatch(/Apply complete: \d+ done, 0 failed, 0 skipped/);
    const again = await setup.cli.run(["plan", dir, "--detailed-exitcode", "--source", "SP1"], world.env);
    expect(again.code, again.stdout).toBe(0);
  });

  it("refuses a plan whose live objects changed by hand since, naming the object and field", async () => {
    const world = worldOf(shape, "SP2", 820);
    const dir = await writeWorld(world);
    expect((await setup.cli.run(["apply", dir, "--auto-approve", "--source", "SP2"], world.env)).code).toBe(
      0,
    );

    // The reviewed change: extension 300 becomes Plus.
    const docs = world.docs.map((d) =>
      (d as { kind: string; spec: { number?: string } }).kind === "Extension" &&
      (d as { spec: { number?: string } }).spec.number === "300"
        ? { ...d, spec: { ...(d as { spec: object }).spec, license: "plus" } }
        : d,
    );
    await writeFile(join(dir, "world.yaml"), renderManifestFile(docs, "x"));
    const file = join(dir, "..", "sp2.plan.json");
    expect((await setup.cli.run(["plan", dir, "--out", file, "--source", "SP2"], world.env)).code).toBe(0);

    // Meanwhile someone changes extension 301 by hand.
    const live = await observe(setup.e.client, { tenants: ["SP2"] });
    const x301 = live.extensions.find((x) => x.spec.number === "301");
    await setup.e.client.extensions(live.tenants[0]?.id ?? "").update(x301?.id ?? "", { license: "plus" });

    const r = await setup.cli.run(["apply", file, "--source", "SP2"], world.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the plan is stale (what it was made from changed since); run plan again");
    expect(r.stderr).toContain("Extension/SP2/");
    expect(r.stderr).toMatch(
      /301: changed on the platform since the plan \(spec\.license: "start" → "plus"\)/,
    );
    expect(await licenses("SP2"), "the reviewed change was not applied").toMatchObject({ "300": "start" });
  });

  it("refuses a plan whose source changed since, naming both revisions", async () => {
    const world = worldOf(shape, "SP3", 830);
    const dir = await writeWorld(world);
    const file = join(dir, "..", "sp3.plan.json");
    expect((await setup.cli.run(["plan", dir, "--out", file, "--source", "SP3"], world.env)).code).toBe(0);
    const manifest = join(dir, "world.yaml");
    await writeFile(manifest, (await readFile(manifest, "utf8")).replace('number: "302"', 'number: "303"'));
    const r = await setup.cli.run(["apply", file, "--source", "SP3"], world.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /the source changed since the plan: revision sha256:[0-9a-f]{64} is now sha256:[0-9a-f]{64}/,
    );
    expect((await observe(setup.e.client, { tenants: ["SP3"] })).tenants, "nothing was created").toEqual([]);
  });

  it("refuses a plan applied with another state store and key, naming both, and changes nothing", async () => {
    const world = worldOf(shape, "SP5", 850);
    const dir = await writeWorld(world);
    const file = join(dir, "..", "sp5.plan.json");
    expect((await setup.cli.run(["plan", dir, "--out", file, "--source", "SP5"], world.env)).code).toBe(0);
    const recorded = (JSON.parse(await readFile(file, "utf8")) as { state: SavedPlanState }).state;
    expect(recorded.store).toBe(`pglite ${setup.cli.stateDir}`);
    expect(recorded.secretKeyId).toMatch(/^[0-9a-f]{8}$/);

    const elsewhere = await testCli(setup.e.standin); // its own state folder, so its own key file
    const r = await elsewhere.run(["apply", file, "--source", "SP5"], world.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(errPlanOtherState);
    expect(r.stderr).toContain(
      `state store: the plan's pglite ${setup.cli.stateDir}, here pglite ${elsewhere.stateDir}`,
    );
    expect(r.stderr).toMatch(
      new RegExp(`secret key: the plan's ${recorded.secretKeyId}, here [0-9a-f]{8}\\)`),
    );
    expect((await observe(setup.e.client, { tenants: ["SP5"] })).tenants, "nothing was created").toEqual([]);
  });

  it("refuses a plan applied with the same store but another secret key, naming both key ids", async () => {
    const world = worldOf(shape, "SP6", 860);
    const dir = await writeWorld(world);
    const file = join(dir, "..", "sp6.plan.json");
    expect((await setup.cli.run(["plan", dir, "--out", file, "--source", "SP6"], world.env)).code).toBe(0);
    const recorded = (JSON.parse(await readFile(file, "utf8")) as { state: SavedPlanState }).state;
    const otherKey = { ...world.env, OMNIA_SECRET_KEY: "ab".repeat(32) };
    const r = await setup.cli.run(["apply", file, "--source", "SP6"], otherKey);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${errPlanOtherState} (secret key: the plan's ${recorded.secretKeyId}, here ${otherStateKeyId})`,
    );
    expect((await observe(setup.e.client, { tenants: ["SP6"] })).tenants, "nothing was created").toEqual([]);
  });

  it("says what is wrong with a file that claims to be a plan but is not one", async () => {
    const world = worldOf(shape, "SP4", 840);
    const dir = await writeWorld(world);
    const file = join(dir, "..", "sp4.plan.json");
    await writeFile(file, '{ "format": "omnia-plan/v1", "plan": {} }');
    const r = await setup.cli.run(["apply", file, "--source", "SP4"], world.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`not a saved plan: ${file}: missing`);
  });
});
