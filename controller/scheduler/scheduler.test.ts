import { afterEach, describe, expect, it } from "vitest";
import { PlatformError } from "../../platform/client/errors.js";
import { errRateLimited, errUnavailable } from "../engine/reconcile/outcome.js";
import { settle } from "../test-support/fake-clock.js";
import { done, type Harness, harness, retry, terminal } from "../test-support/scheduler-harness.js";
import { defaultBackoffBaseMs } from "./backoff.js";
import { errCircuitOpen } from "./breaker.js";
import { errShutdown } from "./scheduler.js";

let running: Harness[] = [];
function make(...args: Parameters<typeof harness>): Harness {
  const h = harness(...args);
  running.push(h);
  return h;
}
afterEach(async () => {
  for (const h of running) await h.scheduler.stop({ graceMs: 0 });
  running = [];
});

/** Starts the scheduler and lets its startup work settle. */
async function started(h: Harness): Promise<Harness> {
  await h.scheduler.start();
  await h.clock.advance(0);
  return h;
}

describe("scheduler: triggers and the queue", () => {
  it("merges triggers of a queued tenant into one run with every reason", async () => {
    const h = make({ register: false, concurrency: 1 });
    await started(h);
    h.queue.putSource({ id: "s", partner: "p1" });
    // Queued while the worker is busy elsewhere: hold the only slot with a run that waits.
    let release = () => {};
    h.script.set("busy", [() => new Promise((resolve) => (release = () => resolve(done())))]);
    const h2 = h.scheduler;
    await h2.trigger("s", "busy", "manual");
    await h.clock.advance(0);
    await h2.trigger("s", "t1", "webhook");
    await h2.trigger("s", "t1", "manual");
    await h2.trigger("s", "t1", "webhook");
    release();
    await h.clock.advance(0);
    expect(h.calls.filter((c) => c.tenant === "t1")).toEqual([
      { tenant: "t1", mode: "apply", reasons: ["webhook", "manual"], at: h.clock.now() },
    ]);
  }, 10_000);

  it("runs again when a trigger arrives during the run (generation re-queue)", async () => {
    const h = make({ concurrency: 1 });
    await started(h); // startup: t1 runs once
    h.calls.length = 0;
    let release = () => {};
    h.script.set("t1", [() => new Promise((resolve) => (release = () => resolve(done())))]);
    await h.scheduler.trigger("s", "t1", "manual");
    await h.clock.advance(0);
    await h.scheduler.trigger("s", "t1", "webhook");
    release();
    await h.clock.advance(0);
    expect(h.calls.map((c) => c.reasons)).toEqual([["manual"], ["manual", "webhook"]]);
    expect(await h.queue.listRequests()).toEqual([]);
  });

  it("'*' queues every tenant of the source", async () => {
    const h = make({ register: false, tenants: ["a", "b", "c"] });
    await started(h);
    h.queue.putSource({ id: "s", partner: "p1" });
    expect(await h.scheduler.trigger("s", "*", "manual", "drift")).toBe(3);
    await h.clock.advance(0);
    expect(h.calls.map((c) => `${c.tenant}:${c.mode}`).sort()).toEqual(["a:drift", "b:drift", "c:drift"]);
  });

  it("never runs more than `concurrency` requests at once", async () => {
    const tenants = Array.from({ length: 9 }, (_, i) => `t${i}`);
    const h = make({ concurrency: 3, tenants, register: false });
    await started(h);
    h.queue.putSource({ id: "s", partner: "p1" });
    let now = 0;
    let most = 0;
    for (const t of tenants) {
      h.script.set(t, [
        async () => {
          now++;
          most = Math.max(most, now);
          await h.clock.sleep(100);
          now--;
          return done();
        },
      ]);
    }
    await h.scheduler.trigger("s", "*", "manual");
    await h.clock.advance(1_000);
    expect(h.calls).toHaveLength(9);
    expect(most).toBe(3);
  });
});

