import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errNoServer, findServerBin, startTestCluster, sweepStaleClusters } from "./postgres.js";

let scratch: string;
let deadPid: number;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "omnia-pgsupport-"));
  const child = execFile(process.execPath, ["-e", ""]);
  await new Promise((resolve) => child.on("exit", resolve));
  deadPid = child.pid ?? 0;
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function tree(root: string, files: string[]): Promise<string> {
  for (const f of files) {
    await mkdir(join(root, f, ".."), { recursive: true });
    await writeFile(join(root, f), "");
  }
  return root;
}

describe("findServerBin", () => {
  it.each([
    {
      name: "the newest version with both tools",
      files: ["13/bin/initdb", "13/bin/pg_ctl", "15/bin/initdb", "15/bin/pg_ctl", "16/bin/initdb"],
      want: "15/bin",
    },
    { name: "nothing when no version has pg_ctl", files: ["15/bin/initdb"], want: undefined },
  ])("finds $name", async ({ name, files, want }) => {
    const root = await tree(join(scratch, name.replaceAll(" ", "-")), files);
    expect(findServerBin(root)).toBe(want === undefined ? undefined : join(root, want));
  });

  it("finds nothing when the folder does not exist", () => {
    expect(findServerBin(join(scratch, "no-such-folder"))).toBeUndefined();
  });
});

describe("startTestCluster", () => {
  it("says to install the postgresql package when no server is installed", async () => {
    await expect(startTestCluster({ root: join(scratch, "no-server") })).rejects.toThrow(errNoServer);
    expect(errNoServer).toContain("install the `postgresql` package");
  });
});

describe("sweepStaleClusters", () => {
  it("removes only cluster folders whose test run has exited", async () => {
    const root = join(scratch, "sweep");
    await mkdir(root);
    const folders: Record<string, string | undefined> = {
      "omnia-pg-dead": `${deadPid}\n`,
      "omnia-pg-alive": `${process.pid}\n`,
      "omnia-pg-starting": undefined,
      "other-dead": `${deadPid}\n`,
    };
    for (const [name, owner] of Object.entries(folders)) {
      await mkdir(join(root, name));
      if (owner !== undefined) await writeFile(join(root, name, "owner.pid"), owner);
    }
    const removed = await sweepStaleClusters("/nonexistent/bin", root);
    expect(removed).toEqual([join(root, "omnia-pg-dead")]);
    expect((await readdir(root)).sort()).toEqual(["omnia-pg-alive", "omnia-pg-starting", "other-dead"]);
  });
});
