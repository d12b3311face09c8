import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { errRateLimitOptions, TokenBucket, windowMs } from "./rate-limit.js";

/**
 * Simulated time: `sleep` registers a timer that `run` fires when the clock reaches it,
 * `early()` ms early (< 1; Node's timers may, as they start on the loop's cached time;
 * like Node, a sleep below 1 ms lasts 1 ms), so the bucket must re-check; or late, when
 * negative (a busy event loop).
 */
class FakeTime {
  now = 0;
  private timers: { at: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  constructor(private readonly early: () => number = () => 0) {}

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = { at: this.now + Math.max(1, ms) - this.early(), resolve, reject };
      this.timers.push(timer);
      signal?.addEventListener("abort", () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal.reason);
      });
    });

  /** Runs arrivals (at their times) and timers until nothing is left. */
  async run(arrivals: { at: number; arrive: () => void }[]): Promise<void> {
    const pending = [...arrivals].sort((a, b) => a.at - b.at);
    for (;;) {
      await new Promise((r) => setImmediate(r));
      const nextTimer = Math.min(...this.timers.map((t) => t.at));
      const nextArrival = pending[0]?.at ?? Number.POSITIVE_INFINITY;
      const at = Math.min(nextTimer, nextArrival);
      if (at === Number.POSITIVE_INFINITY) return;
      this.now = Math.max(this.now, at);
      if (nextArrival <= nextTimer) {
        pending.shift()?.arrive();
      } else {
        const due = this.timers.filter((t) => t.at <= this.now);
        this.timers = this.timers.filter((t) => t.at > this.now);
        for (const t of due) t.resolve();
      }
    }
  }
}

