import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { baseRepo, cleanupRepos, head, writeRepo } from "../test-support/repo.js";
import { FolderSource } from "./folder.js";
import { MemorySource } from "./memory.js";

afterAll(cleanupRepos);

const extension = (pin: string) =>
  `${head("Extension", "{name: hq-201, tenant: ACME001, pbx: hq}")}spec: {number: "201", license: start, pin: {fromFile: ${pin}}}\n`;

describe("FolderSource", () => {
  it("gives the same revision for the same manifests, and a new one after an edit, not after a touch", async () => {
    const dir = await writeRepo({
      ...baseRepo,
      "base/pin.txt": "4711\n",
      "base/ext.yaml": extension("pin.txt"),
    });
    const source = new FolderSource(dir, { name: "repo" });
    const first = await source.read();
    expect(first.problems).toEqual([]);
    expect(first.revision).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.desired.extensions.map((x) => x.key)).toEqual(["Extension/ACME001/hq/201"]);

    const now = new Date();
    await utimes(join(dir, "base/ext.yaml"), now, now);
    expect((await source.read()).revision, "touched, not changed").toBe(first.revision);

    await writeFile(join(dir, "base/ext.yaml"), extension("pin.txt").replace("start", "plus"));
    expect((await source.read()).revision).not.toBe(first.revision);
  });

  it("names itself for the inventory, and its location as an absolute path", () => {
    const source = new FolderSource("examples/gitops-partner");
    expect(source.name).toBe("default");
    expect(source.location).toMatch(/^\/.*examples\/gitops-partner$/);
  });
});

describe("MemorySource", () => {
  it("loads manifests and their secret files from memory, relative to the manifest", async () => {
    const source = new MemorySource({
      ...baseRepo,
      "secrets/pin.txt": "4711\n",
      "base/ext.yaml": extension("../secrets/pin.txt"),
    });
    const got = await source.read();
    expect(got.problems).toEqual([]);
    expect(got.desired.extensions[0]?.spec.pin.reveal()).toBe("4711");
    expect(got.files, "secret files are not manifests").toBe(3);
  });

  it("reports problems at their place under / (the reference's value), and a missing secret file as missing", async () => {
    const source = new MemorySource({ ...baseRepo, "base/ext.yaml": extension("nowhere.txt") });
    const got = await source.read();
    expect(got.problems.map((p) => `${p.file}:${p.line}:${p.col}`)).toEqual(["/base/ext.yaml:4:55"]);
    expect(got.problems[0]?.message).toContain("the file does not exist");
  });

  it("changes revision when a manifest changes, and back when it is restored", async () => {
    const source = new MemorySource(baseRepo);
    const a = (await source.read()).revision;
    source.set("base/extra.yaml", `${head("Pbx", "{name: lab, tenant: ACME001}")}spec: {kind: single}\n`);
    const b = (await source.read()).revision;
    source.delete("base/extra.yaml");
    expect(b).not.toBe(a);
    expect((await source.read()).revision).toBe(a);
  });

  it("stops before reading when its signal has fired", async () => {
    const controller = new AbortController();
    controller.abort(new Error("shutting down"));
    await expect(new MemorySource(baseRepo).read(controller.signal)).rejects.toThrow("shutting down");
  });
});
