import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStandin, type TestStandin } from "../testing.js";

let standin: TestStandin;
beforeAll(async () => {
  standin = await startTestStandin();
});
afterAll(() => standin.close());

const patchKnobs = (body: unknown) =>
  fetch(`${standin.url}/_standin/knobs`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("/_standin", () => {
  it("sets knobs and shows them", async () => {
    const res = await patchKnobs({
      latencyMs: 5,
      failNext: [{ status: 500, count: 1 }],
      pendingDelayMs: 1234,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      latencyMs: 5,
      failNext: [{ status: 500, count: 1 }],
      pendingDelayMs: 1234,
    });
    expect(standin.pendingDelay.ms).toBe(1234);
    const shown = (await (await fetch(`${standin.url}/_standin/knobs`)).json()) as { latencyMs: number };
    expect(shown.latencyMs).toBe(5);
  });

  it.each([
    ["a negative latency", { latencyMs: -5 }],
    ["a rate above 1", { errorRates: { "503": 2 } }],
    ["an unknown knob", { colour: "red" }],
  ])("rejects %s with 400", async (_name, body) => {
    expect((await patchKnobs(body)).status).toBe(400);
  });

  it("shows and resets the counters", async () => {
    await fetch(`${standin.url}/rest/salt/demo`);
    const stats = (await (await fetch(`${standin.url}/_standin/stats`)).json()) as { requests: number };
    expect(stats.requests).toBeGreaterThan(0);
    const reset = (await (await fetch(`${standin.url}/_standin/stats/reset`, { method: "POST" })).json()) as {
      requests: number;
    };
    expect(reset.requests).toBe(0);
  });
});