describe("scheduler: timers", () => {
  it("queues every tenant on start, then each interval within ±10 %, and drift checks on their own interval", async () => {
    const h = make({ tenants: ["a", "b"], register: false, random: () => 0.99 });
    h.queue.putSource({
      id: "s",
      partner: "p1",
      policies: { intervalMs: 100_000, driftIntervalMs: 40_000 } as never,
    });
    const start = h.clock.now();
    await started(h);
    expect(h.calls.map((c) => `${c.tenant}:${c.mode}:${c.reasons}`)).toEqual([
      "a:apply:startup",
      "b:apply:startup",
    ]);
    h.calls.length = 0;
    await h.clock.advance(250_000);
    const applies = h.calls.filter((c) => c.mode === "apply").map((c) => c.at - start);
    const drifts = h.calls.filter((c) => c.mode === "drift").map((c) => c.at - start);
    // random 0.99: near the top of ±10 % (90 000 + ⌊0.99 · 20 001⌋, 36 000 + ⌊0.99 · 8 001⌋).
    expect(applies).toEqual([109_800, 109_800, 219_600, 219_600]);
    expect(drifts).toEqual([
      43_920, 43_920, 87_840, 87_840, 131_760, 131_760, 175_680, 175_680, 219_600, 219_600,
    ]);
  });
});

