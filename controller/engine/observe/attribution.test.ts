/**
 * attributeDrift against a fake log (unit), then end to end: a platform user other than
 * the controller's changes an extension by hand on the stand-in, and the drift check
 * records who, from where and when.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LogEntry } from "../../../platform/client/api.gen.js";
import { OmniaClient } from "../../../platform/client/index.js";
import { testSecrets } from "../../test-support/fakes.js";
import { MemoryReconcileStore } from "../../test-support/memory-store.js";
import { worldOf, worldSource } from "../../test-support/random-world.js";
import { type EngineStandin, startEngineStandin } from "../../test-support/standin.js";
import { reconcileTenant } from "../reconcile/reconcile-tenant.js";
import { type AuditLogQuery, attributeDrift, describeAttribution } from "./attribution.js";
import { observe } from "./observe.js";

const t0 = Date.parse("2026-11-29T10:00:00Z");
const entry = (n: number, over: Partial<LogEntry>): LogEntry => ({
  id: `log_${n}`,
  time: new Date(t0 - n * 60_000).toISOString(),
  operation: "extension.updated",
  objectType: "extension",
  objectId: "ext_1",
  object: "201",
  actor: "tecnico@demo",
  ip: "10.0.0.7",
  customerId: "cus_1",
  details: {},
  ...over,
});

/** A fake port over two logs (newest first); counts the entries handed out and records queries. */
function fakeLogs(admin: LogEntry[], manager: LogEntry[] = []) {
  const seen = { admin: 0, manager: 0, queries: [] as AuditLogQuery[] };
  const iterate = (name: "admin" | "manager", list: LogEntry[]) =>
    async function* (q?: AuditLogQuery) {
      seen.queries.push(q ?? {});
      for (const e of list) {
        if (q?.customerId && e.customerId !== q.customerId) continue;
        seen[name]++;
        yield e;
      }
    };
  return { port: { logs: { admin: iterate("admin", admin), manager: iterate("manager", manager) } }, seen };
}

const window = { since: new Date(t0 - 60 * 60_000), until: new Date(t0) };

describe("attributeDrift", () => {
  // The latest entry of the object inside the window decides; an ignored actor there means
  // unknown (the controller cannot tell its own writes from someone using its login).
  const latestCases: { name: string; admin: LogEntry[]; manager?: LogEntry[]; want: string | null }[] = [
    {
      name: "latest by another user: that user",
      admin: [entry(1, { actor: "mario@demo" }), entry(2, { actor: "seed@demo" })],
      want: "mario@demo",
    },
    {
      name: "latest by an ignored actor, older foreign entry: unknown",
      admin: [
        entry(1, { actor: "admin@demo" }),
        entry(5, { actor: "seed@demo", operation: "extension.created" }),
      ],
      want: null,
    },
    {
      name: "latest by an ignored actor in the other log: unknown",
      admin: [entry(3, { actor: "mario@demo" })],
      manager: [entry(1, { actor: "admin@demo" })],
      want: null,
    },
    {
      name: "latest by another user in the other log, older ignored entry: that user",
      admin: [entry(3, { actor: "admin@demo" })],
      manager: [entry(1, { actor: "mario@demo" })],
      want: "mario@demo",
    },
    {
      name: "only old entries: the latest of them",
      admin: [entry(40, { actor: "seed@demo" }), entry(50, { actor: "older@demo" })],
      want: "seed@demo",
    },
    {
      name: "ignored entry after the window's end does not hide the one inside",
      admin: [entry(-5, { actor: "admin@demo" }), entry(2, { actor: "mario@demo" })],
      want: "mario@demo",
    },
  ];
  it.each(latestCases)("$name", async ({ admin, manager, want }) => {
    const { port } = fakeLogs(admin, manager);
    const found = await attributeDrift(port, [{ key: "a", platformId: "ext_1", customerId: "cus_1" }], {
      ...window,
      ignoreActors: ["admin@demo", "robot@demo"],
    });
    expect(found.get("a")?.actor ?? null).toBe(want);
  });

  it("takes the latest change of each object, within the window, per customer", async () => {
    const { port, seen } = fakeLogs([
      entry(1, { objectId: "ext_3", actor: "admin@demo" }), // the controller's login: unknown
      entry(2, { objectId: "ext_2", operation: "extension.suspended", actor: "mario@demo" }),
      entry(3, {}),
      entry(4, { actor: "older@demo" }),
      entry(5, { objectId: "ext_3", actor: "older@demo" }),
    ]);
    const found = await attributeDrift(
      port,
      [
        { key: "a", platformId: "ext_1", customerId: "cus_1" },
        { key: "b", platformId: "ext_2", customerId: "cus_1" },
        { key: "c", platformId: "ext_9", customerId: "cus_1" },
        { key: "d", platformId: "ext_3", customerId: "cus_1" },
      ],
      { ...window, ignoreActors: ["admin@demo"] },
    );
    expect(Object.fromEntries(found)).toEqual({
      a: {
        actor: "tecnico@demo",
        at: new Date(t0 - 3 * 60_000),
        ip: "10.0.0.7",
        log: "admin-console",
        operation: "extension.updated",
      },
      b: {
        actor: "mario@demo",
        at: new Date(t0 - 2 * 60_000),
        ip: "10.0.0.7",
        log: "admin-console",
        operation: "extension.suspended",
      },
    });
    expect(seen.queries).toEqual([
      { sort: "-time", customerId: "cus_1" },
      { sort: "-time", customerId: "cus_1" },
    ]);
  });

  it("stops at the window's start, at the entry bound, and once every object is found", async () => {
    const many = Array.from({ length: 100 }, (_, i) => entry(i + 1, { objectId: `ext_x${i}` }));
    const old = fakeLogs(many);
    await attributeDrift(old.port, [{ key: "a", platformId: "ext_1" }], {
      ...window,
      since: new Date(t0 - 10.5 * 60_000),
    });
    expect(old.seen.admin, "entries read before the window's start").toBe(11);

    const bounded = fakeLogs(many);
    await attributeDrift(bounded.port, [{ key: "a", platformId: "ext_1" }], {
      since: new Date(0),
      maxEntriesPerLog: 25,
    });
    expect(bounded.seen.admin, "entries read with a bound of 25").toBe(26);

    const early = fakeLogs([entry(1, {}), ...many]);
    const found = await attributeDrift(early.port, [{ key: "a", platformId: "ext_1" }], {
      since: new Date(0),
    });
    expect(early.seen.admin, "entries read once found").toBe(1);
    expect(found.get("a")?.actor).toBe("tecnico@demo");
  });

  it("prefers the Omnia Manager log for the same change, and says it in words", async () => {
    const line = entry(1, {});
    const { port } = fakeLogs([line], [line]);
    const found = await attributeDrift(port, [{ key: "a", platformId: "ext_1" }], window);
    const a = found.get("a");
    expect(a?.log).toBe("omnia-manager");
    expect(a && describeAttribution(a)).toBe(
      "changed by tecnico@demo from 10.0.0.7 at 2026-11-29T09:59:00.000Z in Omnia Manager (extension.updated)",
    );
  });
});

