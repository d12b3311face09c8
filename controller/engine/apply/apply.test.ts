import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { AnyDesiredResource } from "../../model/desired-state.js";
import type { InventoryEntry } from "../../model/inventory.js";
import type { AnyLiveResource } from "../../model/live-state.js";
import type { Plan } from "../../model/plan.js";
import {
  desiredStateOf,
  FakePlatform,
  type FakePlatformOptions,
  liveOf,
  make,
  managedEntry,
  testHash,
} from "../../test-support/fakes.js";
import { MemoryRecorder, type MemoryRecorderOptions } from "../../test-support/memory-recorder.js";
import { EngineError, errPlanRefused, errRecordStep, TerminalError } from "../errors.js";
import { isEmptyPlan, plan, reasons } from "../plan/plan.js";
import { apply } from "./apply.js";

const T = "ACME";
const PIN = "pin-apply-5521";
const tenant = make.tenant(T);
const pbx = make.pbx(T, "main");
const trunk = make.trunk(T, "tim", "pw-apply-1");
const user = make.user(T, "ada@acme.it");
const exts = ["100", "101", "102"].map((n) =>
  make.extension(T, "main", n, PIN, n === "100" ? "ada@acme.it" : undefined),
);
const num = make.number(T, "+390212345600", "main", "tim");
const all: AnyDesiredResource[] = [tenant, pbx, trunk, user, ...exts, num];

/** A pino logger that keeps its JSON lines. */
function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

interface Setup {
  desired?: AnyDesiredResource[];
  live?: AnyLiveResource[];
  inventory?: InventoryEntry[];
  platform?: FakePlatformOptions;
  recorder?: MemoryRecorderOptions;
  prune?: boolean;
}

function setup(s: Setup = {}) {
  const platform = new FakePlatform({ live: s.live, ...s.platform });
  const recorder = new MemoryRecorder({ inventory: s.inventory, ...s.recorder });
  const log = captureLogger();
  const desired = desiredStateOf(s.desired ?? all);
  const replan = (): Plan =>
    plan(desired, platform.liveState([T]), recorder.entries(), {
      source: "repo",
      hashSecret: testHash,
      prune: s.prune,
      allowMassDelete: true,
    });
  const run = (p: Plan, parallelism?: number) =>
    apply(
      p,
      { adapters: platform.adapters(), store: recorder, logger: log.logger },
      { source: "repo", runId: "run-1", parallelism },
    );
  return { platform, recorder, log, replan, run };
}

const outcomes = (steps: { key: string; action: string; outcome: string }[]) =>
  Object.fromEntries(steps.map((st) => [`${st.action} ${st.key}`, st.outcome]));

