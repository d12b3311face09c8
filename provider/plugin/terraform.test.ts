/**
 * The plumbing under the real `terraform` binary (1.11): the fake provider, installed by
 * a `dev_overrides` CLI configuration (no `init`, no registry), goes through apply, a
 * second plan with no changes, import and destroy. Terraform starts the provider many
 * times; every start must leave no socket directory behind (Controller.Shutdown).
 * `terraform` must be on PATH: without it the tests fail, naming what to install.
 */
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { fakePluginEntry } from "./test-support/terraform-client.js";
import { findTerraform } from "./test-support/terraform-descriptor.js";

const run = promisify(execFile);
const terraform = findTerraform();

const config = `
terraform {
  required_providers {
    fake = { source = "omnia-iac/fake" }
  }
}
provider "fake" { endpoint = "http://x" }
resource "fake_thing" "a" {
  name  = "alpha"
  size  = 3
  tags  = { team = "ops" }
  ports = [80, 443]
  pin   = "s3cret-pin"
  user  = { email = "a@x.it" }
}
resource "fake_thing" "b" {
  name = "gamma"
}
data "fake_lookup" "l" { name = fake_thing.a.id }
output "lookup" { value = data.fake_lookup.l.id }
`;

describe("the plugin under the real terraform binary", () => {
  const root = mkdtempSync(join(tmpdir(), "plugin-terraform-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("finds terraform on PATH (the real binary is required, as PostgreSQL is)", () => {
    expect(terraform, "install Terraform >= 1.11 on PATH: these tests run the real binary").toBeDefined();
  });

  it("applies, plans no changes, imports and destroys", { timeout: 180_000 }, async () => {
    const bin = join(root, "bin");
    const work = join(root, "work");
    const pluginTmp = join(root, "plugin-tmp");
    for (const dir of [bin, work, pluginTmp]) mkdirSync(dir);
    const executable = join(bin, "terraform-provider-fake");
    // tsx resolves from the repository; Terraform runs the provider in the working directory.
    const repo = join(dirname(fakePluginEntry), "..", "..", "..");
    writeFileSync(
      executable,
      `#!/bin/sh\ncd "${repo}" && exec "${process.execPath}" --import tsx "${fakePluginEntry}"\n`,
    );
    chmodSync(executable, 0o755);
    writeFileSync(
      join(root, "cli.tfrc"),
      `provider_installation {\n  dev_overrides { "omnia-iac/fake" = "${bin}" }\n  direct {}\n}\n`,
    );
    writeFileSync(join(work, "main.tf"), config);
    const env = {
      ...process.env,
      CHECKPOINT_DISABLE: "1",
      TF_CLI_CONFIG_FILE: join(root, "cli.tfrc"),
      TF_IN_AUTOMATION: "1",
      TMPDIR: pluginTmp, // the provider's socket directories go here
      NODE_OPTIONS: "",
    };
    const tf = (...args: string[]) => run(terraform as string, [...args, "-no-color"], { cwd: work, env });

    const apply = await tf("apply", "-auto-approve", "-target=fake_thing.a", "-target=data.fake_lookup.l");
    expect(apply.stdout).toContain('lookup = "fake-fake-alpha"');
    // A second plan finds nothing to do (exit code 2 would reject: changes).
    await tf("plan", "-detailed-exitcode", "-target=fake_thing.a", "-target=data.fake_lookup.l");
    await tf("import", "fake_thing.b", "ACME001/gamma");
    // A refresh upgrades the stored JSON state first: the 64-bit size must survive it.
    await tf("apply", "-refresh-only", "-auto-approve");
    const state = readFileSync(join(work, "terraform.tfstate"), "utf8");
    expect(state).not.toContain("s3cret-pin"); // write-only: never in state
    expect(state).toContain('"size": 1152921504606846977'); // 2^60+1 exact through msgpack int64
    const destroy = await tf("destroy", "-auto-approve");
    expect(destroy.stdout).toContain("Destroy complete! Resources: 2 destroyed.");
    // (tsx keeps its own cache there too.)
    expect(readdirSync(pluginTmp).filter((name) => name.startsWith("kalliope-plugin-"))).toEqual([]);
  });
});
