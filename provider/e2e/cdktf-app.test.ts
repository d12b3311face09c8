/**
 * examples/cdktf-app synthesized (as `cdktf synth` does), then its stack run by the real
 * `terraform`, offline, as `cdktf deploy` runs it (init and apply in
 * cdktf.out/stacks/NAME): apply, a clean second plan, a hand edit shown in plan, import,
 * destroy (provider/e2e/test-support/cycle.ts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { buildApp } from "../../examples/cdktf-app/main.js";
import { importedPinEnv, terraformCycle } from "./test-support/cycle.js";
import { useTerraformWorld } from "./test-support/terraform-world.js";

// Synthesized first: the controller must hold every secret variable the stack names.
const outdir = await mkdtemp(join(tmpdir(), "omnia-cdktf-out-"));
(await buildApp({ outdir })).synth();
const w = useTerraformWorld([outdir], [importedPinEnv]);
afterAll(() => rm(outdir, { recursive: true, force: true }));

describe("examples/cdktf-app under terraform", () => {
  it("synth, init offline, apply, plan clean, drift in plan, import, destroy", {
    timeout: 900_000,
  }, async () => {
    await terraformCycle(w, "examples/cdktf-app", join(outdir, "stacks", "demo-partner"), {
      customers: 3,
      extensions: 60,
      numbers: 12,
    });
  });
});
