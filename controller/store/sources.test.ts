import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SourceSpec } from "../model/control.js";
import { errSourceArgs, errSourceOfOtherPartner, errUnknownSource } from "./errors.js";
import type { Store } from "./store.js";
import { type ManualClock, manualClock } from "./test-support/clock.js";
import { type FreshDatabase, storeTargets } from "./test-support/targets.js";

function spec(over: Partial<SourceSpec> = {}): SourceSpec {
  return {
    id: "acme-repo",
    partner: "p1",
    location: { type: "git", url: "file:///srv/acme.git", branch: "main", path: "tenants" },
    account: {
      url: "https://omnia.example.it",
      domain: "example",
      username: "admin",
      password: { fromEnv: "OMNIA_PASSWORD" },
    },
    policies: {
      intervalMs: 300_000,
      driftIntervalMs: 60_000,
      prune: false,
      driftMode: "enforce",
      parallelism: 4,
      suspended: false,
    },
    ...over,
  };
}

describe.each(storeTargets)("sources on $name", (target) => {
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

  it("registers a source and reads back its spec, with nothing read of it yet", async () => {
    const want = {
      ...spec(),
      createdAt: clock.now(),
      updatedAt: clock.now(),
      lastRevision: null,
      lastGoodRevision: null,
      problems: [],
      lastReadAt: null,
    };
    expect(await store.upsertSource(spec())).toEqual(want);
    expect(await store.getSource("acme-repo")).toEqual(want);
    expect(await store.getSource("nope")).toBeUndefined();
  });

  it("replaces the spec of a registered source, keeping its creation and what was read of it", async () => {
    await store.upsertSource(spec());
    await store.recordSourceRead("acme-repo", { revision: "c1", problems: [] });
    clock.advance(1_000);
    const changed = spec({
      location: { type: "folder", path: "/srv/acme" },
      webhookSecret: { fromFile: "/run/secrets/hook" },
    });
    expect(await store.upsertSource(changed)).toEqual({
      ...changed,
      createdAt: clock.in(-1_000),
      updatedAt: clock.now(),
      lastRevision: "c1",
      lastGoodRevision: "c1",
      problems: [],
      lastReadAt: clock.in(-1_000),
    });
    const dropped = await store.upsertSource(spec());
    expect("webhookSecret" in dropped).toBe(false);
  });

  it("refuses another partner's source id, naming both partners, and leaves it unchanged", async () => {
    await store.upsertSource(spec());
    await expect(store.upsertSource(spec({ partner: "p2", location: { type: "api" } }))).rejects.toThrow(
      `${errSourceOfOtherPartner}: source acme-repo belongs to partner "p1", not "p2"`,
    );
    expect((await store.getSource("acme-repo"))?.location.type).toBe("git");
  });

  it("lists sources by id, of one partner when asked", async () => {
    await store.upsertSource(spec({ id: "b", partner: "p2" }));
    await store.upsertSource(spec({ id: "a" }));
    await store.upsertSource(spec({ id: "c" }));
    expect((await store.listSources()).map((s) => s.id)).toEqual(["a", "b", "c"]);
    expect((await store.listSources({ partner: "p1" })).map((s) => s.id)).toEqual(["a", "c"]);
  });

  it("keeps the last good revision when a read finds problems, and moves it when one validates", async () => {
    await store.upsertSource(spec());
    await store.recordSourceRead("acme-repo", { revision: "good1", problems: [] });
    clock.advance(1_000);
    await store.recordSourceRead("acme-repo", {
      revision: "bad2",
      problems: ["tenants/acme.yaml:3:5: spec.license: must be one of basic, pro"],
    });
    expect(await store.getSource("acme-repo")).toMatchObject({
      lastRevision: "bad2",
      lastGoodRevision: "good1",
      problems: ["tenants/acme.yaml:3:5: spec.license: must be one of basic, pro"],
      lastReadAt: clock.now(),
    });
    const at = clock.in(5_000);
    await store.recordSourceRead("acme-repo", { revision: "good3", problems: [], at });
    expect(await store.getSource("acme-repo")).toMatchObject({
      lastRevision: "good3",
      lastGoodRevision: "good3",
      problems: [],
      lastReadAt: at,
    });
  });

  it("refuses a read of a source it does not have", async () => {
    await expect(store.recordSourceRead("nope", { revision: "c1", problems: [] })).rejects.toThrow(
      `${errUnknownSource}: nope`,
    );
  });

  it("deletes a source with its queued requests, tenant statuses, stored resources and deliveries, not another's", async () => {
    for (const id of ["acme-repo", "other"]) {
      await store.upsertSource(spec({ id }));
      await store.enqueueRequest({ source: id, tenant: "ACME", mode: "apply", reason: "manual" });
      await store.setTenantStatus(id, "ACME", { partner: "p1" });
      await store.putStoredResource({
        source: id,
        tenant: "ACME",
        kind: "Tenant",
        key: "Tenant/ACME",
        document: {},
      });
      await store.recordDelivery(id, "d1");
    }
    expect(await store.deleteSource("acme-repo")).toBe(true);
    expect(await store.deleteSource("acme-repo")).toBe(false);
    expect((await store.listSources()).map((s) => s.id)).toEqual(["other"]);
    expect((await store.listRequests()).map((r) => r.source)).toEqual(["other"]);
    expect((await store.listTenantStatus()).items.map((s) => s.source)).toEqual(["other"]);
    expect(await store.listStoredResources("acme-repo")).toEqual([]);
    expect(await store.listStoredResources("other")).toHaveLength(1);
    expect(await store.recordDelivery("acme-repo", "d1")).toBe(true);
    expect(await store.recordDelivery("other", "d1")).toBe(false);
  });

  it.each<{ name: string; over: Partial<SourceSpec>; want: string }>([
    { name: "an id with capitals", over: { id: "Acme" }, want: `id "Acme" is not ^[a-z0-9][a-z0-9-]{0,62}$` },
    { name: "an id starting with a dash", over: { id: "-acme" }, want: `id "-acme" is not` },
    { name: "an id of 64 characters", over: { id: "a".repeat(64) }, want: `id "${"a".repeat(64)}" is not` },
    { name: "an empty id", over: { id: "" }, want: `id "" is not` },
    { name: "an empty partner", over: { partner: "" }, want: "partner of source acme-repo is empty" },
  ])("refuses $name", async ({ over, want }) => {
    await expect(store.upsertSource(spec(over))).rejects.toThrow(`${errSourceArgs}: ${want}`);
  });

  it("takes an id of 63 characters, digits and dashes", async () => {
    const id = `0-${"a".repeat(61)}`;
    expect((await store.upsertSource(spec({ id }))).id).toBe(id);
  });
});
