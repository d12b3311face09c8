/**
 * examples/cdktf-app synthesized (as `cdktf synth` does), then its stack run by the real
 * `terraform`, offline, as `cdktf deploy` runs it (init and apply in
 * cdktf.out/stacks/NAME): apply, a clean second plan, a hand edit shown in plan, import,
 * destroy (provider/e2e/test-support/cycle.ts).
 */
import { join } from "node:path";
import { describe, it } from "vitest";
import { buildApp } from "../../examples/cdktf-app/main.js";
import { importedPinEnv, terraformCycle } from "./test-support/cycle.js";
import { repoRoot, useTerraformWorld } from "./test-support/terraform-world.js";

const example = join(repoRoot, "examples", "cdktf-app");
const w = useTerraformWorld([example], [importedPinEnv]);

describe("examples/cdktf-app under terraform", () => {
  it("synth, init offline, apply, plan clean, drift in plan, import, destroy", {
    timeout: 900_000,
  }, async () => {
    const outdir = await w.workdir("cdktf.out");
    (await buildApp({ outdir })).synth();
    await terraformCycle(w, join(outdir, "stacks", "demo-partner"), {
      customers: 3,
      extensions: 60,
      numbers: 12,
    });
  });
});
