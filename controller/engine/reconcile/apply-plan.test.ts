/**
 * Saved plans end to end (stand-in, in-memory store and sources): a plan saved to text
 * and read back applies exactly; a stale one is refused, naming what changed (the
 * source's revision, a live object, an inventory entry, a secret the plan sends); the
 * text never holds a PIN or password.
 */
import fc from "fast-check";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../model/desired-state.js";
import type { LiveState } from "../../model/live-state.js";
import { MemorySource } from "../../sources/memory.js";
import { testSecrets } from "../../test-support/fakes.js";
import { MemoryReconcileStore } from "../../test-support/memory-store.js";
import {
  type WorldShape,
  worldFile,
  worldFiles,
  worldOf,
  worldSource,
} from "../../test-support/random-world.js";
import { type EngineStandin, startEngineStandin } from "../../test-support/standin.js";
import { observe } from "../observe/observe.js";
import { basisOf, parseSavedPlan, serializeSavedPlan } from "../plan/saved-plan.js";
import { applyPlan, errPlanStale, savedToApply } from "./apply-plan.js";
import type { Outcome } from "./outcome.js";
import { type PlannedRun, planTenants } from "./plan-tenants.js";
import { reconcileTenant } from "./reconcile-tenant.js";
import type { DesiredStateSource } from "./source-port.js";

let e: EngineStandin;
beforeAll(async () => {
  e = await startEngineStandin();
});
afterAll(() => e.close());

const logger = pino({ level: "silent" });

function done<T>(o: Outcome<T>, what: string): T {
  if (o.status !== "done") throw new Error(`${what}: want done, got ${o.status}: ${o.reason}`);
  return o.result;
}

/** The saved plan text of a planned run, as `omnia plan --out` writes it. */
function savedText(planned: PlannedRun): string {
  return serializeSavedPlan({
    format: "omnia-plan/v1",
    createdAt: new Date(0).toISOString(),
    runId: planned.runId,
    source: { name: planned.source.name, location: planned.source.location },
    tenants: planned.tenants,
    settings: planned.settings,
    basis: basisOf(planned.plan, planned.revision, planned.live, planned.inventory, planned.source.name),
    plan: planned.plan,
  });
}

/** Platform writes the stand-in served so far. */
const writes = () =>
  Object.entries(e.standin.stats.byRoute)
    .filter(([route]) => !route.startsWith("GET"))
    .reduce((n, [, count]) => n + count, 0);

const pbx = { callCenter: false, hotel: false, suspended: false };
const ext = (number: number, license: "start" | "plus") => ({ pbx: 0, number, license, suspended: false });
/** Applied first: a PBX and two extensions. */
const before: WorldShape = {
  users: [],
  pbxs: [pbx],
  numbers: [],
  extensions: [ext(201, "start"), ext(202, "start")],
};
/** Then planned: extension 201's license changed, extension 203 added (its PIN is sent). */
const after: WorldShape = { ...before, extensions: [ext(201, "plus"), ext(202, "start"), ext(203, "start")] };

let serial = 700;

/**
 * A tenant applied as `before`, its source edited to `after`, and a plan of it saved to
 * text and read back. `changedSource` is the same source with the other edits the cases make.
 */
async function scenario() {
  const n = serial++;
  const tenant = `SP${n}`;
  const old = worldOf(before, tenant, n);
  const now = worldOf(after, tenant, n);
  const env = { ...now.env };
  const source = new MemorySource(worldFiles(old), { name: tenant, load: { env } });
  const store = new MemoryReconcileStore();
  const deps = { client: e.client, store, logger, secrets: testSecrets };
  done(await reconcileTenant({ source, tenant }, deps), "the first apply");
  source.set(worldFile, worldFiles(now)[worldFile] ?? "");
  const planned = done(await planTenants({ source, tenants: [tenant] }, deps), "the plan");
  const text = savedText(planned);
  const saved = (from: DesiredStateSource = source) => savedToApply(parseSavedPlan(text, "plan.json"), from);
  const live = async (): Promise<LiveState> => observe(e.client, { tenants: [tenant] });
  return { tenant, n, now, env, source, store, deps, planned, text, saved, live };
}

/** Applies `p` expecting a refusal; returns the reason, and checks that nothing was written. */
async function refused(s: Awaited<ReturnType<typeof scenario>>, from?: DesiredStateSource): Promise<string> {
  const platformWrites = writes();
  const inventory = JSON.stringify(s.store.entries());
  const out = await applyPlan(s.saved(from), s.deps);
  if (out.status !== "terminal") throw new Error(`want terminal, got ${out.status}`);
  expect(out.reason.startsWith(errPlanStale), out.reason).toBe(true);
  expect(writes() - platformWrites, "platform writes").toBe(0);
  expect(JSON.stringify(s.store.entries()), "inventory").toBe(inventory);
  return out.reason;
}

