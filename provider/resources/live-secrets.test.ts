/**
 * What needs the controller routes of issue 11 that branch h-ctl adds
 * (`GET /v1/tenants/{tenant}/live/{Kind}/{key}`, `PUT /v1/tenants/{tenant}/secrets/{name}`,
 * and the 409 of a resource another source owns), against the real controller service and
 * the stand-in: refresh with no diff, a hand edit on the platform showing in the plan,
 * import, a write-only PIN that reaches the platform and never the state, the data
 * sources, and the conflict with a YAML source. Until h-ctl is merged these tests fail with
 * 404s from the controller: they are written against the routes' documented shapes.
 */
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { TfObject } from "../plugin/contract.js";
import { errConflict } from "./controller-client.js";
import { errImportFormat, errImportMissing } from "./resource.js";
import {
  configOf,
  ctx,
  planAndApply,
  proposedOf,
  resourceOf,
  useProviderWorld,
} from "./test-support/world.js";

const w = useProviderWorld();
const tenant = "TFLIVE01";
const pin = "258013";

const tenantConfig: TfObject = {
  business_name: "TF Live S.r.l.",
  customer_code: tenant,
  vat_number: "08712340150",
  fiscal_code: "08712340150",
};
const extensionConfig: TfObject = {
  tenant,
  pbx: "hq",
  number: "201",
  license: "start",
  pin,
  pin_wo_version: 1,
};

/** The stand-in's extension `number` of `code`. */
function extensionOnPlatform(code: string, number: string) {
  const customer = [...w.standin.state.customers.values()].find((c) => c.customerCode === code);
  return [...w.standin.state.extensions.values()].find(
    (x) => x.customerId === customer?.id && String(x.number) === number,
  );
}

/** Whether the stand-in's salted PIN hash is that of `value`. */
function pinIs(hash: string, value: string): boolean {
  const [salt, digest] = hash.split(":");
  return createHash("sha256").update(`${salt}:${value}`).digest("hex") === digest;
}

