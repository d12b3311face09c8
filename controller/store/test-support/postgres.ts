/**
 * A throwaway PostgreSQL cluster for tests, started from the server binaries installed on
 * the machine (`/usr/lib/postgresql/<version>/bin`), listening on 127.0.0.1 only, with its
 * data and socket in a fresh temp folder that `stop()` removes. initdb refuses to run as
 * root, so as root every server command runs as the `postgres` user.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Where Debian and Ubuntu install the server binaries. */
export const serverRoot = "/usr/lib/postgresql";

/** Shown when no server binaries are installed. */
export const errNoServer =
  "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin: install the `postgresql` " +
  "package (apt-get install postgresql; .ci/run does), or set OMNIA_TEST_DATABASE_URL to a server " +
  "whose user may CREATE DATABASE";

/** A running throwaway cluster. */
export interface TestCluster {
  /** URL of the `postgres` database as the superuser `postgres` (trust auth, no password). */
  url: string;
  stop(): Promise<void>;
}

/** The bin folder of the newest installed server version, or undefined. */
export function findServerBin(root = serverRoot): string | undefined {
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")) && existsSync(join(root, v, "bin", "pg_ctl")))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

/** A TCP port free on 127.0.0.1 at the time of asking. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Prefix of cluster folders in the temp folder. */
const clusterPrefix = "omnia-pg-";
/** File in a cluster folder naming the pid of the test run that owns it. */
const ownerFile = "owner.pid";

/** Runs a server tool, as the `postgres` user when this process is root. */
function serverTool(bin: string) {
  const asRoot = process.getuid?.() === 0;
  return async (tool: string, args: string[]) => {
    const [cmd, argv] = asRoot
      ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]]
      : [join(bin, tool), args];
    try {
      return await run(cmd, argv, { timeout: 60_000 });
    } catch (err) {
      const e = err as Error & { stderr?: string };
      throw new Error(`${tool} failed: ${e.stderr?.trim() || e.message}`, { cause: err });
    }
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Stops and removes the clusters in `root` whose test run died before its teardown (killed
 * by a timeout, say), so they do not pile up. Returns the folders removed.
 */
export async function sweepStaleClusters(bin: string, root = tmpdir()): Promise<string[]> {
  const exec = serverTool(bin);
  const removed: string[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (!name.startsWith(clusterPrefix)) continue;
    const dir = join(root, name);
    const owner = Number.parseInt(await readFile(join(dir, ownerFile), "utf8").catch(() => ""), 10);
    // No owner yet: a run that is starting right now.
    if (!Number.isInteger(owner) || isRunning(owner)) continue;
    if (existsSync(join(dir, "data", "postmaster.pid"))) {
      await exec("pg_ctl", ["-D", join(dir, "data"), "-m", "immediate", "-w", "stop"]).catch(() => {});
    }
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

/**
 * Starts a cluster from the newest server under `root` (default /usr/lib/postgresql);
 * throws `errNoServer` when there is none.
 */
export async function startTestCluster(options: { root?: string } = {}): Promise<TestCluster> {
  const bin = findServerBin(options.root);
  if (!bin) throw new Error(errNoServer);
  await sweepStaleClusters(bin);
  const dir = await mkdtemp(join(tmpdir(), clusterPrefix));
  await writeFile(join(dir, ownerFile), `${process.pid}\n`);
  const asRoot = process.getuid?.() === 0;
  const exec = serverTool(bin);
  try {
    if (asRoot) {
      const ids = (flag: string) =>
        run("id", [flag, "postgres"]).catch((err: unknown) => {
          throw new Error("running as root, the test server runs as the `postgres` user, which is missing", {
            cause: err,
          });
        });
      const { stdout } = await ids("-u");
      const { stdout: gid } = await ids("-g");
      await chown(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    const data = join(dir, "data");
    await exec("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "-N"]);
    // A port can be taken between asking and binding (other test runs): try a few.
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const settings = [
        "-c listen_addresses=127.0.0.1",
        `-p ${port}`,
        `-k ${dir}`,
        "-c fsync=off",
        "-c synchronous_commit=off",
        "-c full_page_writes=off",
        "-c max_connections=200",
      ].join(" ");
      try {
        await exec("pg_ctl", [
          "-D",
          data,
          "-l",
          join(dir, "server.log"),
          "-w",
          "-t",
          "60",
          "-o",
          settings,
          "start",
        ]);
      } catch (err) {
        lastError = err;
        continue;
      }
      return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        stop: async () => {
          await exec("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    throw lastError;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
