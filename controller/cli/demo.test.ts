import { describe, expect, it } from "vitest";
import { runDemo } from "./demo.js";

describe("runDemo", () => {
  it("plans the drifted demo platform, applies, and the second plan is empty", async () => {
    const out: string[] = [];
    const r = await runDemo({ port: 0, exit: true, color: false, write: (t) => out.push(t) });
    const text = out.join("");
    expect(r.applied.failed, text).toBe(0);
    expect(r.applied.skipped, text).toBe(0);
    expect(r.secondPlanEmpty, text).toBe(true);
    expect(
      r.firstPlan.create + r.firstPlan.update + r.firstPlan.adopt,
      "the seed is drifted",
    ).toBeGreaterThan(0);
    expect(text).toContain("[4/4] omnia plan again");
    expect(text).toContain("No changes.");
    expect(text).toContain("There is no dashboard yet");
  });

  it("serves until told to stop when not asked to exit", async () => {
    let stop: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const out: string[] = [];
    const running = runDemo({
      port: 0,
      color: false,
      write: (t) => out.push(t),
      untilStopped: () => stopped,
    });
    for (let i = 0; i < 200 && !out.join("").includes("Press Ctrl-C"); i++)
      await new Promise((r) => setTimeout(r, 100));
    const url = /keeps running at (\S+)\./.exec(out.join(""))?.[1];
    expect(url, out.join("")).toBeDefined();
    const salt = await fetch(`${url}/rest/salt/demo`);
    expect(salt.status).toBe(200);
    stop();
    await running;
    await expect(fetch(`${url}/rest/salt/demo`)).rejects.toThrow();
    expect(out.join("")).toMatch(/Stand-in stopped\.\n$/);
  });
});
