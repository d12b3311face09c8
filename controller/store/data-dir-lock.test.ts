import { type ChildProcess, fork } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockDataDir, lockPathOf } from "./data-dir-lock.js";
import { errDataDirInUse } from "./errors.js";

const childScript = new URL("./test-support/lock-child.ts", import.meta.url).pathname;

interface Child {
  proc: ChildProcess;
  /** Sends `msg` and resolves with the child's next message. */
  ask(msg: object): Promise<Record<string, unknown>>;
}

/** A lock-child process, ready for orders. */
async function child(): Promise<Child> {
  const proc = fork(childScript, [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      proc.once("message", (m) => resolve(m as Record<string, unknown>));
      proc.once("exit", (code) => reject(new Error(`lock child exited (${code})`)));
    });
  await next();
  return {
    proc,
    ask: (msg) => {
      const answer = next();
      proc.send(msg);
      return answer;
    },
  };
}

function exited(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once("exit", () => resolve());
  });
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "omnia-lock-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("lockPathOf", () => {
  it.each([
    { dir: "/x/.omnia/state", want: "/x/.omnia/state.lock" },
    { dir: "/x/.omnia/state/", want: "/x/.omnia/state.lock" },
  ])("puts the lock of $dir at $want", ({ dir, want }) => {
    expect(lockPathOf(dir)).toBe(want);
  });
});

describe("lockDataDir in one process", () => {
  it.each([
    { name: "no lock file", content: undefined },
    { name: "a lock file without a pid", content: "garbage" },
    // The old lock trusted the pid in the file and refused it forever once reused.
    { name: "a lock file naming a live process that holds no lock", content: `${process.ppid}\n` },
    { name: "a lock file naming this very process", content: `${process.pid}\n` },
  ])("takes the lock over $name and writes this pid", async ({ name, content }) => {
    const dir = join(scratch, name.replaceAll(" ", "-"));
    if (content) await writeFile(lockPathOf(dir), content);
    const lock = await lockDataDir(dir);
    expect(await readFile(lock.path, "utf8")).toBe(`${process.pid}\n`);
    await lock.release();
    await lock.release(); // idempotent
    const again = await lockDataDir(dir);
    await again.release();
  });

  it("refuses a folder locked by this process, naming it", async () => {
    const dir = join(scratch, "held");
    const lock = await lockDataDir(dir);
    try {
      await expect(lockDataDir(dir)).rejects.toThrow(
        `${errDataDirInUse}: ${dir} is open in process ${process.pid}`,
      );
    } finally {
      await lock.release();
    }
  });

  it("leaves the lock of another holder alone when a refused caller gives up", async () => {
    const dir = join(scratch, "refused-keeps");
    const lock = await lockDataDir(dir);
    try {
      for (let i = 0; i < 3; i++) await expect(lockDataDir(dir)).rejects.toThrow(errDataDirInUse);
      await expect(lockDataDir(dir)).rejects.toThrow(errDataDirInUse);
    } finally {
      await lock.release();
    }
  });

  it("takes a lock whose file was deleted under a holder on the new file, not two on one name", async () => {
    const dir = join(scratch, "deleted");
    const first = await lockDataDir(dir);
    await rm(first.path);
    const second = await lockDataDir(dir);
    // The second holds the file the name leads to now; a third is refused.
    await expect(lockDataDir(dir)).rejects.toThrow(errDataDirInUse);
    await first.release();
    await expect(lockDataDir(dir)).rejects.toThrow(errDataDirInUse);
    await second.release();
  });
});

describe("lockDataDir across processes", () => {
  it("gives the lock to exactly one of 4 processes racing over a dead holder's lock file, 20 times over", async () => {
    const dir = join(scratch, "race");
    const dead = await child();
    dead.proc.kill("SIGKILL");
    await exited(dead.proc);
    const racers = await Promise.all(Array.from({ length: 4 }, () => child()));
    try {
      const winners: number[] = [];
      for (let trial = 0; trial < 20; trial++) {
        // What a killed holder leaves: the old lock raced here (check the pid, then take over).
        await writeFile(lockPathOf(dir), `${dead.proc.pid}\n`);
        const answers = await Promise.all(racers.map((r) => r.ask({ take: dir })));
        const won = answers.flatMap((a, i) => (a.took ? [i] : []));
        expect(won, JSON.stringify(answers)).toHaveLength(1);
        for (const a of answers) if (!a.took) expect(a.error).toContain(errDataDirInUse);
        const winner = racers[won[0] as number] as Child;
        expect(await readFile(lockPathOf(dir), "utf8")).toBe(`${winner.proc.pid}\n`);
        await winner.ask({ release: true });
        winners.push(won[0] as number);
      }
    } finally {
      for (const r of racers) r.proc.kill("SIGKILL");
      await Promise.all(racers.map((r) => exited(r.proc)));
    }
  });

  it("frees a SIGKILLed holder's lock at once", async () => {
    const dir = join(scratch, "killed");
    const holder = await child();
    expect(await holder.ask({ take: dir })).toEqual({ took: true });
    await expect(lockDataDir(dir)).rejects.toThrow(`${dir} is open in process ${holder.proc.pid}`);
    holder.proc.kill("SIGKILL");
    await exited(holder.proc);
    // The file still names the dead holder; the lock is what counts.
    expect(await readFile(lockPathOf(dir), "utf8")).toBe(`${holder.proc.pid}\n`);
    const lock = await lockDataDir(dir);
    await lock.release();
  });

  it("is not refused for a lock file whose pid now belongs to another live process", async () => {
    const dir = join(scratch, "reused-pid");
    const other = await child();
    try {
      // As if the holder died and its pid went to `other`, which holds no lock.
      await writeFile(lockPathOf(dir), `${other.proc.pid}\n`);
      const lock = await lockDataDir(dir);
      expect(await readFile(lock.path, "utf8")).toBe(`${process.pid}\n`);
      // And `other` is refused while this process holds it: the lock, not the pid, decides.
      expect(await other.ask({ take: dir })).toMatchObject({ took: false });
      await lock.release();
      expect(await other.ask({ take: dir })).toEqual({ took: true });
    } finally {
      other.proc.kill("SIGKILL");
      await exited(other.proc);
    }
  });
});
