/**
 * `omnia demo` (what `npm start` runs): the whole loop on one machine with nothing to
 * install. Starts the stand-in platform seeded with the example customers, partly drifted;
 * plans `examples/gitops-partner` against it, applies, plans again (empty), prints a
 * summary; embedded state (PGlite) in a fresh folder. Then keeps the stand-in running so
 * people can try `omnia plan/apply/drift` against it, until Ctrl-C (or returns at once
 * with `exit`).
 */
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pc from "picocolors";
import pino, { type Logger } from "pino";
import { seedDemo } from "../../platform/standin/seeds/demo.js";
import { demoLogin, seedPartners } from "../../platform/standin/seeds/partners.js";
import { type RunningStandin, startStandin } from "../../platform/standin/server.js";
import { StandinState } from "../../platform/standin/state.js";
import { countActions, isEmptyPlan } from "../engine/plan/plan.js";
import { renderPlan } from "../engine/plan/render.js";
import { applyPlan, planToApply } from "../engine/reconcile/apply-plan.js";
import { planTenants } from "../engine/reconcile/plan-tenants.js";
import type { ChangeAction } from "../model/plan.js";
import { openRuntime } from "../runtime/runtime.js";
import { FolderSource } from "../sources/folder.js";
import { resultOf } from "./session.js";

/** Port the demo tries first; a free one when it is taken. */
export const demoPort = 8090;

/** Options of `runDemo`; all have defaults. */
export interface DemoOptions {
  /** Manifests to apply. Default: examples/gitops-partner of this package. */
  dir?: string;
  /** Embedded state folder. Default: a fresh temporary folder. */
  stateDir?: string;
  /** Port to try first. Default 8090; 0 asks for a free one. */
  port?: number;
  /** Return after the summary instead of serving until interrupted. Default false. */
  exit?: boolean;
  /** Colours. Default: stdout is a terminal. */
  color?: boolean;
  /** Where the text goes. Default stdout. */
  write?: (text: string) => void;
  logger?: Logger;
  /** Resolves when the demo should stop serving (default: SIGINT or SIGTERM). */
  untilStopped?: () => Promise<void>;
}

/** What the demo did, for tests. */
export interface DemoResult {
  url: string;
  firstPlan: Record<ChangeAction, number>;
  applied: { ok: number; failed: number; skipped: number };
  secondPlanEmpty: boolean;
  apiCalls: number;
}

/** The example repository shipped with this package. */
export function findExamples(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "examples", "gitops-partner");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Runs the demo; see the module comment. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const write = options.write ?? ((t: string) => void process.stdout.write(t));
  const c = pc.createColors(options.color ?? Boolean(process.stdout.isTTY));
  const dir = options.dir ?? findExamples();
  if (!dir) throw new Error("cannot find examples/gitops-partner beside this package; pass --dir");
  const logger = options.logger ?? pino({ level: "silent" });
  const stateDir = options.stateDir ?? join(await mkdtemp(join(tmpdir(), "omnia-demo-")), "state");
  write(
    `\n${c.bold(c.cyan("[1/4] Starting the stand-in Omnia platform (seed: demo, partly drifted from the repository)"))}\n`,
  );
  const standin = await listen(options.port ?? demoPort, dir);
  write(`platform: ${standin.url}  (partner domain "${demoLogin.domain}", user "${demoLogin.username}")\n`);
  write(`state:    ${stateDir} (embedded PostgreSQL, PGlite)\nmanifests: ${dir}\n`);
  let result: DemoResult;
  try {
    result = await demoRuns(
      dir,
      standin.url,
      stateDir,
      logger,
      write,
      c,
      options.color ?? Boolean(process.stdout.isTTY),
    );
  } catch (err) {
    await standin.close();
    throw err;
  }
  if (options.exit) {
    await standin.close();
    return result;
  }
  write(
    [
      `The stand-in keeps running at ${standin.url}. Try, in another terminal:`,
      `  export OMNIA_URL=${standin.url} OMNIA_DOMAIN=${demoLogin.domain} OMNIA_USERNAME=${demoLogin.username} OMNIA_PASSWORD=${demoLogin.password}`,
      `  npx omnia drift ${dir} --state-dir ${stateDir}`,
      "Press Ctrl-C to stop.",
      "",
    ].join("\n"),
  );
  await (options.untilStopped ?? interrupted)();
  await standin.close();
  write("Stand-in stopped.\n");
  return result;
}

/** Plan, apply, plan again, summary: steps 2 to 4 of the demo. */
async function demoRuns(
  dir: string,
  url: string,
  stateDir: string,
  logger: Logger,
  write: (text: string) => void,
  c: ReturnType<typeof pc.createColors>,
  color: boolean,
): Promise<DemoResult> {
  const step = (n: number, text: string) => write(`\n${c.bold(c.cyan(`[${n}/4] ${text}`))}\n`);
  const runtime = await openRuntime({ platform: { baseUrl: url, ...demoLogin }, stateDir, logger, env: {} });
  const { client, deps } = runtime;
  const source = new FolderSource(dir);
  try {
    step(2, "omnia plan: what differs between the repository and the platform");
    const first = resultOf(await planTenants({ source }, deps));
    write(renderPlan(first.plan, { color }));

    step(3, "omnia apply --auto-approve");
    const applied = await applyPlan(planToApply(first), deps);
    if (!applied.result) resultOf(applied);
    const a = applied.result?.applied ?? { ok: 0, failed: 0, skipped: 0, steps: [] };
    for (const s of a.steps)
      if (s.outcome !== "ok") write(`${c.red("✗")} ${s.action} ${s.key}: ${s.error ?? s.outcome}\n`);
    write(`applied: ${a.ok} done, ${a.failed} failed, ${a.skipped} skipped\n`);

    step(4, "omnia plan again: the platform now matches the repository");
    const second = resultOf(await planTenants({ source }, deps));
    write(renderPlan(second.plan, { color }));

    const counts = countActions(first.plan);
    const apiCalls = client.stats().requests;
    write(
      [
        "",
        c.bold("Summary"),
        `  first plan:  ${counts.create} to create, ${counts.update} to update, ${counts.adopt} to adopt, ${first.plan.drift.length} drift reports (warn/observe: never repaired)`,
        `  apply:       ${a.ok} steps done, ${a.failed} failed, ${a.skipped} skipped`,
        `  second plan: ${isEmptyPlan(second.plan) ? "no changes" : "CHANGES LEFT"}`,
        `  API calls:   ${apiCalls} to the platform; every run and step is recorded in the state store`,
        "  There is no dashboard yet (a later issue).",
        "",
      ].join("\n"),
    );
    return {
      url,
      firstPlan: counts,
      applied: { ok: a.ok, failed: a.failed, skipped: a.skipped },
      secondPlanEmpty: isEmptyPlan(second.plan),
      apiCalls,
    };
  } finally {
    await runtime.close();
  }
}

/**
 * Starts the stand-in on `port` (a free port when that one is taken), seeded from the
 * repository being demonstrated, partly drifted (platform/standin/seeds/demo.ts).
 */
async function listen(port: number, examplesDir: string): Promise<RunningStandin> {
  const state = new StandinState();
  await seedDemo(state, seedPartners(state).demo, examplesDir);
  try {
    return await startStandin({ port, state });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || port === 0) throw err;
    return startStandin({ port: 0, state });
  }
}

function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}
