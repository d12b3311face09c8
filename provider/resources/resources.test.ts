/**
 * The resources' life cycle against the real controller service and the stand-in platform,
 * in-process (test-support/world.ts): plan, apply (create, update, replace), destroy, a
 * reconcile that fails for good, and no secret anywhere. Read and import need the
 * controller's live route and are in live-secrets.test.ts.
 */
import { describe, expect, it } from "vitest";
import { errResourceInvalid } from "../../controller/service/errors.js";
import { type TfObject, type TfValue, unknown } from "../plugin/contract.js";
import { errReconcileFailed } from "./controller-client.js";
import { ctx, planAndApply, resourceOf, useProviderWorld } from "./test-support/world.js";

const w = useProviderWorld();
const tenant = "TFRES01";

const tenantConfig: TfObject = {
  business_name: "TF Res S.r.l.",
  customer_code: tenant,
  vat_number: "08712340150",
  fiscal_code: "08712340150",
};
const pbxConfig: TfObject = { tenant, name: "hq", kind: "single" };
const extensionConfig: TfObject = {
  tenant,
  pbx: "hq",
  number: "201",
  license: "start",
  pin_from_env: "OMNIA_SECRET_PIN_201",
};

/** Whether a value holds an unknown anywhere. */
const holdsUnknown = (v: TfValue): boolean =>
  v === unknown || (v !== null && typeof v === "object" && Object.values(v).some(holdsUnknown));

/** The stand-in's extensions of the test tenant, by number. */
function extensionsOnPlatform(): Map<string, { license: string }> {
  const customer = [...w.standin.state.customers.values()].find((c) => c.customerCode === tenant);
  const out = new Map<string, { license: string }>();
  for (const x of w.standin.state.extensions.values())
    if (x.customerId === customer?.id) out.set(String(x.number), x);
  return out;
}

