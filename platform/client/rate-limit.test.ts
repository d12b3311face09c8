import { describe, expect, it } from "vitest";
import { TokenBucket } from "./rate-limit.js";

describe("TokenBucket", () => {
  it("lets a burst through, then spaces requests at the rate", async () => {
    const now = 1_000;
    const waits: number[] = [];
    const bucket = new TokenBucket({
      requestsPerSecond: 10,
      burst: 2,
      now: () => now,
      sleep: async (ms) => void waits.push(ms),
    });
    for (let i = 0; i < 5; i++) await bucket.take();
    expect(waits).toEqual([100, 200, 300]);
    expect(bucket.waitedMs).toBe(600);
  });

  it("refills while idle", async () => {
    let now = 0;
    const waits: number[] = [];
    const bucket = new TokenBucket({
      requestsPerSecond: 10,
      burst: 1,
      now: () => now,
      sleep: async (ms) => void waits.push(ms),
    });
    await bucket.take();
    now += 100;
    await bucket.take();
    expect(waits).toEqual([]);
  });

  it.each([
    [0, 1],
    [10, 0],
  ])("refuses rate %d and burst %d", (requestsPerSecond, burst) => {
    expect(() => new TokenBucket({ requestsPerSecond, burst })).toThrow(RangeError);
  });
});
