import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OmniaClient } from "../../../platform/client/index.js";
import { CliError } from "../errors.js";
import { type PlatformFlags, runPlatform, standinOptionsFromFlags } from "./platform.js";

const base: PlatformFlags = { port: "8090", seed: "empty" };

describe("omnia platform flags", () => {
  it("turns flags into stand-in options", () => {
    const options = standinOptionsFromFlags({
      ...base,
      seed: "demo",
      latency: "20",
      errorRate: ["503=0.1", "500=0.05"],
      resetRate: "0.01",
      rateLimit: "50",
      pendingDelay: "0",
      state: "s.json",
      examples: "my-repo",
    });
    expect(options).toMatchObject({
      port: 8090,
      seed: "demo",
      stateFile: "s.json",
      examplesDir: "my-repo",
      pendingDelayMs: 0,
      knobs: {
        latencyMs: 20,
        errorRates: { "503": 0.1, "500": 0.05 },
        resetRate: 0.01,
        rateLimit: { requestsPerSecond: 50, burst: 50 },
      },
    });
  });

  it.each([
    [{ port: "99999" }, '--port: want an integer from 0 to 65535, got "99999"'],
    [{ seed: "prod" }, '--seed: want one of empty, demo, got "prod"'],
    [{ latency: "-1" }, '--latency: want an integer from 0 to 60000, got "-1"'],
    [{ errorRate: ["503"] }, '--error-rate: want STATUS=PROBABILITY (e.g. 503=0.05), got "503"'],
    [{ resetRate: "2" }, '--reset-rate: want a probability from 0 to 1, got "2"'],
  ])("rejects %j as a usage error naming the flag", (flags, message) => {
    const run = () => standinOptionsFromFlags({ ...base, ...flags });
    expect(run).toThrow(CliError);
    expect(run).toThrow(message);
  });
});

describe("omnia platform", () => {
  it("serves the demo seed with the printed credentials and saves the state on stop", async () => {
    const dir = await mkdtemp(join(tmpdir(), "omnia-platform-"));
    const stateFile = join(dir, "state.json");
    const stop = new AbortController();
    let printed = "";
    const running = runPlatform(
      { port: "0", seed: "demo", state: stateFile, pendingDelay: "0" },
      stop.signal,
      (s) => {
        printed += s;
      },
    );
    await expect.poll(() => printed, { timeout: 30_000 }).toContain("OMNIA_URL=");
    const url = /OMNIA_URL=(\S+)/.exec(printed)?.[1] ?? "";
    expect(printed).toContain("partner domain: demo   API user: admin   password: admin");
    const client = new OmniaClient({ baseUrl: url, domain: "demo", username: "admin", password: "admin" });
    const codes = (await client.customers.listAll()).map((c) => c.customerCode).sort();
    expect(codes).toEqual(["BRAMBILLA01", "HLM-STRESA"]);
    await client.close();
    stop.abort();
    await running;
    const saved = JSON.parse(await readFile(stateFile, "utf8")) as { customers: unknown[] };
    expect(saved.customers).toHaveLength(2);
    expect(printed).toContain(`state saved to ${stateFile}`);
    await rm(dir, { recursive: true });
  });
});