describe("scheduler: outcomes", () => {
  it.each([
    ["done, nothing to change", "apply", done(), "InSync", 0, null],
    [
      "done after applying changes",
      "apply",
      done({ changes: ["create", "update"], executed: true }),
      "InSync",
      0,
      null,
    ],
    [
      "apply leaves warn/observe drift",
      "apply",
      done({ drift: 2 }),
      "Drifted",
      2,
      "2 resource(s) differ from the source",
    ],
    [
      "drift check finds warn drift",
      "drift",
      done({ changes: ["noop"], drift: 1 }),
      "Drifted",
      1,
      "1 resource(s) differ from the source",
    ],
    ["drift check finds nothing", "drift", done({ changes: ["noop"] }), "InSync", 0, null],
  ] as const)("%s: %s", async (_name, mode, outcome, phase, drifted, reason) => {
    const h = make({ register: false });
    await started(h);
    h.queue.putSource({ id: "s", partner: "p1" });
    h.script.set("t1", [outcome]);
    await h.scheduler.trigger("s", "t1", "manual", mode);
    await h.clock.advance(0);
    expect(h.queue.status("s", "t1")).toMatchObject({
      phase,
      drifted,
      reason,
      attempts: 0,
      nextAttemptAt: null,
    });
    expect(h.queue.status("s", "t1")?.lastRunId).toBe("run-1");
  });

  it("a drift check that finds changes to make queues an apply", async () => {
    const h = make({ register: false });
    await started(h);
    h.queue.putSource({ id: "s", partner: "p1" });
    h.script.set("t1", [done({ changes: ["update", "create", "noop"] })]);
    await h.scheduler.trigger("s", "t1", "drift-interval", "drift");
    await h.clock.advance(0);
    expect(h.calls.map((c) => `${c.mode}:${c.reasons}`)).toEqual([
      "drift:drift-interval",
      "apply:drift-interval",
    ]);
    expect(h.queue.status("s", "t1")?.phase).toBe("InSync");
  });

  it("retry: Reconciling with nextAttemptAt, backed off with full jitter and at least the outcome's delay", async () => {
    const h = make({ register: false, random: () => 0.999999 });
    await started(h);
    h.queue.putSource({ id: "s", partner: "p1" });
    h.script.set("t1", [
      retry(errUnavailable, 1_000),
      retry(errUnavailable, 1_000),
      retry(errUnavailable, 30_000),
    ]);
    await h.scheduler.trigger("s", "t1", "manual");
    await h.clock.advance(0);
    const t0 = h.calls[0]?.at ?? 0;
    expect(h.queue.status("s", "t1")).toMatchObject({
      phase: "Reconciling",
      reason: errUnavailable,
      attempts: 1,
      nextAttemptAt: new Date(t0 + defaultBackoffBaseMs),
    });
    await h.clock.advance(defaultBackoffBaseMs - 1);
    expect(h.calls).toHaveLength(1);
    await h.clock.advance(1_001); // the idle poll notices it within 1 s
    expect(h.calls).toHaveLength(2);
    // Attempt 2: up to 2 × base; attempt 3: the outcome's 30 s exceeds 4 × base × 0.999999? no: 20 s < 30 s.
    await h.clock.advance(2 * defaultBackoffBaseMs + 1_000);
    expect(h.calls).toHaveLength(3);
    const third = h.calls[2]?.at ?? 0;
    expect(h.queue.status("s", "t1")?.nextAttemptAt).toEqual(new Date(third + 30_000));
    expect(h.queue.status("s", "t1")?.attempts).toBe(3);
    // Success resets the count.
    await h.clock.advance(31_000);
    expect(h.queue.status("s", "t1")).toMatchObject({
      phase: "InSync",
      attempts: 0,
      nextAttemptAt: null,
      reason: null,
    });
  });

  it("a drift check's retry leaves the phase as it was", async () => {
    const h = make({ register: false });
    await started(h);
    h.queue.putSource({ id: "s", partner: "p1" });
    h.script.set("t1", [done(), retry(errUnavailable, 0)]);
    await h.scheduler.trigger("s", "t1", "manual");
    await h.clock.advance(0);
    await h.scheduler.trigger("s", "t1", "drift-interval", "drift");
    await h.clock.advance(0);
    expect(h.queue.status("s", "t1")).toMatchObject({ phase: "InSync", reason: errUnavailable, attempts: 1 });
  });

  it("terminal: Failed with the first problem's place; timers do not wake it; a person or a new revision does", async () => {
    const h = make({ register: false });
    await started(h);
    h.queue.putSource({ id: "s", partner: "p1" }, { lastRevision: "r1" });
    const problem = {
      file: "tenants/acme.yaml",
      line: 3,
      col: 5,
      message: "bad license",
      code: "schema",
    } as never;
    h.script.set("t1", [
      terminal("the manifests have problems", [problem, problem]),
      done({ revision: "r2" }),
    ]);
    await h.scheduler.trigger("s", "t1", "webhook");
    await h.clock.advance(0);
    expect(h.queue.status("s", "t1")).toMatchObject({
      phase: "Failed",
      reason: "the manifests have problems: tenants/acme.yaml:3:5: bad license (and 1 more)",
      observedRevision: "r1",
      nextAttemptAt: null,
    });
    expect(await h.queue.listRequests(), "no retry is queued").toEqual([]);
    for (const reason of ["interval", "startup", "drift-interval"] as const) {
      await h.scheduler.trigger("s", "t1", reason, reason === "drift-interval" ? "drift" : "apply");
    }
    await h.clock.advance(0);
    expect(h.calls).toHaveLength(1);
    expect(await h.queue.listRequests()).toEqual([]);
    // A new revision recorded for the source: the next interval tick tries again.
    h.queue.putSource({ id: "s", partner: "p1" }, { lastRevision: "r2" });
    await h.scheduler.trigger("s", "t1", "interval");
    await h.clock.advance(0);
    expect(h.calls).toHaveLength(2);
    expect(h.queue.status("s", "t1")).toMatchObject({ phase: "InSync", observedRevision: "r2" });
  });

  it.each(["manual", "api", "webhook", "revision"] as const)(
    "terminal: a %s trigger runs a Failed tenant again",
    async (reason) => {
      const h = make({ register: false });
      await started(h);
      h.queue.putSource({ id: "s", partner: "p1" });
      h.script.set("t1", [terminal("the platform refused the account")]);
      await h.scheduler.trigger("s", "t1", "manual");
      await h.clock.advance(0);
      await h.scheduler.trigger("s", "t1", reason);
      await h.clock.advance(0);
      expect(h.calls).toHaveLength(2);
      expect(h.queue.status("s", "t1")?.phase).toBe("InSync");
    },
  );

  it("appends an event for each transition, by the scheduler, with the partner", async () => {
    const h = make({ register: false });
    await started(h);
    h.queue.putSource({ id: "s", partner: "p1" });
    h.script.set("t1", [retry(errUnavailable, 0)]);
    await h.scheduler.trigger("s", "t1", "manual");
    await h.clock.advance(defaultBackoffBaseMs + 1_000);
    const events = h.queue.events.map(
      (e) =>
        `${e.type}:${(e.data as { phase?: string }).phase ?? (e.data as { outcome?: string }).outcome ?? ""}`,
    );
    expect(events).toEqual([
      "tenant.status:Reconciling",
      "run.started:",
      "tenant.status:Reconciling", // the reason changed: the retry's
      "run.finished:retry",
      "run.started:",
      "tenant.status:InSync",
      "run.finished:done",
    ]);
    expect(
      h.queue.events.every((e) => e.partner === "p1" && e.actor === "scheduler" && e.tenant === "t1"),
    ).toBe(true);
  });

  it("a suspended source's tenants show Suspended and are not reconciled", async () => {
    const h = make({ register: false });
    await started(h);
    h.queue.putSource({ id: "s", partner: "p1", policies: { suspended: true } as never });
    await h.scheduler.trigger("s", "t1", "manual");
    await h.clock.advance(0);
    expect(h.calls).toEqual([]);
    expect(h.queue.status("s", "t1")?.phase).toBe("Suspended");
  });

  it("reports each run to the metrics observer", async () => {
    const seen: string[] = [];
    const h = make({
      register: false,
      metrics: {
        reconciled: (e) => seen.push(`${e.tenant}:${e.mode}:${e.result}`),
        queueDepth: (d) => seen.push(`depth:${d.apply}/${d.drift}`),
      },
      depthSampleMs: 0,
    });
    await started(h);
    h.queue.putSource({ id: "s", partner: "p1" });
    h.script.set("t1", [terminal("x")]);
    await h.scheduler.trigger("s", "t1", "manual");
    await h.clock.advance(0);
    expect(seen).toContain("t1:apply:terminal");
    expect(seen.filter((s) => s.startsWith("depth:")).length).toBeGreaterThan(0);
  });
});

