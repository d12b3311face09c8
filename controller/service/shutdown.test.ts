/**
 * Issue 9, stopping a replica (SIGTERM in `omnia serve` calls `close`): the reconcile in
 * flight finishes the step it is in, starts no new platform write, and is recorded
 * `interrupted`, well before the grace period ends. A fresh user saw new writes start 4
 * and 7 s after SIGTERM and the run recorded `ok`: the runs only stopped after the grace.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStandin, type TestStandin } from "../../platform/standin/testing.js";
import type { ControllerConfig } from "../runtime/controller-config.js";
import { defaultPolicies } from "./routes/sources.js";
import { type RunningController, startControllerService } from "./serve.js";

const tenant = "STOP001";
const extensions = 12;
const latencyMs = 400;

let standin: TestStandin;
let controller: RunningController | undefined;
let dir: string;

beforeAll(async () => {
  standin = await startTestStandin();
  dir = await mkdtemp(join(tmpdir(), "omnia-shutdown-"));
  const docs = [
    `apiVersion: omnia.kalliope.io/v1
kind: Tenant
metadata: {name: stop}
spec: {businessName: Stop S.r.l., customerCode: ${tenant}, vatNumber: "08712340150", fiscalCode: "08712340150"}
---
apiVersion: omnia.kalliope.io/v1
kind: Pbx
metadata: {name: hq, tenant: ${tenant}}
spec: {kind: single}`,
    ...Array.from(
      { length: extensions },
      (_, i) => `apiVersion: omnia.kalliope.io/v1
kind: Extension
metadata: {name: hq-${201 + i}, tenant: ${tenant}, pbx: hq}
spec: {number: "${201 + i}", pin: {fromFile: pin.txt}, license: start}`,
    ),
  ];
  await writeFile(join(dir, "repo.yaml"), `${docs.join("\n---\n")}\n`);
  await writeFile(join(dir, "pin.txt"), "4711\n");
});

afterAll(async () => {
  await controller?.close({ graceMs: 0 });
  await standin?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("stopping a replica mid-apply", () => {
  it("finishes the step in flight, starts no other write, and records the run interrupted long before the grace ends", async () => {
    standin.knobs.latencyMs = latencyMs;
    const config: ControllerConfig = {
      file: "(test)",
      listen: { host: "127.0.0.1", port: 0 },
      state: { dir: join(dir, "state") },
      git: { allowedProtocols: ["https"] },
      sources: [
        {
          id: "stop",
          partner: "demo",
          location: { type: "folder", path: dir },
          account: {
            url: standin.url,
            domain: standin.settings.domain,
            username: standin.settings.username,
            password: { fromEnv: "OMNIA_SECRET_PLATFORM_PASSWORD" },
            requestsPerSecond: 1000,
          },
          policies: { ...defaultPolicies, parallelism: 1, intervalMs: 600_000, driftIntervalMs: 600_000 },
        },
      ],
      tokens: [],
    };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      OMNIA_SECRET_PLATFORM_PASSWORD: standin.settings.password,
    };
    delete env.DATABASE_URL;
    delete env.OMNIA_SECRET_KEY;
    delete env.OMNIA_SECRET_KEY_FILE;
    const running = await startControllerService({
      config,
      env,
      logger: pino({ level: "silent" }),
      scheduler: { pollMs: 50 },
      attribution: false,
    });
    controller = running;

    // Wait until the apply has written a few steps (each write takes `latencyMs`).
    const deadline = Date.now() + 60_000;
    let runId: string | undefined;
    while (Date.now() < deadline) {
      const [run] = await running.store.listRuns({ limit: 1, mode: "apply" });
      if (run && (await running.store.listSteps(run.id)).length >= 3) {
        runId = run.id;
        break;
      }
      await sleep(20);
    }
    expect(runId, "the apply never got going").toBeDefined();
    const id = runId as string;

    const stopAt = Date.now();
    const posts = () => standin.stats.byRoute;
    const writesBefore = Object.entries(posts())
      .filter(([route]) => /^(POST|PATCH|PUT|DELETE) /.test(route))
      .reduce((n, [, c]) => n + c, 0);
    await running.close({ graceMs: 30_000 });
    const tookMs = Date.now() - stopAt;
    const writesAfter = Object.entries(posts())
      .filter(([route]) => /^(POST|PATCH|PUT|DELETE) /.test(route))
      .reduce((n, [, c]) => n + c, 0);
    controller = undefined;

    // At most the write in flight (and its one retry-safe send) finished after the stop.
    expect(writesAfter - writesBefore).toBeLessThanOrEqual(1);
    // Stopped at the next step's boundary, not at the grace's end nor after every step.
    expect(tookMs).toBeLessThan(10_000);

    const { openStore } = await import("../store/index.js");
    const store = await openStore({ dataDir: join(dir, "state"), env: {} });
    try {
      const run = await store.getRun(id);
      expect(run?.outcome).toBe("interrupted");
      const steps = await store.listSteps(id);
      // The steps after the stop are recorded as not run, with why; none is left open.
      const done = steps.filter((s) => s.state === "ok");
      expect(done.length).toBeGreaterThanOrEqual(3);
      expect(done.length).toBeLessThan(extensions + 2);
      expect(steps.some((s) => s.state === "started")).toBe(false);
    } finally {
      await store.close();
    }
  });
});