describe("apply", () => {
  it("creates a tenant's resources in order, records them and converges", async () => {
    const w = setup();
    const result = await w.run(w.replan());
    expect({ ok: result.ok, failed: result.failed, skipped: result.skipped }).toEqual({
      ok: 8,
      failed: 0,
      skipped: 0,
    });
    expect(w.recorder.entries().map((e) => [e.key, e.state, e.platformId !== null])).toEqual(
      all.map((d) => [d.key, "managed", true]).sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
    const again = w.replan();
    expect(isEmptyPlan(again), JSON.stringify(again.changes.filter((c) => c.action !== "noop"))).toBe(true);
  });

  it("skips only the numbers of a failed trunk, says why, and finishes the other branches", async () => {
    const boom = (c: { verb: string; key: string }) =>
      c.key === trunk.key ? new Error("trunk refused") : undefined;
    const w = setup({ platform: { failBefore: boom } });
    const result = await w.run(w.replan());
    expect(outcomes(result.steps)).toEqual({
      [`create ${tenant.key}`]: "ok",
      [`create ${trunk.key}`]: "failed",
      [`create ${user.key}`]: "ok",
      [`create ${pbx.key}`]: "ok",
      ...Object.fromEntries(exts.map((e) => [`create ${e.key}`, "ok"])),
      [`create ${num.key}`]: "skipped",
    });
    const skipped = result.steps.find((st) => st.key === num.key);
    expect(skipped?.error).toBe(`skipped: depends on a change that failed: ${trunk.key}`);
    expect(skipped?.failedDependency).toBe(trunk.key);
    expect({ failed: result.failed, skipped: result.skipped }).toEqual({ failed: 1, skipped: 1 });
  });

  it("names the first failed key for dependents skipped transitively", async () => {
    const w = setup({ platform: { failBefore: (c) => (c.key === pbx.key ? new Error("no") : undefined) } });
    const result = await w.run(w.replan());
    for (const key of [...exts.map((e) => e.key), num.key]) {
      expect(result.steps.find((st) => st.key === key)?.failedDependency, key).toBe(pbx.key);
    }
  });

  it("records a TerminalError as terminal", async () => {
    const w = setup({
      platform: { failBefore: (c) => (c.key === user.key ? new TerminalError("bad email") : undefined) },
    });
    const result = await w.run(w.replan());
    const step = result.steps.find((st) => st.key === user.key);
    expect({ outcome: step?.outcome, error: step?.error }).toEqual({
      outcome: "terminal",
      error: "bad email",
    });
    const finished = w.recorder.events.find((e) => e.op === "finishStep" && e.key === user.key);
    expect(finished?.op === "finishStep" ? finished.step.state : finished).toBe("terminal");
  });

  it.each([1, 3, 8])("never has more than %i platform calls in flight", async (parallelism) => {
    const many = Array.from({ length: 30 }, (_, i) => make.extension(T, "main", String(200 + i), "p"));
    const w = setup({ desired: [tenant, pbx, ...many], platform: { delayMs: 3 } });
    const result = await w.run(w.replan(), parallelism);
    expect(result.ok).toBe(32);
    expect(w.platform.maxInFlight, `want at most ${parallelism} in flight`).toBeLessThanOrEqual(parallelism);
    expect(w.platform.maxInFlight, "want the bound reached with 30 independent creates").toBe(parallelism);
  });

  it("records every step before a change that depends on it starts", async () => {
    const w = setup({ platform: { delayMs: 1 } });
    const p = w.replan();
    await w.run(p);
    const at = (op: string, key: string) => w.recorder.events.findIndex((e) => e.op === op && e.key === key);
    for (const c of p.changes) {
      for (const dep of c.dependsOn) {
        expect(at("finishStep", dep), `${dep} finished before ${c.key} started`).toBeLessThan(
          at("startStep", c.key),
        );
      }
    }
  });

  it("marks a create as creating before calling the platform", async () => {
    const seen: (InventoryEntry | undefined)[] = [];
    let recorder: MemoryRecorder | undefined;
    const w = setup({
      platform: {
        failBefore: (c) => {
          if (c.key === pbx.key) seen.push(recorder?.inventory.get(`repo\0${pbx.key}`));
          return undefined;
        },
      },
    });
    recorder = w.recorder;
    await w.run(w.replan());
    expect(seen.map((e) => [e?.state, e?.platformId])).toEqual([["creating", null]]);
  });

  it.each([
    {
      name: "crash after the platform created it",
      hook: "failAfter" as const,
      action: "adopt",
      reason: reasons.adoptResume,
    },
    {
      name: "crash before the platform created it",
      hook: "failBefore" as const,
      action: "create",
      reason: reasons.createResume,
    },
  ])("resumes after a $name without a second object", async ({ hook, action, reason }) => {
    let crashed = false;
    const crash = (c: { verb: string; key: string }) => {
      if (c.key !== pbx.key || crashed) return undefined;
      crashed = true;
      return new Error("process killed");
    };
    const w = setup({ platform: { [hook]: crash } });
    const first = await w.run(w.replan());
    expect(first.failed).toBe(1);
    expect(w.recorder.entries().find((e) => e.key === pbx.key)?.state).toBe("creating");
    const second = w.replan();
    expect(second.changes.find((c) => c.key === pbx.key)).toMatchObject({ action, reason });
    const result = await w.run(second);
    expect(result.failed).toBe(0);
    expect(w.platform.calls.filter((c) => c.verb === "create" && c.key === pbx.key).length).toBe(
      action === "adopt" ? 1 : 2,
    );
    expect([...w.platform.objects.values()].filter((o) => o.kind === "Pbx").length).toBe(1);
    expect(isEmptyPlan(w.replan())).toBe(true);
  });

  it("deletes (removing the entry) and forgets orphans without a platform call", async () => {
    const gone = make.extension(T, "main", "199", "p");
    const kept = make.extension(T, "main", "198", "p", undefined, { policy: { deletionPolicy: "orphan" } });
    const live = [...all, gone, kept].map((d, i) => liveOf(d, `id-${i}`));
    const inventory = [...all, gone, kept].map((d, i) => managedEntry(d, `id-${i}`));
    const w = setup({ live, inventory, prune: true });
    const p = w.replan();
    const result = await w.run(p);
    expect(outcomes(result.steps)).toEqual({ [`delete ${gone.key}`]: "ok", [`forget ${kept.key}`]: "ok" });
    expect(w.platform.calls).toEqual([{ verb: "delete", key: gone.key }]);
    expect(w.platform.objects.has(kept.key)).toBe(true);
    expect(w.recorder.entries().map((e) => e.key)).not.toContain(kept.key);
    expect(w.recorder.entries().map((e) => e.key)).not.toContain(gone.key);
  });

  it("logs one JSON line per step, without secrets", async () => {
    const w = setup();
    await w.run(w.replan());
    const steps = w.log.lines.filter((l) => l.runId === "run-1");
    expect(steps.length).toBe(8);
    expect(steps[0]).toMatchObject({ action: "create", key: tenant.key, outcome: "ok", seq: 1, level: 30 });
    expect(typeof steps[0]?.durationMs).toBe("number");
    expect(JSON.stringify(w.log.lines)).not.toContain(PIN);
    expect(JSON.stringify(w.recorder.events)).not.toContain(PIN);
  });

  it("reports progress after each step and times steps with the injected clock", async () => {
    const platform = new FakePlatform();
    let now = 1_000;
    const progress: [number, number][] = [];
    const p = plan(desiredStateOf([tenant, pbx]), platform.liveState([T]), [], {
      source: "repo",
      hashSecret: testHash,
    });
    const result = await apply(
      p,
      {
        adapters: platform.adapters(),
        store: new MemoryRecorder(),
        logger: pino({ level: "silent" }),
        clock: () => (now += 5),
      },
      { source: "repo", runId: "run-2", onProgress: ({ done, total }) => progress.push([done, total]) },
    );
    expect(progress).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(
      result.steps.map((st) => st.durationMs),
      "one clock tick between start and end",
    ).toEqual([5, 5]);
  });

  it("refuses a plan with refusals", async () => {
    const w = setup();
    const p = w.replan();
    p.refusals.push("tenant ACME: too many deletes");
    await expect(w.run(p)).rejects.toThrow(new EngineError(errPlanRefused, "tenant ACME: too many deletes"));
    expect(w.platform.calls).toEqual([]);
  });

  it("stops starting steps once the store fails, and throws", async () => {
    const w = setup({
      recorder: {
        beforeWrite: (e) => {
          if (e.op === "upsertInventory" && e.key === tenant.key) throw new Error("disk full");
        },
      },
    });
    await expect(w.run(w.replan())).rejects.toThrow(errRecordStep);
    expect(w.platform.calls.map((c) => c.key)).toEqual([tenant.key]);
  });
});

describe("apply stopped by its signal", () => {
  it("makes no platform call for a step whose signal fires while its creating entry is written", async () => {
    const controller = new AbortController();
    const w = setup({
      recorder: {
        beforeWrite: (e) => {
          if (e.op === "markCreating" && e.key === pbx.key) controller.abort(new Error("lease lost"));
        },
      },
    });
    const result = await apply(
      w.replan(),
      { adapters: w.platform.adapters(), store: w.recorder, logger: w.log.logger },
      { source: "repo", runId: "run-1", parallelism: 1, signal: controller.signal },
    );
    const called = w.platform.calls.map((c) => c.key);
    expect(called, "the PBX create never reached the platform").not.toContain(pbx.key);
    const step = result.steps.find((s) => s.key === pbx.key);
    expect(step?.outcome).toBe("skipped");
    expect(step?.error).toBe("skipped: the apply was stopped: lease lost");
    expect(result.steps.filter((s) => s.outcome === "ok").map((s) => s.key)).toEqual(called);
  });
});
