/**
 * The import rules of .dependency-cruiser.cjs (no cycles, no import from a lower layer to
 * a higher one, no test fakes in production code), checked by dependency-cruiser on every
 * `npm test`, so a new violation fails here with its path.
 */
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: { name: string }[];
}

describe("architecture", () => {
  it("has no import cycle and no upward import between layers", () => {
    const out = execFileSync(
      join(root, "node_modules", ".bin", "depcruise"),
      ["--config", ".dependency-cruiser.cjs", "--output-type", "json", "controller", "platform", "bench"],
      { cwd: root, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
    );
    const violations = (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
    const lines = violations.map(
      (v) =>
        `${v.rule.name}: ${v.from} -> ${v.to}${v.cycle ? ` (cycle: ${v.cycle.map((c) => c.name).join(" -> ")})` : ""}`,
    );
    expect(lines, "violations of .dependency-cruiser.cjs").toEqual([]);
  });
});
