/**
 * The end-to-end cycle both examples go through with the real `terraform` (issue #11):
 * `init` offline from the filesystem mirror, `apply`, a second `plan -detailed-exitcode`
 * that exits 0, a hand edit on the platform that shows in `plan`, `import` of an extension
 * made by hand, and `destroy`, after which the partner has nothing left on the platform.
 * No secret value the controller holds appears in Terraform's state or output.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import type { TerraformRun, TerraformWorld } from "./terraform-world.js";

/** The extension changed by hand: in a tenant whose drift is enforced, not only reported. */
export const handEdited = { tenant: "BRAMBILLA01", pbx: "magazzino-bergamo", number: "302" } as const;
/** The extension made by hand and then imported. */
export const imported = { tenant: "BRAMBILLA01", pbx: "sede-milano", number: "299" } as const;
/** The controller's variable holding the imported extension's PIN. */
export const importedPinEnv = "OMNIA_SECRET_DEMO_PIN_IMPORTED_299";

/** Fails with Terraform's own words when a command did not exit as expected. */
export function expectExit(run: TerraformRun, code: number, what: string): void {
  expect(run.code, `${what} exited ${run.code}:\n${run.stdout}\n${run.stderr}`).toBe(code);
}

/** The customers, extensions and numbers of partner demo on the stand-in. */
function platformCounts(w: TerraformWorld) {
  const s = w.standin.state;
  return { customers: s.customers.size, extensions: s.extensions.size, numbers: s.numbers.size };
}

function extensionOnPlatform(w: TerraformWorld, code: string, number: string) {
  const customer = [...w.standin.state.customers.values()].find((c) => c.customerCode === code);
  const ext = [...w.standin.state.extensions.values()].find(
    (x) => x.customerId === customer?.id && String(x.number) === number,
  );
  return { customer, ext };
}

/**
 * Runs the whole cycle in `dir` (a Terraform working folder: the HCL files, or a
 * synthesized stack's `cdk.tf.json`), `label` naming it in the log. `expected` is what the
 * example declares.
 */
export async function terraformCycle(
  w: TerraformWorld,
  label: string,
  dir: string,
  expected: { customers: number; extensions: number; numbers: number },
): Promise<void> {
  const outputs: string[] = [];
  const tf = async (...args: string[]) => {
    const started = performance.now();
    const run = await w.terraform(dir, ...args);
    outputs.push(run.stdout, run.stderr);
    // One line per command, so CI's log shows that these tests ran and how long each step took.
    process.stderr.write(
      `e2e ${label}: terraform ${args[0]} exited ${run.code} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return run;
  };
  expect(platformCounts(w)).toEqual({ customers: 0, extensions: 0, numbers: 0 });

  const init = await tf("init", "-input=false");
  expectExit(init, 0, "terraform init");
  expect(init.stdout).toContain("Installing omnia-iac/kalliope v0.1.0");

  expectExit(await tf("apply", "-auto-approve", "-input=false"), 0, "terraform apply");
  expect(platformCounts(w)).toEqual(expected);

  expectExit(await tf("plan", "-detailed-exitcode", "-input=false"), 0, "the second terraform plan");

  // A hand edit in the console: the plan shows it and puts it back.
  const { customer, ext } = extensionOnPlatform(w, handEdited.tenant, handEdited.number);
  if (!customer || !ext) throw new Error(`extension ${handEdited.number} is not on the platform`);
  const license = ext.license;
  await w.platform.extensions(customer.id).update(ext.id, { license: license === "plus" ? "start" : "plus" });
  const drifted = await tf("plan", "-detailed-exitcode", "-input=false");
  expectExit(drifted, 2, "terraform plan after a hand edit");
  expect(drifted.stdout).toMatch(
    new RegExp(`~ license\\s+= "${license === "plus" ? "start" : "plus"}" -> "${license}"`),
  );
  expectExit(await tf("apply", "-auto-approve", "-input=false"), 0, "terraform apply after a hand edit");
  expect(extensionOnPlatform(w, handEdited.tenant, handEdited.number).ext?.license).toBe(license);

  // An extension made by hand, then imported by its natural key.
  const pbx = [...w.standin.state.pbxs.values()].find(
    (p) => p.customerId === customer.id && p.name === imported.pbx,
  );
  if (!pbx) throw new Error(`PBX ${imported.pbx} is not on the platform`);
  await w.platform
    .extensions(customer.id)
    .create(pbx.id, { number: imported.number, pin: "4711", license: "start" });
  await writeFile(
    join(dir, "imported.tf"),
    `resource "kalliope_extension" "imported" {\n  tenant       = "${imported.tenant}"\n  pbx          = "${imported.pbx}"\n  number       = "${imported.number}"\n  license      = "start"\n  pin_from_env = "${importedPinEnv}"\n}\n`,
  );
  const id = `${imported.tenant}/${imported.pbx}/${imported.number}`;
  expectExit(await tf("import", "-input=false", "kalliope_extension.imported", id), 0, "terraform import");
  const shown = await tf("state", "show", "kalliope_extension.imported");
  expectExit(shown, 0, "terraform state show");
  expect(shown.stdout).toContain(`id              = "${id}"`);
  expect(shown.stdout).toMatch(/platform_id\s+= "\S+"/);
  expectExit(await tf("apply", "-auto-approve", "-input=false"), 0, "terraform apply after the import");
  expectExit(await tf("plan", "-detailed-exitcode", "-input=false"), 0, "terraform plan after the import");

  expectExit(await tf("destroy", "-auto-approve", "-input=false"), 0, "terraform destroy");
  expect(platformCounts(w)).toEqual({ customers: 0, extensions: 0, numbers: 0 });

  const state = await w.terraform(dir, "state", "pull");
  const seen = [state.stdout, ...outputs].join("\n");
  for (const [name, value] of w.secrets) expect(seen, `the value of ${name}`).not.toContain(value);
}