describe("saved plans", () => {
  it("apply exactly the plan saved, read back from its text", async () => {
    const s = await scenario();
    const wanted = s.planned.plan.changes
      .filter((c) => c.action !== "noop")
      .map((c) => `${c.action} ${c.key}`);
    expect(wanted).toEqual([
      `update Extension/${s.tenant}/pbx0/201`,
      `create Extension/${s.tenant}/pbx0/203`,
    ]);
    const platformWrites = writes();
    const applied = done(await applyPlan(s.saved(), s.deps), "apply of the saved plan");
    expect(applied.applied.steps.map((st) => `${st.action} ${st.key} ${st.outcome}`)).toEqual(
      wanted.map((w) => `${w} ok`),
    );
    expect(writes() - platformWrites, "one platform write per change").toBe(2);
    const again = done(await planTenants({ source: s.source, tenants: [s.tenant] }, s.deps), "plan after");
    expect(again.plan.changes.filter((c) => c.action !== "noop")).toEqual([]);
  });

  it("are refused, naming the revisions, when the source changed since", async () => {
    const s = await scenario();
    s.source.set(worldFile, (worldFiles(s.now)[worldFile] ?? "").replace("license: start", "license: plus"));
    const reason = await refused(s);
    expect(reason).toContain(
      `the source changed since the plan: revision ${s.planned.revision} is now ${(await s.source.read()).revision}`,
    );
  });

  it("are refused, naming the field, when a live object the plan names was changed by hand", async () => {
    const s = await scenario();
    const live = await s.live();
    const customer = live.tenants[0]?.id ?? "";
    await e.client.pbxs(customer).update(live.pbxs[0]?.id ?? "", { hotel: true });
    const reason = await refused(s);
    expect(reason).toContain(
      `Pbx/${s.tenant}/pbx0: changed on the platform since the plan (spec.hotel: false → true)`,
    );
  });

  it("are refused when a live object the plan names was deleted by hand", async () => {
    const s = await scenario();
    const live = await s.live();
    const key = `Extension/${s.tenant}/pbx0/202`;
    const gone = live.extensions.find((x) => x.key === key);
    await e.client.extensions(live.tenants[0]?.id ?? "").delete(gone?.id ?? "");
    const reason = await refused(s);
    expect(reason).toContain(`${key}: deleted from the platform since the plan`);
  });

  it("are refused when the inventory entry of a key the plan names changed", async () => {
    const s = await scenario();
    const key = `Extension/${s.tenant}/pbx0/202`;
    const entry = s.store.entries().find((x) => x.key === key);
    if (!entry) throw new Error(`want an inventory entry for ${key}`);
    await s.store.upsertInventory({ ...entry, deletionPolicy: "orphan" });
    const reason = await refused(s);
    expect(reason).toContain(`${key}: the state store's entry changed since the plan`);
  });

  it("are refused when a secret the plan sends changed (same manifests, another PIN)", async () => {
    const s = await scenario();
    const pinVar = `OMNIA_SECRET_PIN_${s.tenant}_PBX0_203`;
    expect(s.env[pinVar], "the new extension's PIN variable").toBeDefined();
    const other = new MemorySource(worldFiles(s.now), {
      name: s.tenant,
      load: { env: { ...s.env, [pinVar]: "98765" } },
    });
    expect((await other.read()).revision, "same manifests, same revision").toBe(s.planned.revision);
    const reason = await refused(s, other);
    expect(reason).toContain(`Extension/${s.tenant}/pbx0/203: the secret spec.pin changed since the plan`);
  });

  it("never hold a PIN or password value in their text", async () => {
    const pin = fc.stringMatching(/^[0-9]{8,10}$/);
    const password = fc.stringMatching(/^[A-Za-z0-9!#%+-]{12,24}$/);
    let n = 800;
    await fc.assert(
      fc.asyncProperty(fc.array(pin, { minLength: 2, maxLength: 2 }), password, async (pins, pw) => {
        const code = `SQ${n}`;
        const world = worldOf({ ...after, trunk: { operator: "Fastweb", password: true } }, code, n++);
        const values = Object.keys(world.env)
          .sort()
          .map((k, i) => [k, k.startsWith("PW_") ? pw : (pins[i % 2] ?? "")] as const);
        world.env = Object.fromEntries(values);
        const planned = done(
          await planTenants(
            { source: worldSource(world), tenants: [code] },
            {
              client: e.client,
              store: new MemoryReconcileStore(),
              logger,
              secrets: testSecrets,
            },
          ),
          "plan",
        );
        expect(planned.plan.changes.some((c) => c.kind === "SipTrunk" && c.action === "create")).toBe(true);
        // The plan in memory holds the values (apply sends them); the text must not.
        const held = planned.plan.changes.flatMap((c) =>
          Object.values((c.desired?.spec ?? {}) as Record<string, unknown>).flatMap((v) =>
            v instanceof Secret ? [v.reveal()] : [],
          ),
        );
        expect(new Set(held)).toEqual(new Set(values.map(([, v]) => v)));
        const text = savedText(planned);
        for (const [name, value] of values)
          expect(text.includes(value), `${name}=${value} in the text`).toBe(false);
      }),
      { numRuns: 15 },
    );
  });
});
