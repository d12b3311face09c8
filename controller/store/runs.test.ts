import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "./index.js";
import { interruptedRunError } from "./runs.js";
import type { Store } from "./store.js";
import { type FreshDatabase, postgresTarget, storeTargets } from "./test-support/targets.js";

/** A clock the test moves by hand. */
function manualClock(start = Date.UTC(2026, 0, 1, 12, 0, 0)) {
  let now = start;
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const run = { mode: "apply", source: "s1", tenants: ["ACME"] } as const;

describe.each(storeTargets)("run liveness on $name", (target) => {
  let db: FreshDatabase;
  let store: Store;
  let clock: ReturnType<typeof manualClock>;
  beforeEach(async () => {
    clock = manualClock();
    db = await target.fresh();
    store = await db.open({ clock: clock.now });
  });
  afterEach(async () => {
    await db.dispose();
  });

  it("records who runs a run, and its start as its first heartbeat", async () => {
    const id = await store.startRun(run);
    expect(await store.getRun(id)).toMatchObject({
      holder: `${hostname()}/${process.pid}/${id}`,
      heartbeatAt: clock.now(),
      startedAt: clock.now(),
    });
    const given = await store.startRun({ ...run, holder: "h/1/x" });
    expect((await store.getRun(given))?.holder).toBe("h/1/x");
  });

  it("moves the heartbeat of an unfinished run only", async () => {
    const id = await store.startRun(run);
    clock.advance(10_000);
    expect(await store.heartbeatRun(id)).toBe(true);
    expect((await store.getRun(id))?.heartbeatAt).toEqual(clock.now());
    await store.finishRun({ id, outcome: "ok" });
    expect(await store.heartbeatRun(id)).toBe(false);
    expect(await store.heartbeatRun("no-such-run")).toBe(false);
  });

  it("ends as interrupted the runs that are silent or whose holder is gone, and nothing else", async () => {
    const silent = await store.startRun({ ...run, id: "silent", holder: "far/1/silent" });
    const done = await store.startRun({ ...run, id: "done" });
    await store.finishRun({ id: done, outcome: "changes" });
    clock.advance(60_000);
    const gone = await store.startRun({ ...run, id: "gone", holder: "here/42/gone" });
    const alive = await store.startRun({ ...run, id: "alive", holder: "here/43/alive" });
    clock.advance(1_000);
    const asked: string[] = [];
    const ended = await store.markInterruptedRuns({
      staleBefore: new Date(clock.now().getTime() - 30_000),
      holderIsGone: (holder) => {
        asked.push(holder);
        return holder === "here/42/gone";
      },
    });
    expect(ended).toEqual([silent, gone]);
    expect(asked.sort()).toEqual(["here/42/gone", "here/43/alive"]);
    for (const id of ended) {
      expect(await store.getRun(id)).toMatchObject({
        outcome: "interrupted",
        finishedAt: clock.now(),
        error: interruptedRunError,
      });
      expect(await store.heartbeatRun(id)).toBe(false);
    }
    expect(await store.getRun(alive)).toMatchObject({ outcome: null, finishedAt: null });
    expect((await store.getRun(done))?.outcome).toBe("changes");
    expect(await store.markInterruptedRuns({ staleBefore: new Date(0) })).toEqual([]);
  });

  it("keeps a run whose heartbeat came in time", async () => {
    const id = await store.startRun(run);
    clock.advance(60_000);
    await store.heartbeatRun(id);
    clock.advance(1_000);
    expect(
      await store.markInterruptedRuns({ staleBefore: new Date(clock.now().getTime() - 30_000) }),
    ).toEqual([]);
  });
});

describe("interrupted runs at open", () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "omnia-runs-"));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it("on a PGlite folder, ends the run of a process killed mid-run", async () => {
    const dataDir = join(scratch, "killed");
    const index = new URL("./index.ts", import.meta.url).href;
    const script = `import { openStore } from ${JSON.stringify(index)};
      const store = await openStore({ dataDir: process.argv[1], env: {} });
      const id = await store.startRun({ mode: "apply", source: "s1", tenants: ["ACME"] });
      console.log(id); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, dataDir], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const id = await new Promise<string>((resolve, reject) => {
      child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim()));
      child.once("exit", (code) => reject(new Error(`child exited (${code}) before starting its run`)));
    });
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));

    const store = await openStore({ dataDir, env: {} });
    try {
      expect(await store.getRun(id)).toMatchObject({
        outcome: "interrupted",
        error: interruptedRunError,
        holder: `${hostname()}/${child.pid}/${id}`,
      });
    } finally {
      await store.close();
    }
  });

  it("on a server, leaves unfinished runs to the sweep (another replica may be running them)", async () => {
    const db = await postgresTarget.fresh();
    try {
      const first = await db.open();
      const id = await first.startRun(run);
      const second = await db.open();
      expect((await second.getRun(id))?.outcome).toBeNull();
    } finally {
      await db.dispose();
    }
  });
});
