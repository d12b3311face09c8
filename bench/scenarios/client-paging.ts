/**
 * Observing a large customer: the client iterates 5,000 extensions (10 pages of 500)
 * from the stand-in in a child process, with 0 ms and 20 ms of injected latency.
 */
import { OmniaClient } from "../../platform/client/index.js";
import { startStandinProcess } from "../../platform/standin/process.js";
import type { Scenario } from "../scenario.js";

const extensions = 5000;

const scenario: Scenario = {
  name: "client-paging",
  description: `list ${extensions} extensions through the client's async iterator (pages of 500)`,
  async run() {
    const standin = await startStandinProcess({ pendingDelayMs: 0 });
    try {
      const client = new OmniaClient(
        { baseUrl: standin.url, domain: "demo", username: "admin", password: "admin" },
        { requestsPerSecond: 1_000_000, burst: 1_000_000, concurrency: 16 },
      );
      const customer = await client.customers.create({
        businessName: "Paging",
        customerCode: "PAGING1",
        vatNumber: "01234560017",
        fiscalCode: "01234560017",
      });
      const pbx = await client.pbxs(customer.id).create({ name: "big", kind: "single" });
      const createStart = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < extensions) {
            const n = next++;
            await client.extensions(customer.id).create(pbx.id, {
              number: String(100000 + n),
              pin: "1234",
              license: n % 4 ? "start" : "plus",
            });
          }
        }),
      );
      const createSeconds = (performance.now() - createStart) / 1000;
      const figures: Record<string, number> = { creates_per_s_c16: Math.round(extensions / createSeconds) };
      for (const latencyMs of [0, 20]) {
        await standin.setKnobs({ latencyMs });
        const before = client.stats().requests;
        const t = performance.now();
        let seen = 0;
        for await (const _ of client.extensions(customer.id).list()) seen++;
        const ms = performance.now() - t;
        if (seen !== extensions) throw new Error(`listed ${seen} extensions, want ${extensions}`);
        figures[`list_all_ms_${latencyMs}ms`] = Math.round(ms);
        figures[`pages_${latencyMs}ms`] = client.stats().requests - before;
        figures[`extensions_per_s_${latencyMs}ms`] = Math.round(extensions / (ms / 1000));
      }
      await client.close();
      return figures;
    } finally {
      await standin.stop();
    }
  },
};

export default scenario;
