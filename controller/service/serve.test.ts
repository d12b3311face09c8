/**
 * The composition root's handling of the config file: the scheduler tuning and account
 * rate reach the replica (the fields that make a dead replica's work move to the others,
 * claim and lease times, and the budget the replicas share are the operator's to set;
 * out-of-range values are refused at their place), and a bootstrap token the API would
 * never accept is refused at start instead of being stored.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { ConfigError, parseControllerConfig } from "../runtime/controller-config.js";
import { errBootstrapTokenMalformed, schedulerTuning, startControllerService } from "./serve.js";
import { newToken } from "./tokens.js";

const account = `{url: "http://127.0.0.1:1", domain: d, username: u, password: {fromEnv: P}, requestsPerSecond: 50}`;
const source = `sources:\n  - {id: s1, partner: p, location: {type: api}, account: ${account}}\n`;

describe("scheduler tuning from the config file", () => {
  it("passes claim, poll, concurrency and heartbeat times to the scheduler and keeps the account's rate", () => {
    const config = parseControllerConfig(
      "/etc/omnia/controller.yaml",
      `scheduler: {concurrency: 8, pollMs: 50, claimMs: 2000, leaseTtlMs: 3000, heartbeatMs: 500}\n${source}`,
    );
    expect(config.scheduler).toEqual({
      concurrency: 8,
      pollMs: 50,
      claimMs: 2000,
      leaseTtlMs: 3000,
      heartbeatMs: 500,
    });
    expect(schedulerTuning(config)).toEqual({
      concurrency: 8,
      pollMs: 50,
      claimMs: 2000,
      heartbeatMs: 500,
      replicaTtlMs: 1500,
    });
    expect(config.sources[0]?.account.requestsPerSecond).toBe(50);
  });

  it("leaves every default in place when the section is absent", () => {
    const config = parseControllerConfig("/etc/omnia/controller.yaml", source);
    expect(config.scheduler).toBeUndefined();
    expect(schedulerTuning(config)).toEqual({});
  });

  it.each([
    ["a claim time under 500 ms", "scheduler: {claimMs: 10}\n", /^1:\d+ scheduler\.claimMs: must be >= 500/],
    ["an unknown tuning field", "scheduler: {leaseMs: 1000}\n", /^1:13 unknown field "leaseMs"/],
    [
      "an account rate of zero",
      source.replace("requestsPerSecond: 50", "requestsPerSecond: 0"),
      /^2:\d+ sources\[0\]\.account\.requestsPerSecond: must be > 0/,
    ],
  ])("refuses %s at its place", (_case, text, want) => {
    let err: unknown;
    try {
      parseControllerConfig("/etc/omnia/controller.yaml", text);
    } catch (e) {
      err = e;
    }
    expect(err, "refused").toBeInstanceOf(ConfigError);
    const got = (err as ConfigError).problems.map((p) => `${p.line}:${p.col} ${p.message}`);
    expect(got).toEqual([expect.stringMatching(want)]);
  });
});

describe("bootstrap tokens", () => {
  it.each([
    ["hex instead of base64url", "a".repeat(64)],
    ["too short", "omn_abc"],
    ["no prefix", newToken().slice(4)],
  ])(
    "refuses at start a token the API would never accept (%s), naming it but not its value",
    async (_case, value) => {
      const dir = await mkdtemp(join(tmpdir(), "omnia-serve-token-"));
      try {
        const config = parseControllerConfig(
          join(dir, "controller.yaml"),
          "listen: {port: 0}\ntokens:\n  - {name: ci, partner: acme, scopes: [read], secret: {fromEnv: OMNIA_SECRET_CI}}\n",
        );
        const env = { OMNIA_SECRET_CI: value, OMNIA_SECRET_KEY: "k".repeat(64) };
        const err = await startControllerService({ config, env, logger: pino({ level: "silent" }) }).catch(
          (e: unknown) => e as Error,
        );
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toBe(
          `${errBootstrapTokenMalformed}: token "ci" of partner "acme" (env OMNIA_SECRET_CI)`,
        );
        expect((err as Error).message).not.toContain(value);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
