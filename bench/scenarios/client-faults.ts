/**
 * Writes through a faulty platform: 2,000 extension creates at concurrency 8 while the
 * stand-in fails 5% of requests with 503 and cuts 2% of responses mid-body. Figures:
 * how many calls succeeded, how many extensions exist (duplicates must be 0), retries,
 * and the throughput that remains.
 */
import { OmniaClient } from "../../platform/client/index.js";
import { startStandinProcess } from "../../platform/standin/process.js";
import type { Scenario } from "../scenario.js";

const total = 2000;
const parallel = 8;

const scenario: Scenario = {
  name: "client-faults",
  description: `${total} extension creates at concurrency ${parallel} with 5% 503s and 2% responses cut mid-body`,
  async run() {
    const standin = await startStandinProcess({ pendingDelayMs: 0 });
    try {
      const client = new OmniaClient(
        { baseUrl: standin.url, domain: "demo", username: "admin", password: "admin" },
        {
          requestsPerSecond: 1_000_000,
          burst: 1_000_000,
          concurrency: parallel,
          maxRetries: 6,
          minBackoffMs: 5,
          maxBackoffMs: 200,
        },
      );
      const customer = await client.customers.create({
        businessName: "Bench",
        customerCode: "BENCH1",
        vatNumber: "01234560017",
        fiscalCode: "01234560017",
      });
      const pbx = await client.pbxs(customer.id).create({ name: "bench", kind: "single" });
      await standin.setKnobs({ errorRates: { "503": 0.05 }, resetRate: 0.02 });
      let next = 0;
      let ok = 0;
      let failed = 0;
      const latencies: number[] = [];
      const started = performance.now();
      await Promise.all(
        Array.from({ length: parallel }, async () => {
          while (next < total) {
            const n = next++;
            const t = performance.now();
            try {
              await client.extensions(customer.id).create(pbx.id, {
                number: String(100000 + n),
                pin: "1234",
                license: n % 3 ? "start" : "plus",
              });
              ok++;
            } catch {
              failed++;
            }
            latencies.push(performance.now() - t);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      await standin.setKnobs({ errorRates: {}, resetRate: 0 });
      const exist = (await client.extensions(customer.id).listAll()).length;
      const server = (await standin.stats()) as {
        injectedFailures: number;
        resets: number;
        idempotentReplays: number;
      };
      const stats = client.stats();
      latencies.sort((a, b) => a - b);
      await client.close();
      return {
        calls_ok: ok,
        calls_failed: failed,
        extensions_on_platform: exist,
        duplicate_writes: exist - ok,
        injected_503s: server.injectedFailures,
        responses_cut_mid_body: server.resets,
        idempotent_replays: server.idempotentReplays,
        client_retries: stats.retries,
        creates_per_s: Math.round(total / seconds),
        p50_ms: Math.round((latencies[Math.floor(total / 2)] ?? 0) * 10) / 10,
        p99_ms: Math.round((latencies[Math.floor(total * 0.99)] ?? 0) * 10) / 10,
      };
    } finally {
      await standin.stop();
    }
  },
};

export default scenario;
