/**
 * examples/cdktf-app synthesized (as `cdktf synth` does), then its stack run by the real
 * `terraform`, offline, as `cdktf deploy` runs it (init and apply in
 * cdktf.out/stacks/NAME): apply, a clean second plan, a hand edit shown in plan, import,
 * destroy (provider/e2e/test-support/cycle.ts).
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { buildApp } from "../../examples/cdktf-app/main.js";
import { importedPinEnv, terraformCycle } from "./test-support/cycle.js";
import { useTerraformWorld } from "./test-support/terraform-world.js";

// Synthesized first: the controller must hold every secret variable the stack names.
const outdir = await mkdtemp(join(tmpdir(), "omnia-cdktf-out-"));
(await buildApp({ outdir })).synth();
// CDKTF's default local backend is an absolute path under the synth's working directory
// (here the repository): keep the state in the stack's folder instead.
const stackDir = join(outdir, "stacks", "demo-partner");
const stack = JSON.parse(await readFile(join(stackDir, "cdk.tf.json"), "utf8"));
stack.terraform.backend = { local: { path: join(stackDir, "terraform.tfstate") } };
await writeFile(join(stackDir, "cdk.tf.json"), JSON.stringify(stack, null, 2));
const w = useTerraformWorld([outdir], [importedPinEnv]);
afterAll(() => rm(outdir, { recursive: true, force: true }));

describe("examples/cdktf-app under terraform", () => {
  it("synth, init offline, apply, plan clean, drift in plan, import, destroy", {
    timeout: 900_000,
  }, async () => {
    await terraformCycle(w, "examples/cdktf-app", stackDir, {
      customers: 3,
      extensions: 60,
      numbers: 12,
    });
  });
});
