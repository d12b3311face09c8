/**
 * `omnia serve` replicas as child processes, for the many-replica tests and the
 * controller benchmark: a folder of generated tenants, a config file per replica (one
 * database, one stand-in account), the child started with `node --import tsx
 * controller/cli/main.ts serve` and its URL read from its first line, and the facts the
 * tests assert on read back from the database (runs and steps) and the stand-in.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type pg from "pg";
import type { StandinState } from "../../platform/standin/state.js";
import { type World, type WorldShape, worldFiles, worldOf } from "./random-world.js";

/** Repository root (the children run `controller/cli/main.ts` from it). */
const root = join(import.meta.dirname, "..", "..");

/** `count` tenants, each one PBX with `extensions` Start extensions (numbers from 200). */
export function tenantWorlds(prefix: string, count: number, extensions: number): World[] {
  const shape: WorldShape = {
    users: [],
    pbxs: [{ callCenter: false, hotel: false, suspended: false }],
    numbers: [],
    extensions: Array.from({ length: extensions }, (_, i) => ({
      pbx: 0,
      number: 200 + i,
      license: "start" as const,
      suspended: false,
    })),
  };
  return Array.from({ length: count }, (_, i) =>
    worldOf(shape, `${prefix}${String(i + 1).padStart(3, "0")}`, i),
  );
}

/** Writes each world as `<tenant>.yaml` into `dir`; returns the PIN variables of all. */
export async function writeTenants(dir: string, worlds: readonly World[]): Promise<Record<string, string>> {
  await mkdir(dir, { recursive: true });
  const env: Record<string, string> = {};
  for (const w of worlds) {
    const text = Object.values(worldFiles(w)).join("");
    await writeFile(join(dir, `${w.tenant.toLowerCase()}.yaml`), text);
    Object.assign(env, w.env);
  }
  return env;
}

/** What a replica's config file says besides the source's folder and the stand-in. */
export interface ReplicaConfig {
  /** The stand-in's URL and its partner login (domain, username). */
  platform: { url: string; domain: string; username: string };
  /** The folder source. */
  folder: string;
  /** Scheduler tuning (schema `scheduler`). */
  scheduler: {
    concurrency?: number;
    pollMs?: number;
    claimMs?: number;
    leaseTtlMs?: number;
    heartbeatMs?: number;
  };
  /** Policies of the source (intervals in ms). */
  policies: { intervalMs: number; driftIntervalMs: number; parallelism?: number };
  /** Account budget (all replicas together). */
  requestsPerSecond: number;
  /** Admin token's variable (none: no token). */
  tokenEnv?: string;
}

/** Writes a config file in a fresh folder (its state folder beside it); returns its path. */
export async function writeReplicaConfig(c: ReplicaConfig): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "omnia-replica-"));
  const file = join(dir, "controller.yaml");
  const config = {
    listen: { host: "127.0.0.1", port: 0 },
    state: { dir: "state", databaseUrl: { fromEnv: "DATABASE_URL" } },
    scheduler: c.scheduler,
    sources: [
      {
        id: "replicas",
        partner: "demo",
        location: { type: "folder", path: c.folder },
        account: {
          url: c.platform.url,
          domain: c.platform.domain,
          username: c.platform.username,
          password: { fromEnv: "OMNIA_SECRET_PLATFORM_PASSWORD" },
          requestsPerSecond: c.requestsPerSecond,
        },
        policies: c.policies,
      },
    ],
    tokens: c.tokenEnv
      ? [
          {
            name: "bench",
            partner: "demo",
            scopes: ["read", "write", "admin"],
            secret: { fromEnv: c.tokenEnv },
          },
        ]
      : [],
  };
  // JSON is YAML: the config loader reads it with positions as any YAML file.
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** A running `omnia serve` child. */
export interface ReplicaProcess {
  child: ChildProcess;
  pid: number;
  /** Its API's base URL. */
  url: string;
  /** Its stderr (pino logs) is written here. */
  logFile: string;
  /** Resolves with the exit code (or signal name) when the child has exited. */
  exited: Promise<number | string>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<number | string>;
}

/** A hex secret key shared by every replica (the inventory's secret hashes must agree). */
export function sharedSecretKey(): string {
  return randomBytes(32).toString("hex");
}

