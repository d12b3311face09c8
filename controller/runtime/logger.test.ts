import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { errLogFile, RuntimeError } from "./errors.js";
import { createRunLogger } from "./logger.js";

describe("createRunLogger", () => {
  it.each([
    ["a file where its folder should be", (d: string) => join(d, "file", "omnia.log"), "EEXIST"],
    ["a folder where the file should be", (d: string) => d, "EISDIR"],
  ])("refuses %s with one line naming the file and what to do", async (_case, pathIn, code) => {
    const dir = await mkdtemp(join(tmpdir(), "omnia-log-"));
    await writeFile(join(dir, "file"), "");
    const file = pathIn(dir);
    let caught: unknown;
    try {
      createRunLogger(file);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RuntimeError);
    expect((caught as Error).message).toBe(
      `${errLogFile}: ${file} (${code}); pass --log-file with a writable path, or --log-file - for stderr`,
    );
  });

  it("writes JSON lines to a new file in a new folder", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "omnia-log-")), "deep", "omnia.log");
    createRunLogger(file).info({ n: 1 }, "hello");
    expect(JSON.parse((await readFile(file, "utf8")).trim())).toMatchObject({ n: 1, msg: "hello" });
  });
});
