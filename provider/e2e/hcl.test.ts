/**
 * examples/hcl with the real `terraform` binary, offline, against the controller and the
 * stand-in platform: init, apply, a clean second plan, a hand edit shown in plan, import,
 * destroy (provider/e2e/test-support/cycle.ts).
 */
import { cp } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importedPinEnv, terraformCycle } from "./test-support/cycle.js";
import { repoRoot, useTerraformWorld } from "./test-support/terraform-world.js";

const example = join(repoRoot, "examples", "hcl");
const w = useTerraformWorld([example], [importedPinEnv]);

describe("examples/hcl under terraform", () => {
  it("init offline, apply, plan clean, drift in plan, import, destroy", { timeout: 900_000 }, async () => {
    const dir = await w.workdir("hcl");
    await cp(example, dir, {
      recursive: true,
      filter: (src) => !src.includes(".terraform") && !src.endsWith(".md"),
    });
    const fmt = await w.terraform(dir, "fmt", "-check", "-recursive");
    expect(fmt.code, `terraform fmt would change: ${fmt.stdout}`).toBe(0);
    await terraformCycle(w, "examples/hcl", dir, { customers: 3, extensions: 60, numbers: 12 });
  });
});
