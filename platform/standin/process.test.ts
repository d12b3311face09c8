import { describe, expect, it } from "vitest";
import { OmniaClient } from "../client/index.js";
import { startStandinProcess } from "./process.js";
import { testClientOptions } from "./testing.js";

describe("startStandinProcess", () => {
  it("serves the stand-in from a child process, takes knobs and reports counters", async () => {
    const standin = await startStandinProcess({ seed: "demo", pendingDelayMs: 0 });
    try {
      const client = new OmniaClient(
        { baseUrl: standin.url, domain: "demo", username: "admin", password: "admin" },
        { ...testClientOptions, maxRetries: 0 },
      );
      expect((await client.customers.listAll()).length).toBe(2);
      await standin.setKnobs({ failNext: [{ status: 503, count: 1 }] });
      await expect(client.company.get()).rejects.toMatchObject({ status: 503 });
      const stats = (await standin.stats()) as { injectedFailures: number; byRoute: Record<string, number> };
      expect(stats.injectedFailures).toBe(1);
      expect(stats.byRoute["GET /rest/customers"]).toBe(1);
      await client.close();
    } finally {
      await standin.stop();
    }
    expect(standin.child.exitCode).toBe(0);
  });

  it("refuses a bad knob with the server's message", async () => {
    const standin = await startStandinProcess();
    try {
      await expect(standin.setKnobs({ latencyMs: -1 })).rejects.toThrow(/HTTP 400/);
    } finally {
      await standin.stop();
    }
  });
});
