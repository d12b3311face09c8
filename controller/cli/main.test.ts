import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isMainModule, packageVersion } from "./main.js";

const main = join(dirname(fileURLToPath(import.meta.url)), "main.ts");

/** Runs `omnia ARGS` with its stdout read by nobody (as in `omnia plan --json | head -1`). */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", main, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("omnia main", () => {
  it("ends quietly with exit 0 when the reader of its output goes away (EPIPE)", async () => {
    const got = await runWithClosedStdout(["plan", "--help"]);
    expect(got, `stderr was: ${got.stderr}`).toEqual({ code: 0, stderr: "" });
  });
});

describe("omnia --version", () => {
  it("prints the version of package.json", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", main, "--version"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.stdout.trim()).toBe(packageVersion());
  });
});

describe("omnia started through a link", () => {
  it("runs its command when started as a symlink (npx, npm link, a global install), not silently nothing", () => {
    const bin = join(mkdtempSync(join(tmpdir(), "omnia-bin-")), "omnia");
    symlinkSync(main, bin);
    const r = spawnSync(process.execPath, ["--import", "tsx", bin, "validate", "--help"], {
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Usage: omnia validate");
  });

  it.each([
    ["no script", undefined, false],
    ["another script", "/usr/bin/env", false],
    ["a path that does not exist", "/nowhere/omnia", false],
  ])("isMainModule says false for %s", (_case, argv1, want) => {
    expect(isMainModule(argv1, new URL(`file://${main}`).href)).toBe(want);
  });
});
