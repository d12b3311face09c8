/**
 * The config file's scheduler tuning and account rate reach the replica: the fields that
 * make a dead replica's work move to the others (claim and lease times) and the account
 * budget the replicas share are settable by the operator, and out-of-range values are
 * refused at their place.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, parseControllerConfig } from "../runtime/controller-config.js";
import { schedulerTuning } from "./serve.js";

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
