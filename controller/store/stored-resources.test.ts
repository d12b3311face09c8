import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { errStoredResourceArgs } from "./errors.js";
import type { Store } from "./store.js";
import type { StoredResourceInput } from "./stored-resources.js";
import { type ManualClock, manualClock } from "./test-support/clock.js";
import { type FreshDatabase, storeTargets } from "./test-support/targets.js";

function resource(over: Partial<StoredResourceInput> = {}): StoredResourceInput {
  return {
    source: "api-p1",
    tenant: "ACME",
    kind: "Extension",
    key: "Extension/ACME/main/201",
    document: {
      apiVersion: "omnia.kalliope.it/v1",
      kind: "Extension",
      spec: { number: "201", pin: { fromEnv: "ACME_201_PIN" } },
    },
    ...over,
  };
}

describe.each(storeTargets)("stored resources on $name", (target) => {
  let db: FreshDatabase;
  let store: Store;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = manualClock();
    db = await target.fresh();
    store = await db.open({ clock: clock.now });
  });
  afterEach(async () => {
    await db.dispose();
  });

  it("creates a resource, then replaces it, saying which", async () => {
    expect(await store.putStoredResource(resource())).toEqual({ created: true });
    clock.advance(1_000);
    const changed = resource({ document: { kind: "Extension", spec: { number: "201", name: "Reception" } } });
    expect(await store.putStoredResource(changed)).toEqual({ created: false });
    expect(await store.getStoredResource("api-p1", "Extension/ACME/main/201")).toEqual({
      ...changed,
      createdAt: clock.in(-1_000),
      updatedAt: clock.now(),
    });
    expect(await store.getStoredResource("api-p2", "Extension/ACME/main/201")).toBeUndefined();
  });

  it("lists a source's resources by key, of one tenant when asked", async () => {
    await store.putStoredResource(resource({ key: "Extension/ACME/main/202" }));
    await store.putStoredResource(resource());
    await store.putStoredResource(resource({ tenant: "BETA", kind: "Tenant", key: "Tenant/BETA" }));
    await store.putStoredResource(resource({ source: "api-p2", key: "Tenant/ACME", kind: "Tenant" }));
    expect((await store.listStoredResources("api-p1")).map((r) => r.key)).toEqual([
      "Extension/ACME/main/201",
      "Extension/ACME/main/202",
      "Tenant/BETA",
    ]);
    expect((await store.listStoredResources("api-p1", { tenant: "BETA" })).map((r) => r.key)).toEqual([
      "Tenant/BETA",
    ]);
  });

  it("deletes a resource once", async () => {
    await store.putStoredResource(resource());
    expect(await store.deleteStoredResource("api-p1", "Extension/ACME/main/201")).toBe(true);
    expect(await store.deleteStoredResource("api-p1", "Extension/ACME/main/201")).toBe(false);
    expect(await store.listStoredResources("api-p1")).toEqual([]);
    expect(await store.putStoredResource(resource())).toEqual({ created: true });
  });

  it("stores a document holding a NUL character escaped instead of failing", async () => {
    await store.putStoredResource(resource({ document: { spec: { name: "a\u0000b" } } }));
    expect((await store.getStoredResource("api-p1", "Extension/ACME/main/201"))?.document).toEqual({
      spec: { name: "a\\u0000b" },
    });
  });

  it.each(["source", "tenant", "kind", "key"] as const)("refuses an empty %s", async (field) => {
    await expect(store.putStoredResource(resource({ [field]: "" }))).rejects.toThrow(
      `${errStoredResourceArgs}: ${field} is empty`,
    );
  });
});