/**
 * Starts `omnia serve --config FILE` with `env` added to this process's environment;
 * resolves once it prints its URL. Throws with the log's path when it exits first or
 * does not print within `timeoutMs` (default 60 s).
 */
export async function startReplica(
  configFile: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<ReplicaProcess> {
  const logFile = `${configFile}.${Date.now()}.log`;
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "controller/cli/main.ts", "serve", "--config", configFile, "--grace", "5"],
    {
      cwd: root,
      env: { ...process.env, OMNIA_LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const log = createWriteStream(logFile);
  child.stderr?.pipe(log);
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`omnia serve did not start in ${timeoutMs} ms; see ${logFile}`)),
      timeoutMs,
    );
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`omnia serve exited (${code}) before listening; see ${logFile}`));
    });
  });
  return {
    child,
    pid: child.pid ?? 0,
    url,
    logFile,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

/** Objects of one tenant on the stand-in: customers with its code, and its PBXs and extensions. */
export interface PlatformCount {
  customers: number;
  pbxs: number;
  extensions: number;
  /** Extension numbers found more than once on one PBX. */
  duplicateNumbers: string[];
}

/** Counts what the stand-in holds per tenant code (read from its state, not through the API). */
export function countOnPlatform(state: StandinState, codes: readonly string[]): Map<string, PlatformCount> {
  const out = new Map<string, PlatformCount>();
  for (const code of codes) {
    const customers = [...state.customers.values()].filter((c) => c.customerCode === code);
    const ids = new Set(customers.map((c) => c.id));
    const pbxs = [...state.pbxs.values()].filter((p) => ids.has(p.customerId));
    const exts = [...state.extensions.values()].filter((x) => ids.has(x.customerId));
    const seen = new Set<string>();
    const dup: string[] = [];
    for (const x of exts) {
      const k = `${x.pbxId}/${x.number}`;
      if (seen.has(k)) dup.push(x.number);
      seen.add(k);
    }
    out.set(code, {
      customers: customers.length,
      pbxs: pbxs.length,
      extensions: exts.length,
      duplicateNumbers: dup,
    });
  }
  return out;
}

/** Two apply runs of one tenant whose writes overlapped in time. */
export interface WriteOverlap {
  tenant: string;
  runs: [string, string];
  holders: [string, string];
}

/**
 * From the steps table: per tenant and apply run, the window from its first step's start
 * to its last step's end (a step left unfinished by a killed process ends when its run was
 * marked interrupted, or now); returns every pair of runs of one tenant whose windows
 * overlap. Empty: no tenant was ever written by two runs at once.
 */
export async function overlappingWrites(db: pg.Pool | pg.Client): Promise<WriteOverlap[]> {
  const { rows } = await db.query<{ tenant: string; r1: string; r2: string; h1: string; h2: string }>(
    `WITH w AS (
       SELECT s.tenant, s.run_id, r.holder,
              min(s.started_at) AS a,
              max(coalesce(s.finished_at, r.finished_at, clock_timestamp())) AS b
         FROM steps s JOIN runs r ON r.id = s.run_id
        WHERE r.mode = 'apply'
        GROUP BY s.tenant, s.run_id, r.holder)
     SELECT x.tenant, x.run_id AS r1, y.run_id AS r2, x.holder AS h1, y.holder AS h2
       FROM w x JOIN w y ON x.tenant = y.tenant AND x.run_id < y.run_id AND x.a < y.b AND y.a < x.b
      ORDER BY x.tenant`,
  );
  return rows.map((r) => ({ tenant: r.tenant, runs: [r.r1, r.r2], holders: [r.h1, r.h2] }));
}

/** Steps written per process id (the pid part of the runs' `host/pid/runId` holder). */
export async function stepsByPid(db: pg.Pool | pg.Client): Promise<Map<number, number>> {
  const { rows } = await db.query<{ pid: string; n: string }>(
    `SELECT split_part(r.holder, '/', 2) AS pid, count(*) AS n
       FROM steps s JOIN runs r ON r.id = s.run_id WHERE r.mode = 'apply' GROUP BY 1`,
  );
  return new Map(rows.map((r) => [Number(r.pid), Number(r.n)]));
}
