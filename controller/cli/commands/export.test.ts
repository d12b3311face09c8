import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestCli, testCli } from "../../test-support/cli.js";
import { make } from "../../test-support/fakes.js";
import { type EngineStandin, startEngineStandin } from "../../test-support/standin.js";

let e: EngineStandin;
let cli: TestCli;
beforeAll(async () => {
  e = await startEngineStandin();
  cli = await testCli(e.standin);
  // A customer made by hand, before omnia.
  await e.create(
    make.tenant("XP1"),
    make.user("XP1", "ada@xp1.example"),
    make.trunk("XP1", "op", "secret-pw"),
    make.pbx("XP1", "hq"),
    make.number("XP1", "+390233344400", "hq", "op"),
    make.extension("XP1", "hq", "201", "1234", "ada@xp1.example"),
  );
});
afterAll(() => e.close());

describe("omnia export", () => {
  it("writes a tenant that plan then shows without changes", async () => {
    const out = await mkdtemp(join(tmpdir(), "omnia-export-cli-"));
    const r = await cli.run(["export", "--tenant", "XP1", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Adopted 6 objects into the inventory.");
    expect(r.stdout).toContain("set them before omnia apply: see secrets.env.example");
    const example = await readFile(join(out, "XP1", "secrets.env.example"), "utf8");
    expect(example).toContain("OMNIA_SECRET_TRUNK_PASSWORD_XP1_OP=\nOMNIA_SECRET_PIN_XP1_HQ_201=\n");

    const env = {
      OMNIA_SECRET_TRUNK_PASSWORD_XP1_OP: "whatever-you-use",
      OMNIA_SECRET_PIN_XP1_HQ_201: "2468",
    };
    const plan = await cli.run(["plan", join(out, "XP1"), "--detailed-exitcode"], env);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain("No changes.");
  });

  it("says when the tenant is not on the platform, listing the codes that are", async () => {
    const out = await mkdtemp(join(tmpdir(), "omnia-export-cli-"));
    const r = await cli.run(["export", "--tenant", "NOPE", "--out", out, "--no-adopt"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /no customer on the platform has this code or name: NOPE; the platform has: \w+ \(/,
    );
  });
});
