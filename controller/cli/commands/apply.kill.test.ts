/**
 * A real crash: `omnia apply` killed with SIGKILL in the middle of its steps (embedded
 * store on disk, stand-in slowed down), then run again: the rerun converges and the
 * platform holds exactly one object per declared resource.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { observe } from "../../engine/observe/observe.js";
import { useStandinAndCli } from "../../test-support/cli.js";
import { type WorldShape, worldOf, writeWorld } from "../../test-support/random-world.js";

const setup = useStandinAndCli();

const numbers = Array.from({ length: 30 }, (_, i) => 200 + i);
const shape: WorldShape = {
  users: [],
  pbxs: [{ callCenter: false, hotel: false, suspended: false }],
  numbers: [],
  extensions: numbers.map((number) => ({ pbx: 0, number, license: "start" as const, suspended: false })),
};

describe("omnia apply killed mid-run", () => {
  it("converges on the next run with no duplicate object", async () => {
    const world = worldOf(shape, "KILL1", 950);
    const dir = await writeWorld(world);
    const log = join(dir, "apply.log");
    setup.e.standin.knobs.latencyMs = 40;
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "controller/cli/main.ts",
        "apply",
        dir,
        "--auto-approve",
        "--parallelism",
        "2",
        "--state-dir",
        setup.cli.stateDir,
      ],
      {
        env: {
          ...process.env,
          ...world.env,
          OMNIA_URL: setup.e.standin.url,
          OMNIA_DOMAIN: setup.e.standin.settings.domain,
          OMNIA_USERNAME: setup.e.standin.settings.username,
          OMNIA_PASSWORD: setup.e.standin.settings.password,
          DATABASE_URL: "",
          OMNIA_LOG_FILE: log,
        },
        stdio: "ignore",
      },
    );
    const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
    // Wait until some extension creates are done, then kill without warning.
    let done = 0;
    for (let i = 0; i < 600 && done < 5; i++) {
      await sleep(50);
      done = (
        (await readFile(log, "utf8").catch(() => "")).match(/"msg":"create Extension\/[^"]*: ok"/g) ?? []
      ).length;
    }
    child.kill("SIGKILL");
    await exited;
    setup.e.standin.knobs.latencyMs = 0;
    expect(done, "extension creates before the kill").toBeGreaterThanOrEqual(5);
    const before = (await observe(setup.e.client, { tenants: ["KILL1"] })).extensions.length;
    expect(before, "the kill left work undone").toBeLessThan(numbers.length);

    const rerun = await setup.cli.run(["apply", dir, "--auto-approve"], world.env);
    expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
    const plan = await setup.cli.run(["plan", dir, "--detailed-exitcode"], world.env);
    expect(plan.code, plan.stdout).toBe(0);
    const live = await observe(setup.e.client, { tenants: ["KILL1"] });
    expect(live.extensions.map((x) => x.spec.number).sort()).toEqual(numbers.map(String));
  });
});
