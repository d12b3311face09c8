import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockDataDir, lockPathOf } from "./data-dir-lock.js";
import { errDataDirInUse } from "./errors.js";

let scratch: string;
let deadPid: number;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "omnia-lock-"));
  const child = execFile(process.execPath, ["-e", ""]);
  await new Promise((resolve) => child.on("exit", resolve));
  deadPid = child.pid ?? 0;
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

describe("lockDataDir", () => {
  it.each([
    { name: "no lock file", content: undefined },
    { name: "a lock file of an exited process", content: () => `${deadPid}\n` },
    { name: "a lock file without a pid", content: () => "garbage" },
  ])("takes the lock over $name and writes this pid", async ({ name, content }) => {
    const dir = join(scratch, name.replaceAll(" ", "-"));
    if (content) await writeFile(lockPathOf(dir), content());
    const lock = await lockDataDir(dir);
    expect(await readFile(lock.path, "utf8")).toBe(`${process.pid}\n`);
    await lock.release();
    await expect(readFile(lock.path, "utf8")).rejects.toThrow("ENOENT");
  });

  it("refuses a folder locked by a running process, this one included", async () => {
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
});