/** Largest count of sends in any half-open window `[t, t + windowMs)`. */
function busiestWindow(sends: number[]): number {
  const s = [...sends].sort((a, b) => a - b);
  let most = 0;
  let j = 0;
  for (let i = 0; i < s.length; i++) {
    while ((s[i] as number) - (s[j] as number) >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Sends (release times) of a bucket fed `arrivals` (ms) in simulated time. */
async function simulate(
  options: { requestsPerSecond: number; burst: number },
  arrivals: number[],
  early: () => number = () => 0,
): Promise<number[]> {
  const time = new FakeTime(early);
  const bucket = new TokenBucket({ ...options, now: () => time.now, sleep: time.sleep });
  const sends: number[] = [];
  await time.run(
    arrivals.map((at) => ({ at, arrive: () => void bucket.take().then(() => sends.push(time.now)) })),
  );
  return sends;
}

describe("TokenBucket", () => {
  it("never releases more than N in any window of 1 s, bursts and retries included", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 80 }),
        // Arrivals: clumps (a retry storm, a parallel apply) and spread-out calls.
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5_000 })), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        async (rate, burst, arrivals, earlyMs) => {
          const sends = await simulate({ requestsPerSecond: rate, burst }, arrivals, () => earlyMs);
          expect(sends, "every caller is served").toHaveLength(arrivals.length);
          expect(busiestWindow(sends), `busiest 1 s window at ${rate}/s, burst ${burst}`).toBeLessThanOrEqual(
            rate,
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it("holds a fractional rate to ceil(N) per second and 1 per 1/N s below 1/s", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0.1, max: 20, noNaN: true }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 60 }),
        async (rate, burst, arrivals) => {
          const sends = (await simulate({ requestsPerSecond: rate, burst }, arrivals)).sort((a, b) => a - b);
          expect(busiestWindow(sends)).toBeLessThanOrEqual(Math.ceil(rate));
          if (rate < 1) {
            for (let i = 1; i < sends.length; i++) {
              expect((sends[i] as number) - (sends[i - 1] as number)).toBeGreaterThanOrEqual(1000 / rate - 1);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it.each([
    // [rate, burst, backlog at t=0, want the last release at (ms)]
    [50, 1, 100, 1980],
    [10, 1, 5, 400],
    [50, 50, 100, 1000],
    [10, 3, 12, 1000],
    [3, 1, 4, 1000],
  ])("keeps the full rate: %d/s burst %d, %d queued, last at %d ms", async (rate, burst, count, want) => {
    const sends = await simulate({ requestsPerSecond: rate, burst }, Array(count).fill(0));
    expect(Math.max(...sends)).toBe(want);
  });

  it.each([
    [1, false],
    [2, true],
  ])(
    "with every timer 5 ms late, burst %d keeps the full rate: %s (why the default is 2)",
    async (burst, keeps) => {
      const sends = await simulate({ requestsPerSecond: 50, burst }, Array(100).fill(0), () => -5);
      const rate = (99 * 1000) / (Math.max(...sends) - Math.min(...sends));
      expect(rate >= 49, `${rate.toFixed(1)}/s`).toBe(keeps);
    },
  );

  it("lets a burst through at once after a quiet period, then paces", async () => {
    const sends = await simulate({ requestsPerSecond: 10, burst: 3 }, [0, 0, 0, 0, 0]);
    expect(sends).toEqual([0, 0, 0, 100, 200]);
  });

  it("refills while idle", async () => {
    const sends = await simulate({ requestsPerSecond: 10, burst: 1 }, [0, 100, 250]);
    expect(sends).toEqual([0, 100, 250]);
  });

  it("re-reads the clock when a timer wakes early", async () => {
    const sends = await simulate({ requestsPerSecond: 10, burst: 1 }, [0, 0, 0], () => 0.7);
    expect(sends[1]).toBeGreaterThanOrEqual(100);
    expect(sends[2]).toBeGreaterThanOrEqual(200);
  });

  it("stops waiting when the signal fires, leaves the queue, and never releases", async () => {
    const time = new FakeTime();
    const bucket = new TokenBucket({
      requestsPerSecond: 10,
      burst: 1,
      now: () => time.now,
      sleep: time.sleep,
    });
    const ac = new AbortController();
    const outcomes: string[] = [];
    await time.run([
      { at: 0, arrive: () => void bucket.take().then(() => outcomes.push(`first ${time.now}`)) },
      {
        at: 0,
        arrive: () =>
          void bucket.take(ac.signal).then(
            () => outcomes.push("aborted caller released"),
            (e: unknown) => outcomes.push(`aborted at ${time.now}: ${String(e)}`),
          ),
      },
      { at: 50, arrive: () => ac.abort("stop") },
      { at: 60, arrive: () => void bucket.take().then(() => outcomes.push(`third ${time.now}`)) },
    ]);
    expect(outcomes).toEqual(["first 0", "aborted at 50: stop", "third 100"]);
  });

  it("refuses a signal that has already fired", async () => {
    const bucket = new TokenBucket({ requestsPerSecond: 10 });
    await expect(bucket.take(AbortSignal.abort("gone"))).rejects.toBe("gone");
  });

  it.each([
    [0, 1],
    [10, 0],
    [Number.POSITIVE_INFINITY, 1],
    [Number.NaN, 1],
  ])("refuses rate %d and burst %d", (requestsPerSecond, burst) => {
    expect(() => new TokenBucket({ requestsPerSecond, burst })).toThrow(RangeError);
  });

  it("serves normal callers before background ones and holds N per second over both", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 3_000 }), background: fc.boolean() }), {
          minLength: 1,
          maxLength: 120,
        }),
        async (rate, burst, arrivals) => {
          const time = new FakeTime();
          const bucket = new TokenBucket({
            requestsPerSecond: rate,
            burst,
            now: () => time.now,
            sleep: time.sleep,
          });
          const sends: { at: number; arrived: number; background: boolean }[] = [];
          const waitingNormal: number[] = [];
          await time.run(
            arrivals.map((a) => ({
              at: a.at,
              arrive: () => {
                if (!a.background) waitingNormal.push(a.at);
                void bucket.take(undefined, a.background ? "background" : "normal").then(() => {
                  if (!a.background) waitingNormal.splice(waitingNormal.indexOf(a.at), 1);
                  // A background release while a normal caller already waited is a priority inversion.
                  else
                    expect(waitingNormal, `background released at ${time.now} before normal callers`).toEqual(
                      [],
                    );
                  sends.push({ at: time.now, arrived: a.at, background: a.background });
                });
              },
            })),
          );
          expect(sends).toHaveLength(arrivals.length);
          expect(busiestWindow(sends.map((s) => s.at))).toBeLessThanOrEqual(rate);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("lane() takes with its priority", async () => {
    const time = new FakeTime();
    const bucket = new TokenBucket({
      requestsPerSecond: 10,
      burst: 1,
      now: () => time.now,
      sleep: time.sleep,
    });
    const order: string[] = [];
    await time.run([
      { at: 0, arrive: () => void bucket.take().then(() => order.push("first")) },
      {
        at: 0,
        arrive: () =>
          void bucket
            .lane("background")
            .take()
            .then(() => order.push("drift")),
      },
      {
        at: 0,
        arrive: () =>
          void bucket
            .lane("normal")
            .take()
            .then(() => order.push("write")),
      },
    ]);
    expect(order).toEqual(["first", "write", "drift"]);
  });

  it("setRate lowers the rate at once, the releases already made counting in the window", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 1_500 }),
        async (from, to, changeAt) => {
          const time = new FakeTime();
          const bucket = new TokenBucket({
            requestsPerSecond: from,
            burst: from,
            now: () => time.now,
            sleep: time.sleep,
          });
          const sends: number[] = [];
          await time.run([
            ...Array.from({ length: 80 }, () => ({
              at: 0,
              arrive: () => void bucket.take().then(() => sends.push(time.now)),
            })),
            { at: changeAt, arrive: () => bucket.setRate(to) },
          ]);
          expect(sends).toHaveLength(80);
          expect(bucket.requestsPerSecond).toBe(to);
          // After the change, no window that starts at or after it holds more than `to`.
          const after = sends.filter((t) => t >= changeAt + windowMs);
          expect(busiestWindow(after)).toBeLessThanOrEqual(to);
          expect(busiestWindow(sends)).toBeLessThanOrEqual(Math.max(from, to));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("refuses setRate(0)", () => {
    expect(() => new TokenBucket({ requestsPerSecond: 10 }).setRate(0)).toThrow(errRateLimitOptions);
  });
});
