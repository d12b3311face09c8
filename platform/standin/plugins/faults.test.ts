import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signedFetch, startTestStandin, type TestStandin } from "../testing.js";

let standin: TestStandin;
beforeAll(async () => {
  standin = await startTestStandin();
});
afterEach(() => {
  Object.assign(standin.knobs, { failNext: [], errorRates: {}, resetNext: 0, rateLimit: null, latencyMs: 0 });
});
afterAll(async () => {
  await standin.close();
  expect(standin.violations).toEqual([]);
});

const company = () => signedFetch(standin, "GET", "/rest/company");

describe("fault injection", () => {
  it("fails the next matching requests with the burst's status and Retry-After", async () => {
    standin.knobs.failNext.push({ status: 503, count: 2, retryAfterSec: 7, urlContains: "/company" });
    const answers = [await company(), await company(), await company()];
    expect(answers.map((a) => a.status)).toEqual([503, 503, 200]);
    expect(answers[0]?.headers.get("retry-after")).toBe("7");
    expect(JSON.parse(answers[0]?.text ?? "{}").code).toBe("unavailable");
  });

  it("fails by rate with an injectable random source", async () => {
    standin.knobs.errorRates = { "500": 1 };
    expect((await company()).status).toBe(500);
    standin.knobs.errorRates = { "500": 0 };
    expect((await company()).status).toBe(200);
  });

  it("rate-limits a partner with 429 and Retry-After", async () => {
    // One token per 5 s: the test stays far from a refill even on a slow machine.
    standin.knobs.rateLimit = { requestsPerSecond: 0.2, burst: 1 };
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 3; i++) {
      const res = await company();
      statuses.push(res.status);
      retryAfter ??= res.headers.get("retry-after");
    }
    expect(statuses).toEqual([200, 429, 429]);
    expect(retryAfter).toBe("5");
  });

  it("cuts a response mid-body after the write happened", async () => {
    standin.knobs.resetNext = 1;
    const res = signedFetch(standin, "POST", "/rest/customers", {
      body: {
        businessName: "Cut",
        customerCode: "CUT1",
        vatNumber: "01234567897",
        fiscalCode: "01234567897",
      },
    });
    await expect(res).rejects.toThrow();
    expect([...standin.state.customers.values()].some((c) => c.customerCode === "CUT1")).toBe(true);
    expect(standin.stats.resets).toBe(1);
  });

  it("counts calls per route and status", async () => {
    await company();
    expect(standin.stats.byRoute["GET /rest/company"]).toBeGreaterThan(0);
    expect(standin.stats.byStatus["200"]).toBeGreaterThan(0);
  });
});