describe("read, import, secrets and data sources (routes of h-ctl)", () => {
  let ext: TfObject | null = null;

  it("applies a tenant, a PBX and an extension whose PIN is write-only: on the platform, never in state", async () => {
    const p = await w.provider();
    for (const [type, set] of [
      ["kalliope_tenant", tenantConfig],
      ["kalliope_pbx", { tenant, name: "hq", kind: "single" }],
    ] as const) {
      const { applied } = await planAndApply(resourceOf(p, type), set, null);
      expect(applied.diagnostics).toEqual([]);
    }
    const { plan, applied } = await planAndApply(resourceOf(p, "kalliope_extension"), extensionConfig, null);
    expect(applied.diagnostics).toEqual([]);
    ext = applied.newState;
    expect(ext).toMatchObject({
      pin: null,
      pin_wo_version: 1,
      pin_from_env: null,
      platform_status: "active",
    });
    for (const value of [plan.plannedState, ext, plan.diagnostics, applied.diagnostics])
      expect(JSON.stringify(value)).not.toContain(pin);
    const onPlatform = extensionOnPlatform(tenant, "201");
    expect(onPlatform && pinIs(onPlatform.pinHash, pin)).toBe(true);
    // Nothing the controller stored or answers holds the PIN in clear.
    const stored = await fetch(
      `${w.controller.url}/v1/tenants/${tenant}/resources/Extension/${encodeURIComponent(`${tenant}/hq/201`)}`,
      {
        headers: { authorization: `Bearer ${w.token}` },
      },
    );
    const text = await stored.text();
    expect(stored.status, text).toBe(200);
    expect(text).not.toContain(pin);
    expect(JSON.parse(text).resource.document.spec.pin).toEqual({
      fromSecret: "extension-tflive01-hq-201-pin",
    });
  });

  it("a refresh of an unchanged extension gives its state back, so the next plan is empty", async () => {
    const p = await w.provider();
    const r = resourceOf(p, "kalliope_extension");
    const read = await r.read(ext as TfObject, new Uint8Array(), ctx);
    expect(read.diagnostics).toEqual([]);
    expect(read.newState).toEqual(ext);
    const config = configOf(r, extensionConfig);
    const plan = await r.plan(
      {
        priorState: read.newState,
        proposedNewState: proposedOf(r, config, read.newState),
        config,
        priorPrivate: new Uint8Array(),
      },
      ctx,
    );
    expect(plan.plannedState).toEqual(read.newState);
  });

  it("a hand edit on the platform shows in the refreshed state, and the plan puts it back", async () => {
    const onPlatform = extensionOnPlatform(tenant, "201");
    if (!onPlatform) throw new Error("extension 201 is not on the stand-in");
    onPlatform.license = "plus";
    const p = await w.provider();
    const r = resourceOf(p, "kalliope_extension");
    const read = await r.read(ext as TfObject, new Uint8Array(), ctx);
    expect(read.newState).toMatchObject({ license: "plus" });
    const config = configOf(r, extensionConfig);
    const plan = await r.plan(
      {
        priorState: read.newState,
        proposedNewState: proposedOf(r, config, read.newState),
        config,
        priorPrivate: new Uint8Array(),
      },
      ctx,
    );
    expect(plan.plannedState).toMatchObject({ license: "start" });
    expect(plan.requiresReplace).toEqual([]);
  });

  it("imports an existing extension by TENANT/PBX/NUMBER; a wrong shape or a missing one is a clear error", async () => {
    const p = await w.provider();
    const r = resourceOf(p, "kalliope_extension");
    const got = await r.import(`${tenant}/hq/201`, ctx);
    expect(got.diagnostics).toEqual([]);
    expect(got.state).toMatchObject({
      id: `${tenant}/hq/201`,
      tenant,
      pbx: "hq",
      number: "201",
      pin: null,
      platform_id: ext?.platform_id,
    });
    const bad = await r.import(`${tenant}/201`, ctx);
    expect(bad.state).toBeNull();
    expect(bad.diagnostics[0]).toMatchObject({ severity: "error", summary: errImportFormat });
    expect(bad.diagnostics[0]?.detail).toContain("TENANT/PBX/NUMBER");
    const missing = await r.import(`${tenant}/hq/299`, ctx);
    expect(missing.state).toBeNull();
    expect(missing.diagnostics[0]).toMatchObject({ summary: errImportMissing });
  });

  it("a destroyed object reads as null, so Terraform plans a create", async () => {
    const p = await w.provider();
    const r = resourceOf(p, "kalliope_extension");
    const gone = { ...(ext as TfObject), id: `${tenant}/hq/298`, number: "298" };
    expect(await r.read(gone, new Uint8Array(), ctx)).toEqual({ newState: null, diagnostics: [] });
  });

  it("data sources read a tenant by customer code and a PBX by tenant and name", async () => {
    const p = await w.provider();
    const t = p.dataSources.find((d) => d.name === "kalliope_tenant");
    const got = await t?.read(
      { ...Object.fromEntries(t.schema.block.attributes.map((a) => [a.name, null])), customer_code: tenant },
      ctx,
    );
    expect(got?.diagnostics).toEqual([]);
    expect(got?.state).toMatchObject({
      customer_code: tenant,
      business_name: "TF Live S.r.l.",
      platform_status: "active",
    });
    const x = p.dataSources.find((d) => d.name === "kalliope_pbx");
    const pbx = await x?.read(
      { ...Object.fromEntries(x.schema.block.attributes.map((a) => [a.name, null])), tenant, name: "hq" },
      ctx,
    );
    expect(pbx?.state).toMatchObject({ tenant, name: "hq", kind: "single" });
    const none = await x?.read(
      { ...Object.fromEntries(x.schema.block.attributes.map((a) => [a.name, null])), tenant, name: "nope" },
      ctx,
    );
    expect(none?.state).toBeNull();
    expect(none?.diagnostics).toHaveLength(1);
  });

  it("an extension a YAML source owns: the Terraform apply gets a conflict naming that source, and nothing changes", async () => {
    const code = "TFYAML01";
    await writeFile(
      join(w.yamlDir, "tenant.yaml"),
      `apiVersion: omnia.kalliope.io/v1
kind: Tenant
metadata: {name: tfyaml}
spec: {businessName: TF Yaml S.r.l., customerCode: ${code}, vatNumber: "08712340150", fiscalCode: "08712340150"}
---
apiVersion: omnia.kalliope.io/v1
kind: Pbx
metadata: {name: hq, tenant: ${code}}
spec: {kind: single}
---
apiVersion: omnia.kalliope.io/v1
kind: Extension
metadata: {name: hq-201, tenant: ${code}, pbx: hq}
spec: {number: "201", license: start, pin: {fromEnv: OMNIA_SECRET_DEMO_PIN_201}}
`,
    );
    const queued = await fetch(`${w.controller.url}/v1/sources/demo-yaml/tenants/${code}/reconcile`, {
      method: "POST",
      headers: { authorization: `Bearer ${w.token}` },
    });
    expect(queued.status, await queued.text()).toBeLessThan(300);
    for (let i = 0; i < 300 && !extensionOnPlatform(code, "201"); i++) await sleep(100);
    expect(extensionOnPlatform(code, "201")?.license).toBe("start");
    const p = await w.provider();
    const { applied } = await planAndApply(
      resourceOf(p, "kalliope_extension"),
      { ...extensionConfig, tenant: code, license: "plus" },
      null,
    );
    expect(applied.newState).toBeNull();
    expect(applied.diagnostics[0]).toMatchObject({ severity: "error", summary: errConflict });
    expect(applied.diagnostics[0]?.detail).toContain("demo-yaml");
    expect(JSON.stringify(applied.diagnostics)).not.toContain(pin);
    expect(extensionOnPlatform(code, "201")?.license).toBe("start");
  });
});
