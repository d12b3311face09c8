import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errDataDirInUse, errOpen, StoreError } from "./errors.js";
import { openStore, redactUrl } from "./index.js";
import { freePort } from "./test-support/postgres.js";
import { createDatabase } from "./test-support/targets.js";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "omnia-store-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("embedded store in a data folder", () => {
  it("keeps inventory and runs across a close and reopen", async () => {
    const dataDir = join(scratch, "persist");
    const first = await openStore({ dataDir, env: {} });
    expect(first.describe()).toEqual({ driver: "pglite", location: dataDir });
    await first.upsertInventory({
      key: "Tenant/ACME",
      kind: "Tenant",
      tenant: "ACME",
      platformId: "c-1",
      source: "s1",
      state: "managed",
      secretHashes: { "spec.x": "h" },
    });
    const runId = await first.startRun({ mode: "apply", source: "s1", tenants: ["ACME"] });
    await first.close();

    const again = await openStore({ dataDir, env: {} });
    try {
      expect(await again.getInventory("Tenant/ACME")).toMatchObject({
        platformId: "c-1",
        secretHashes: { "spec.x": "h" },
      });
      expect((await again.getRun(runId))?.source).toBe("s1");
    } finally {
      await again.close();
    }
  });

  it("refuses a second open of the same folder while the first is open, naming the process", async () => {
    const dataDir = join(scratch, "busy");
    const first = await openStore({ dataDir, env: {} });
    try {
      const err = await openStore({ dataDir, env: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).reason).toBe(errDataDirInUse);
      expect((err as Error).message).toContain(`${dataDir} is open in process ${process.pid}`);
    } finally {
      await first.close();
    }
    const second = await openStore({ dataDir, env: {} });
    await second.close();
  });
});

describe("choosing the database", () => {
  it("uses the server of DATABASE_URL when no URL is given", async () => {
    const database = await createDatabase();
    try {
      const store = await openStore({
        env: { DATABASE_URL: database.url },
        dataDir: join(scratch, "unused"),
      });
      expect(store.describe()).toEqual({ driver: "postgres", location: database.url });
      await store.close();
    } finally {
      await database.drop();
    }
  });

  it("stays in memory when asked, whatever DATABASE_URL says", async () => {
    const store = await openStore({ memory: true, env: { DATABASE_URL: "postgres://nowhere.invalid/x" } });
    expect(store.describe()).toEqual({ driver: "pglite", location: "pglite in memory" });
    await store.close();
  });

  it("reports a server it cannot reach without showing the password", async () => {
    const port = await freePort();
    const err = await openStore({ databaseUrl: `postgres://omnia:hunter2@127.0.0.1:${port}/state` }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).reason).toBe(errOpen);
    expect((err as Error).message).toContain(`postgres://omnia:***@127.0.0.1:${port}/state`);
    expect((err as Error).message).not.toContain("hunter2");
  });
});

describe("redactUrl", () => {
  it.each([
    { url: "postgres://u:secret@db:5432/omnia", want: "postgres://u:***@db:5432/omnia" },
    { url: "postgres://u@db/omnia", want: "postgres://u@db/omnia" },
    {
      url: "postgres://u@db/omnia?password=secret&sslmode=require",
      want: "postgres://u@db/omnia?password=***&sslmode=require",
    },
    { url: "not a url secret", want: "(unparsable database URL)" },
  ])("shows $url as $want", ({ url, want }) => {
    expect(redactUrl(url)).toBe(want);
  });
});