describe("drift attribution against the stand-in", () => {
  let e: EngineStandin;
  let technician: OmniaClient;
  beforeAll(async () => {
    e = await startEngineStandin();
    e.standin.state.addApiUser("demo", "tecnico", "tecnico-pw");
    technician = new OmniaClient(
      { ...e.standin.settings, username: "tecnico", password: "tecnico-pw" },
      { requestsPerSecond: 1000, burst: 1000, maxRetries: 1 },
    );
  });
  afterAll(async () => {
    await technician.close();
    await e.close();
  });

  it("records who changed an extension by hand, and clears it once repaired", async () => {
    const world = worldOf(
      {
        users: [{ first: "Ada", last: "Lovelace", role: "admin" }],
        pbxs: [{ callCenter: false, hotel: false, suspended: false }],
        numbers: [],
        extensions: [
          { pbx: 0, number: 201, license: "start", user: 0, suspended: false },
          { pbx: 0, number: 202, license: "start", user: 0, suspended: false },
        ],
      },
      "WHO001",
      1,
    );
    const store = new MemoryReconcileStore();
    const logger = pino({ level: "silent" });
    const deps = {
      client: e.client,
      store,
      logger,
      secrets: testSecrets,
      attribution: { logs: e.client.logs, ignoreActors: ["admin@demo"] },
    };
    const req = { source: worldSource(world), tenant: world.tenant };
    expect((await reconcileTenant(req, deps)).status).toBe("done");

    const live = await observe(e.client, { tenants: [world.tenant] });
    const ext = live.extensions.find((x) => x.key.endsWith("/201"));
    if (!ext) throw new Error(`no extension 201 in ${live.extensions.map((x) => x.key).join(", ")}`);
    await technician.extensions(live.tenants[0]?.id ?? "").update(ext.id, { license: "plus" });

    const drift = await reconcileTenant({ ...req, mode: "drift" }, deps);
    if (drift.status !== "done") throw new Error(`drift: ${drift.reason}`);
    const statuses = new Map((await store.listResourceStatus({})).map((s) => [s.key, s]));
    const changed = statuses.get(ext.key);
    expect(changed?.drift).toBe("drifted");
    expect(changed?.changedBy).toMatchObject({
      actor: "tecnico@demo",
      ip: "127.0.0.1",
      log: "omnia-manager",
      operation: "extension.updated",
    });
    expect(drift.result.planned.changedBy?.get(ext.key)).toEqual(changed?.changedBy);
    const others = [...statuses.values()].filter((s) => s.key !== ext.key);
    expect(
      others.filter((s) => s.changedBy !== null),
      "attributed without drift",
    ).toEqual([]);

    // The same drift at the next check keeps its attribution (the logs are not read again).
    const reads = { n: 0 };
    const counting = {
      ...deps,
      attribution: {
        ...deps.attribution,
        logs: {
          admin: (q?: AuditLogQuery) => {
            reads.n++;
            return e.client.logs.admin(q);
          },
          manager: (q?: AuditLogQuery) => {
            reads.n++;
            return e.client.logs.manager(q);
          },
        },
      },
    };
    await reconcileTenant({ ...req, mode: "drift" }, counting);
    expect((await store.listResourceStatus({})).find((s) => s.key === ext.key)?.changedBy).toEqual(
      changed?.changedBy,
    );
    expect(reads.n, "log listings read for an unchanged drift").toBe(0);

    expect((await reconcileTenant(req, deps)).status).toBe("done"); // the repair, by admin@demo
    await reconcileTenant({ ...req, mode: "drift" }, deps);
    const after = (await store.listResourceStatus({})).find((s) => s.key === ext.key);
    expect(after).toMatchObject({ drift: "in_sync", changedBy: null });
  });
});