describe("scheduler: circuit breaker per account", () => {
  const overloaded = () =>
    retry(
      `${errRateLimited}: 429`,
      0,
      new PlatformError({ status: 429, code: "rate_limited", message: "slow down" } as never),
    );

  it("opens on a burst of 429/5xx, says so in the status, probes after halfOpenAfter, and closes on success", async () => {
    const tenants = ["a", "b", "c", "d"];
    const h = make({
      register: false,
      tenants,
      concurrency: 1,
      breaker: { threshold: 3, halfOpenAfterMs: 5 },
    });
    await started(h);
    h.queue.putSource({ id: "s", partner: "p1" });
    for (const t of ["a", "b", "c"]) h.script.set(t, [overloaded()]);
    for (const t of tenants) await h.scheduler.trigger("s", t, "manual");
    await h.clock.advance(0);
    expect(h.calls.map((c) => c.tenant)).toEqual(["a", "b", "c"]);
    expect(h.scheduler.breakers.state("https://omnia.test|d|u")).toBe("open");
    expect(h.queue.status("s", "d")?.reason).toContain(errCircuitOpen);
    expect(
      h.queue.events.filter((e) => e.tenant === "d" && e.type === "run.started"),
      "an open circuit starts no run",
    ).toEqual([]);
    // cockatiel times the open period on real time: let 5 ms pass, then the fake clock.
    await new Promise((r) => setTimeout(r, 15));
    await h.clock.advance(defaultBackoffBaseMs * 2);
    expect(h.scheduler.breakers.state("https://omnia.test|d|u")).toBe("closed");
    expect(
      h.calls
        .slice(3)
        .map((c) => c.tenant)
        .sort(),
    ).toEqual(["a", "b", "c", "d"]);
    expect(h.queue.status("s", "d")).toMatchObject({ phase: "InSync", reason: null });
  });

  it("counts only overloads: terminal and other retries leave it closed, and other accounts go on", async () => {
    const h = make({
      register: false,
      tenants: ["a", "b", "c"],
      breaker: { threshold: 2, halfOpenAfterMs: 60_000 },
    });
    await started(h);
    h.queue.putSource({ id: "s", partner: "p1" });
    h.queue.putSource({
      id: "other",
      partner: "p1",
      account: { url: "https://other.test", domain: "d", username: "u", password: { fromEnv: "X" } },
    });
    h.script.set("a", [terminal("refused"), retry("the run was cancelled", 0), overloaded(), overloaded()]);
    for (let i = 0; i < 4; i++) {
      await h.scheduler.trigger("s", "a", "manual");
      await h.clock.advance(0);
    }
    expect(h.scheduler.breakers.state("https://omnia.test|d|u")).toBe("open");
    await h.scheduler.trigger("other", "b", "manual");
    await h.clock.advance(0);
    expect(h.calls.at(-1)?.tenant).toBe("b");
    expect(h.queue.status("other", "b")?.phase).toBe("InSync");
  });

  it("reports its state changes to the metrics observer", async () => {
    const states: string[] = [];
    const h = make({
      register: false,
      breaker: { threshold: 1, halfOpenAfterMs: 60_000 },
      metrics: { breakerState: (_a, s) => states.push(s) },
    });
    await started(h);
    h.queue.putSource({ id: "s", partner: "p1" });
    h.script.set("t1", [overloaded()]);
    await h.scheduler.trigger("s", "t1", "manual");
    await h.clock.advance(0);
    expect(states).toEqual(["open"]);
  });
});

