import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

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
