/**
 * `omnia provider install` into temporary folders, then with the real `terraform`:
 * `terraform init` with no network finds the provider in the printed `filesystem_mirror`
 * and in the implied mirror under HOME, and `terraform providers` lists it. `init` does
 * not start the provider (checked: the stand-in entry records any start), so a stand-in
 * entry serves while `dist/provider/main.js` is not built in this branch.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  errProviderFileDiffers,
  errProviderNotBuilt,
  installProvider,
  installReport,
  mirrorCliConfig,
  packageRoot,
  packageVersion,
  providerScript,
  requiredProvidersBlock,
  terraformPlatform,
} from "./provider.js";

const run = promisify(execFile);
let scratch: string;
let entry: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "omnia-provider-"));
  entry = join(scratch, "entry.mjs");
  // Records every start, then fails: Terraform must not need to run it for init/providers.
  await writeFile(
    entry,
    `import { appendFileSync } from "node:fs";\nappendFileSync(${JSON.stringify(join(scratch, "started"))}, "start\\n");\nprocess.exit(1);\n`,
  );
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const version = packageVersion();
const installPath = (dir: string) =>
  join(
    dir,
    "registry.terraform.io",
    "omnia-iac",
    "kalliope",
    version,
    terraformPlatform(),
    `terraform-provider-kalliope_v${version}`,
  );

describe("installProvider", () => {
  it("writes an executable script exec'ing this node on the entry, at Terraform's mirror path", async () => {
    const dir = join(scratch, "m1");
    const r = await installProvider({ dir, entry });
    expect(r).toEqual({ path: installPath(dir), action: "installed", dir, version, implied: false });
    expect(await readFile(r.path, "utf8")).toBe(providerScript(process.execPath, entry, version));
    expect((await stat(r.path)).mode & 0o777).toBe(0o755);
    const { stdout } = await run(r.path, [], { env: {} }).catch((e: { stdout: string }) => e);
    expect(stdout).toBe("");
    expect(await readFile(join(scratch, "started"), "utf8")).toBe("start\n");
    await rm(join(scratch, "started"));
  });

  it("is idempotent, refuses a different file, and replaces it with force", async () => {
    const dir = join(scratch, "m2");
    const first = await installProvider({ dir, entry });
    expect((await installProvider({ dir, entry })).action).toBe("unchanged");
    await writeFile(first.path, "#!/bin/sh\necho other\n");
    await expect(installProvider({ dir, entry })).rejects.toThrow(
      `${errProviderFileDiffers} ${first.path}; pass --force to replace it`,
    );
    expect(await readFile(first.path, "utf8")).toBe("#!/bin/sh\necho other\n");
    expect((await installProvider({ dir, entry, force: true })).action).toBe("replaced");
    expect(await readFile(first.path, "utf8")).toBe(providerScript(process.execPath, entry, version));
  });

  it("defaults to the implied mirror under HOME", async () => {
    const home = join(scratch, "home-default");
    const r = await installProvider({ home, entry });
    expect(r.path).toBe(installPath(join(home, ".terraform.d", "plugins")));
    expect(r.implied).toBe(true);
  });

  it("says to run npm run build when the entry is missing, and writes nothing", async () => {
    const dir = join(scratch, "m3");
    const missing = join(scratch, "dist", "provider", "main.js");
    await expect(installProvider({ dir, entry: missing })).rejects.toThrow(
      `${errProviderNotBuilt}: ${missing} does not exist; run \`npm run build\` first`,
    );
    expect(existsSync(dir)).toBe(false);
  });

  it("quotes paths with spaces and quotes for sh", async () => {
    const odd = join(scratch, "it's a dir");
    await mkdir(odd, { recursive: true });
    const oddEntry = join(odd, "entry.mjs");
    await writeFile(oddEntry, `process.stdout.write(process.argv.slice(2).join("|"));\n`);
    const r = await installProvider({ dir: join(odd, "mirror"), entry: oddEntry });
    const { stdout } = await run(r.path, ["a b", "c'd"]);
    expect(stdout).toBe("a b|c'd");
  });

  it("finds the package root and its dist entry by default", () => {
    const root = packageRoot();
    expect(existsSync(join(root, "package.json"))).toBe(true);
    expect(existsSync(join(root, "controller", "cli", "commands", "provider.ts"))).toBe(true);
  });

  it("prints the required_providers block, and the CLI configuration for a filesystem mirror", () => {
    const r = { path: "/m/x", action: "installed" as const, dir: "/m", version, implied: false };
    const text = installReport(r, false);
    expect(text).toContain(requiredProvidersBlock(version));
    expect(text).toContain(mirrorCliConfig("/m"));
    expect(text).toContain("TF_CLI_CONFIG_FILE");
    expect(installReport({ ...r, implied: true }, false)).not.toContain("provider_installation");
    expect(installReport({ ...r, implied: true }, true)).toContain(mirrorCliConfig("/m"));
  });
});

/** The terraform binary: OMNIA_TEST_TERRAFORM, else `terraform` on PATH. */
function terraformBinary(): string {
  const named = process.env.OMNIA_TEST_TERRAFORM;
  if (named) return named;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "terraform");
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(
    "terraform not found on PATH: install Terraform (1.11 is checked) or set OMNIA_TEST_TERRAFORM to its path",
  );
}

describe("terraform init with no network", () => {
  const mainTf = `${requiredProvidersBlock(version)}\nprovider "kalliope" {}\n`;

  /** Runs terraform in `cwd` with only the variables named (no network: no registry is asked). */
  const terraform = (cwd: string, args: string[], env: Record<string, string>) =>
    run(terraformBinary(), args, {
      cwd,
      env: { PATH: process.env.PATH ?? "", CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", ...env },
    });

  it.each([
    ["a filesystem_mirror named by TF_CLI_CONFIG_FILE", "mirror"],
    ["the implied mirror under HOME", "implied"],
  ])("finds the provider in %s; terraform providers lists it; init starts nothing", async (_case, how) => {
    const base = join(scratch, `tf-${how}`);
    const home = join(base, "home");
    const work = join(base, "work");
    await mkdir(home, { recursive: true });
    await mkdir(work, { recursive: true });
    await writeFile(join(work, "main.tf"), mainTf);
    const env: Record<string, string> = { HOME: home };
    if (how === "mirror") {
      const r = await installProvider({ dir: join(base, "mirror"), entry });
      const config = join(base, "cli.tfrc");
      // The configuration exactly as printed.
      const printed = installReport(r, false);
      await writeFile(config, printed.slice(printed.indexOf("provider_installation")));
      env.TF_CLI_CONFIG_FILE = config;
    } else {
      await installProvider({ home, entry });
    }
    const init = await terraform(work, ["init", "-input=false", "-no-color"], env);
    expect(init.stdout).toContain(`Installing omnia-iac/kalliope v${version}`);
    expect(init.stdout).toContain("Terraform has been successfully initialized");
    const providers = await terraform(work, ["providers", "-no-color"], env);
    expect(providers.stdout).toContain(`provider[registry.terraform.io/omnia-iac/kalliope] ${version}`);
    expect(existsSync(join(scratch, "started")), "terraform started the provider during init").toBe(false);
    const lock = await readFile(join(work, ".terraform.lock.hcl"), "utf8");
    expect(lock).toContain('provider "registry.terraform.io/omnia-iac/kalliope"');
  });
});
