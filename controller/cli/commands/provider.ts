/**
 * `omnia provider install [--dir DIR] [--print-config] [--force]`: installs the Terraform
 * provider `omnia-iac/kalliope` for `terraform init` with no network. The executable is a
 * small `#!/bin/sh` script that execs this Node (`process.execPath`) on the package's
 * `dist/provider/main.js` (written by `npm run build`), placed where Terraform looks:
 * `<dir>/registry.terraform.io/omnia-iac/kalliope/<version>/<os>_<arch>/
 * terraform-provider-kalliope_v<version>`. Default `dir`: Terraform's implied local mirror
 * `~/.terraform.d/plugins` (no CLI configuration needed); with `--dir`, a
 * `filesystem_mirror`, whose CLI configuration is printed for a file named by
 * `TF_CLI_CONFIG_FILE` (Terraform CLI docs, "Provider Installation"; checked with
 * Terraform 1.11 in /work/shared/terraform-plugin-notes.md).
 *
 * Idempotent: the same script again changes nothing; a different file at the path is
 * refused unless `--force`. The version is package.json's.
 */
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";

/** Terraform's address of the provider. */
export const providerHost = "registry.terraform.io";
export const providerNamespace = "omnia-iac";
export const providerType = "kalliope";
/** `registry.terraform.io/omnia-iac/kalliope`, as `include` / `exclude` name it. */
export const providerAddress = `${providerHost}/${providerNamespace}/${providerType}`;

/** The provider's entry was not built. */
export const errProviderNotBuilt = "the provider is not built";
/** A different file is at the install path. */
export const errProviderFileDiffers = "a different file is already installed at";
/** This OS or CPU has no Terraform platform name here. */
export const errProviderPlatform = "no Terraform platform name for this system";

/** Options of `installProvider`; all but none have defaults (tests set them). */
export interface InstallProviderOptions {
  /** Mirror folder. Default `~/.terraform.d/plugins` (Terraform's implied local mirror). */
  dir?: string;
  /** Replace a different file at the path. Default false. */
  force?: boolean;
  /** The home folder the default `dir` is in. Default `os.homedir()`. */
  home?: string;
  /** The Node that runs the provider. Default `process.execPath`. */
  node?: string;
  /** The provider's entry script. Default `<package root>/dist/provider/main.js`. */
  entry?: string;
  /** Provider version. Default package.json's `version`. */
  version?: string;
  /** Terraform's `os_arch`. Default from `process.platform` and `process.arch`, e.g. `linux_amd64`. */
  platform?: string;
}

/** What `installProvider` did. */
export interface InstallProviderResult {
  /** Absolute path of the executable. */
  path: string;
  /** `installed` (new), `replaced` (`--force` over another file) or `unchanged`. */
  action: "installed" | "replaced" | "unchanged";
  /** Absolute mirror folder. */
  dir: string;
  version: string;
  /** Whether `dir` is the implied mirror (no CLI configuration needed). */
  implied: boolean;
}

/** The package's root folder: the nearest parent of this module holding package.json. */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
}

/** package.json's version. */
export function packageVersion(root: string = packageRoot()): string {
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
}

/** Terraform's platform name of this system (`linux_amd64`); throws `errProviderPlatform`. */
export function terraformPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const os = { linux: "linux", darwin: "darwin", freebsd: "freebsd", win32: "windows" }[platform];
  const cpu = { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" }[arch];
  if (!os || !cpu) throw new Error(`${errProviderPlatform}: ${platform} ${arch}`);
  return `${os}_${cpu}`;
}

/** `s` quoted for sh: inside single quotes, each `'` as `'\''`. */
const shQuote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** The executable's text: a shell script exec'ing `node` on `entry` with Terraform's arguments. */
export function providerScript(node: string, entry: string, version: string): string {
  return `#!/bin/sh\n# terraform-provider-kalliope ${version}, installed by \`omnia provider install\`\nexec ${shQuote(node)} ${shQuote(entry)} "$@"\n`;
}

/** The `required_providers` block a configuration names the provider with. */
export function requiredProvidersBlock(version: string): string {
  return `terraform {\n  required_providers {\n    ${providerType} = {\n      source  = "${providerNamespace}/${providerType}"\n      version = "${version}"\n    }\n  }\n}\n`;
}