describe("scheduler: graceful stop", () => {
  it("stops claiming, aborts runs after graceMs, and leaves their requests due now for another replica", async () => {
    const h = make({ register: false, tenants: ["slow", "quick"] });
    await started(h);
    h.queue.putSource({ id: "s", partner: "p1" });
    let aborted: unknown;
    let abortedAt = 0;
    h.script.set("slow", [
      (_r, signal) =>
        new Promise((resolve) =>
          signal.addEventListener("abort", () => {
            aborted = signal.reason;
            abortedAt = h.clock.now();
            resolve(retry("the run was cancelled", 0));
          }),
        ),
    ]);
    await h.scheduler.trigger("s", "slow", "manual");
    await h.clock.advance(0);
    const stopAt = h.clock.now();
    const stopping = h.scheduler.stop({ graceMs: 2_000 });
    await settle();
    await h.scheduler.trigger("s", "quick", "manual");
    await h.clock.advance(1_999);
    expect(aborted, "not before the grace period").toBeUndefined();
    await h.clock.advance(1);
    await stopping;
    expect(String(aborted)).toContain(errShutdown);
    expect(abortedAt).toBe(stopAt + 2_000);
    expect(
      h.calls.map((c) => c.tenant),
      "nothing claimed after stop",
    ).toEqual(["slow"]);
    const left = await h.queue.listRequests();
    expect(left.find((r) => r.tenant === "slow")).toMatchObject({
      claimedBy: null,
      attempts: 1,
      notBefore: new Date(stopAt + 2_000),
    });
    expect(left.find((r) => r.tenant === "quick")).toMatchObject({ claimedBy: null });
    expect(h.queue.replicas.has("w1"), "the replica is removed").toBe(false);
  });

  it("a run that ends within the grace period is recorded as usual", async () => {
    const h = make({ register: false });
    await started(h);
    h.queue.putSource({ id: "s", partner: "p1" });
    h.script.set("t1", [
      async (_r, signal) => {
        await h.clock.sleep(500);
        return signal.aborted ? retry("cancelled", 0) : done();
      },
    ]);
    await h.scheduler.trigger("s", "t1", "manual");
    await h.clock.advance(0);
    const stopping = h.scheduler.stop({ graceMs: 2_000 });
    await h.clock.advance(500);
    await stopping;
    expect(h.queue.status("s", "t1")?.phase).toBe("InSync");
    expect(await h.queue.listRequests()).toEqual([]);
  });
});
