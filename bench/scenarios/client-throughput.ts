/**
 * Client overhead per call and throughput against the stand-in with 0 ms and 20 ms of
 * injected latency. The stand-in runs in a child process, so this process's CPU time is
 * the client's alone. Local rate limit lifted (the default 20 req/s would be the figure).
 */
import { Agent, request } from "undici";
import { digestPassword, signRequest } from "../../platform/client/auth.js";
import { OmniaClient } from "../../platform/client/index.js";
import { startStandinProcess } from "../../platform/standin/process.js";
import type { Scenario } from "../scenario.js";

const login = { domain: "demo", username: "admin", password: "admin" };

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

async function timeSequential(n: number, call: () => Promise<unknown>) {
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    lat.push(performance.now() - t);
  }
  lat.sort((a, b) => a - b);
  return {
    meanMs: lat.reduce((a, b) => a + b, 0) / n,
    p50: percentile(lat, 0.5),
    p99: percentile(lat, 0.99),
  };
}

async function throughput(total: number, parallel: number, call: () => Promise<unknown>) {
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next++ < total) await call();
    }),
  );
  return total / ((performance.now() - t) / 1000);
}

const scenario: Scenario = {
  name: "client-throughput",
  description: "OmniaClient per-call overhead vs raw undici, and calls/s at 0 ms and 20 ms stand-in latency",
  async run() {
    const standin = await startStandinProcess({ seed: "demo", pendingDelayMs: 0 });
    const { url } = standin;
    const setLatency = (latencyMs: number) => standin.setKnobs({ latencyMs });
    try {
      const options = { requestsPerSecond: 1_000_000, burst: 1_000_000, concurrency: 8 };
      const client = new OmniaClient({ baseUrl: url, ...login }, options);
      const [customer] = await client.customers.listAll();
      const cid = customer?.id ?? "";
      // Baseline: the same request with undici and a signed header, no client machinery.
      const agent = new Agent({ keepAliveTimeout: 30_000 });
      const salt = ((await (await fetch(`${url}/rest/salt/demo`)).json()) as { salt: string }).salt;
      const pd = digestPassword(login.password, salt);
      const rawGet = async () => {
        const res = await request(`${url}/rest/company`, {
          dispatcher: agent,
          headers: {
            accept: "application/json",
            "x-authenticate": signRequest(login.username, login.domain, pd, new Date()),
          },
        });
        return res.body.json();
      };
      const clientGet = () => client.company.get();
      await timeSequential(300, rawGet);
      await timeSequential(300, clientGet);
      // Interleaved rounds, so that drift (JIT, a busy machine) hits both sides alike.
      const rawRounds: number[] = [];
      const clientRounds: number[] = [];
      let rawCpu = 0;
      let clientCpu = 0;
      for (let round = 0; round < 10; round++) {
        let c0 = process.cpuUsage();
        rawRounds.push((await timeSequential(200, rawGet)).meanMs);
        let c = process.cpuUsage(c0);
        rawCpu += c.user + c.system;
        c0 = process.cpuUsage();
        clientRounds.push((await timeSequential(200, clientGet)).meanMs);
        c = process.cpuUsage(c0);
        clientCpu += c.user + c.system;
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
      const raw = { meanMs: median(rawRounds) };
      const viaClient = { ...(await timeSequential(2000, clientGet)), meanMs: median(clientRounds) };
      const listExt = () => client.extensions(cid).listAll();
      const figures: Record<string, number | string> = {
        raw_undici_mean_ms: round(raw.meanMs, 3),
        client_mean_ms: round(viaClient.meanMs, 3),
        client_p50_ms: round(viaClient.p50, 3),
        client_p99_ms: round(viaClient.p99, 3),
        client_overhead_us_per_call: round((viaClient.meanMs - raw.meanMs) * 1000, 0),
        raw_undici_cpu_us_per_call: round(rawCpu / 2000, 0),
        client_cpu_us_per_call: round(clientCpu / 2000, 0),
        calls_per_s_0ms_c1: round(1000 / viaClient.meanMs, 0),
        calls_per_s_0ms_c8: round(await throughput(4000, 8, clientGet), 0),
        list_extensions_per_s_0ms_c8: round(await throughput(400, 8, listExt), 0),
      };
      await setLatency(20);
      figures.calls_per_s_20ms_c1 = round(await throughput(100, 1, clientGet), 0);
      figures.calls_per_s_20ms_c8 = round(await throughput(800, 8, clientGet), 0);
      const wide = new OmniaClient({ baseUrl: url, ...login }, { ...options, concurrency: 32 });
      figures.calls_per_s_20ms_c32 = round(await throughput(3200, 32, () => wide.company.get()), 0);
      const stats = client.stats();
      figures.client_retries = stats.retries;
      figures.client_failures = stats.failures;
      await Promise.all([client.close(), wide.close(), agent.close()]);
      return figures;
    } finally {
      await standin.stop();
    }
  },
};

export default scenario;