/** The CLI configuration of a `filesystem_mirror` at `dir` that only serves this provider. */
export function mirrorCliConfig(dir: string): string {
  return `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(dir)}\n    include = ["${providerAddress}"]\n  }\n  direct {\n    exclude = ["${providerAddress}"]\n  }\n}\n`;
}

/**
 * Installs the provider executable (see the module comment). Throws
 * `errProviderNotBuilt` (naming the entry and `npm run build`), `errProviderFileDiffers`
 * (naming the path and `--force`), `errProviderPlatform`, or the file system's error.
 */
export async function installProvider(o: InstallProviderOptions = {}): Promise<InstallProviderResult> {
  const root = o.entry && o.version ? undefined : packageRoot();
  const version = o.version ?? packageVersion(root);
  const entry = resolve(o.entry ?? join(root as string, "dist", "provider", "main.js"));
  if (!existsSync(entry))
    throw new Error(`${errProviderNotBuilt}: ${entry} does not exist; run \`npm run build\` first`);
  const implied = o.dir === undefined;
  const dir = resolve(o.dir ?? join(o.home ?? homedir(), ".terraform.d", "plugins"));
  const folder = join(
    dir,
    providerHost,
    providerNamespace,
    providerType,
    version,
    o.platform ?? terraformPlatform(),
  );
  const path = join(folder, `terraform-provider-${providerType}_v${version}`);
  const text = providerScript(o.node ?? process.execPath, entry, version);
  const existing = await readFile(path, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  if (existing === text) {
    await chmod(path, 0o755);
    return { path, action: "unchanged", dir, version, implied };
  }
  if (existing !== undefined && !o.force)
    throw new Error(`${errProviderFileDiffers} ${path}; pass --force to replace it`);
  await mkdir(folder, { recursive: true });
  // Written beside and renamed: Terraform never sees a half-written executable.
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text, { mode: 0o755 });
    await chmod(temp, 0o755);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
  return { path, action: existing === undefined ? "installed" : "replaced", dir, version, implied };
}

/** Flags of `omnia provider install`. */
export interface ProviderInstallFlags {
  dir?: string;
  printConfig?: boolean;
  force?: boolean;
}

/** What `omnia provider install` prints after installing. */
export function installReport(r: InstallProviderResult, printConfig: boolean): string {
  const lines = [
    `${r.action === "unchanged" ? "Already installed" : r.action === "replaced" ? "Replaced" : "Installed"} ${providerAddress} ${r.version}:`,
    `  ${r.path}`,
    "",
    "Name it in your configuration:",
    "",
    requiredProvidersBlock(r.version),
  ];
  if (!r.implied || printConfig) {
    lines.push(
      r.implied
        ? "It is in Terraform's implied local mirror: no CLI configuration is needed. An explicit one is:"
        : "Put this in a file and name it with TF_CLI_CONFIG_FILE (e.g. export TF_CLI_CONFIG_FILE=$PWD/kalliope.tfrc):",
      "",
      mirrorCliConfig(r.dir),
    );
  } else {
    lines.push("It is in Terraform's implied local mirror: `terraform init` finds it with no network.");
  }
  return `${lines.join("\n")}\n`;
}

/** Runs `omnia provider install`; returns the exit code (1 with the reason on stderr). */
export async function providerInstallCommand(
  flags: ProviderInstallFlags,
  options: Omit<InstallProviderOptions, "dir" | "force"> = {},
): Promise<number> {
  try {
    const r = await installProvider({ ...options, dir: flags.dir, force: flags.force });
    process.stdout.write(installReport(r, flags.printConfig === true));
    return 0;
  } catch (err) {
    process.stderr.write(`omnia provider install: ${(err as Error).message}\n`);
    return 1;
  }
}

/** Adds `provider install` to the program. */
export function register(program: Command): void {
  const provider = program.command("provider").description("the Terraform provider omnia-iac/kalliope");
  provider
    .command("install")
    .description("install the Terraform provider for `terraform init` with no network")
    .option("--dir <dir>", "a filesystem_mirror folder instead of the implied mirror ~/.terraform.d/plugins")
    .option(
      "--print-config",
      "print the CLI configuration (provider_installation) even for the implied mirror",
    )
    .option("--force", "replace a different file already installed at the path")
    .action(async (flags: ProviderInstallFlags) => {
      process.exitCode = await providerInstallCommand(flags);
    });
}