describe("resources against the controller and the stand-in", () => {
  let extensionState: TfObject | null = null;

  it("creates a tenant: the plan shows defaults, id and derived name, unknown platform values; apply fills them", async () => {
    const p = await w.provider();
    const r = resourceOf(p, "kalliope_tenant");
    const { plan, applied } = await planAndApply(r, tenantConfig, null);
    expect(plan.plannedState).toMatchObject({
      id: tenant,
      name: "tfres01",
      deletion_policy: "delete",
      omnia_manager: true,
      status: "active",
      platform_id: unknown,
      platform_status: unknown,
    });
    expect(applied.diagnostics).toEqual([]);
    const state = applied.newState as TfObject;
    expect(holdsUnknown(state)).toBe(false);
    expect(state).toMatchObject({ id: tenant, business_name: "TF Res S.r.l.", name: "tfres01" });
    expect(typeof state.platform_id).toBe("string");
    const customer = [...w.standin.state.customers.values()].find((c) => c.customerCode === tenant);
    expect(customer?.id).toBe(state.platform_id);
  });

  it("creates a PBX and an extension whose PIN the controller reads from its environment", async () => {
    const p = await w.provider();
    const pbx = await planAndApply(resourceOf(p, "kalliope_pbx"), pbxConfig, null);
    expect(pbx.applied.diagnostics).toEqual([]);
    const ext = await planAndApply(resourceOf(p, "kalliope_extension"), extensionConfig, null);
    expect(ext.applied.diagnostics).toEqual([]);
    extensionState = ext.applied.newState;
    expect(extensionState).toMatchObject({
      id: `${tenant}/hq/201`,
      name: "tfres01-hq-201",
      license: "start",
      pin: null,
      pin_from_env: "OMNIA_SECRET_PIN_201",
    });
    expect(holdsUnknown(extensionState as TfObject)).toBe(false);
    expect(extensionsOnPlatform().get("201")?.license).toBe("start");
    // More objects, so that destroying one stays under the engine's mass-delete guard
    // (at most 20% of a tenant's managed objects per run without --allow-mass-delete).
    for (const number of ["210", "211", "212", "213", "214"]) {
      const more = await planAndApply(
        resourceOf(p, "kalliope_extension"),
        { ...extensionConfig, number },
        null,
      );
      expect(more.applied.diagnostics).toEqual([]);
    }
  });

  it("updates a license in place, and a key change (the number) replaces", async () => {
    const p = await w.provider();
    const r = resourceOf(p, "kalliope_extension");
    const update = await planAndApply(r, { ...extensionConfig, license: "plus" }, extensionState);
    expect(update.plan.requiresReplace).toEqual([]);
    expect(update.plan.plannedState).toMatchObject({
      platform_id: extensionState?.platform_id,
      platform_status: unknown,
    });
    expect(update.applied.diagnostics).toEqual([]);
    extensionState = update.applied.newState;
    expect(extensionsOnPlatform().get("201")?.license).toBe("plus");

    const replace = await r.plan(
      {
        priorState: extensionState,
        proposedNewState: { ...(extensionState as TfObject), number: "202" },
        config: { ...(extensionState as TfObject), number: "202" },
        priorPrivate: new Uint8Array(),
      },
      ctx,
    );
    expect(replace.requiresReplace).toEqual([[{ attribute: "number" }]]);
    expect(replace.plannedState).toMatchObject({ id: `${tenant}/hq/202`, platform_id: unknown });
  });

  it("a change of only pin_wo_version is an update, not a replacement", async () => {
    const p = await w.provider();
    const r = resourceOf(p, "kalliope_extension");
    const next = { ...(extensionState as TfObject), pin_wo_version: 2 };
    const plan = await r.plan(
      { priorState: extensionState, proposedNewState: next, config: next, priorPrivate: new Uint8Array() },
      ctx,
    );
    expect(plan.requiresReplace).toEqual([]);
    expect(plan.plannedState).toMatchObject({ pin_wo_version: 2, platform_id: extensionState?.platform_id });
  });

  it("an unchanged configuration plans exactly the prior state", async () => {
    const p = await w.provider();
    const r = resourceOf(p, "kalliope_extension");
    const prior = extensionState as TfObject;
    const config = {
      ...prior,
      id: null,
      name: null,
      platform_id: null,
      platform_status: null,
      meeting_id: null,
    };
    const plan = await r.plan(
      { priorState: prior, proposedNewState: prior, config, priorPrivate: new Uint8Array() },
      ctx,
    );
    expect(plan.plannedState).toEqual(prior);
  });

  it("a document its source refuses is an error naming the problem, and nothing is kept", async () => {
    const p = await w.provider();
    const r = resourceOf(p, "kalliope_extension");
    // PBX "branch" is declared nowhere: the controller's check against the source refuses it.
    const { applied } = await planAndApply(r, { ...extensionConfig, pbx: "branch", number: "301" }, null);
    expect(applied.newState).toBeNull();
    expect(applied.diagnostics).toHaveLength(1);
    expect(applied.diagnostics[0]).toMatchObject({ severity: "error", summary: errReconcileFailed });
    expect(applied.diagnostics[0]?.detail).toContain(errResourceInvalid);
    expect(applied.diagnostics[0]?.detail).toContain("PBX 'branch' is not declared in tenant 'TFRES01'");
    expect(extensionsOnPlatform().has("301")).toBe(false);
    // Nothing stored: the tenant's other resources still reconcile.
    const stored = await w.controller.store.getStoredResource("demo-tf", "Extension/TFRES01/branch/301");
    expect(stored).toBeUndefined();
  });

  it("destroys the extension: DELETE ?wait=true removes it from the platform", async () => {
    const p = await w.provider();
    const r = resourceOf(p, "kalliope_extension");
    const plan = await r.plan(
      { priorState: extensionState, proposedNewState: null, config: null, priorPrivate: new Uint8Array() },
      ctx,
    );
    expect(plan.plannedState).toBeNull();
    const applied = await r.apply(
      { priorState: extensionState, plannedState: null, config: null, plannedPrivate: new Uint8Array() },
      ctx,
    );
    expect(applied).toEqual({ newState: null, diagnostics: [] });
    expect(extensionsOnPlatform().has("201")).toBe(false);
    // Destroying what is already gone succeeds (Terraform may retry a destroy).
    const again = await r.apply(
      { priorState: extensionState, plannedState: null, config: null, plannedPrivate: new Uint8Array() },
      ctx,
    );
    expect(again).toEqual({ newState: null, diagnostics: [] });
  });

  it("a provider call before configure is a clear error, not a crash", async () => {
    const { createKalliopeProvider } = await import("./index.js");
    const r = resourceOf(createKalliopeProvider({ env: {} }), "kalliope_pbx");
    const applied = await r.apply(
      {
        priorState: null,
        plannedState: { ...pbxConfig, id: `${tenant}/hq` },
        config: pbxConfig,
        plannedPrivate: new Uint8Array(),
      },
      ctx,
    );
    expect(applied.diagnostics[0]?.detail).toMatch(/not configured/);
  });
});
