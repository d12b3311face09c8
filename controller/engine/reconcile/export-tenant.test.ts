import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultSourceName, FolderSource } from "../../sources/folder.js";
import { make, testSecrets } from "../../test-support/fakes.js";
import { MemoryReconcileStore } from "../../test-support/memory-store.js";
import { type EngineStandin, startEngineStandin } from "../../test-support/standin.js";
import { isEmptyPlan } from "../plan/plan.js";
import {
  errOutNotEmpty,
  errTenantAmbiguous,
  errTenantNotFound,
  exportTenant,
  resolveTenantCode,
} from "./export-tenant.js";
import { planTenants } from "./plan-tenants.js";
import { reconcileTenant } from "./reconcile-tenant.js";
import { unknownSecretHash } from "./secrets.js";

let e: EngineStandin;
beforeAll(async () => {
  e = await startEngineStandin();
  await e.create(
    make.tenant("EX1"),
    make.user("EX1", "ada@ex1.example", { spec: { department: "R&D" } }),
    make.trunk("EX1", "op", "pw"),
    make.pbx("EX1", "hq", { spec: { callCenter: true } }),
    make.number("EX1", "+390212345600", "hq", "op"),
    make.extension("EX1", "hq", "201", "1234", "ada@ex1.example", { spec: { license: "plus" } }),
    make.extension("EX1", "hq", "202", "1234", undefined, { spec: { status: "suspended" } }),
  );
});
afterAll(() => e.close());

const logger = pino({ level: "silent" });
const envFor = async (dir: string) => {
  const text = await readFile(join(dir, "EX1", "secrets.env.example"), "utf8");
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) if (/^[A-Z]/.test(line)) env[line.replace(/=$/, "")] = "5678";
  return env;
};

describe("exportTenant", () => {
  it("writes the tenant, adopts it, and a plan of the written folder shows no change", async () => {
    const out = await mkdtemp(join(tmpdir(), "omnia-export-run-"));
    const store = new MemoryReconcileStore();
    const r = await exportTenant(e.client, store, { tenant: "EX1", out, source: defaultSourceName });
    expect((await readdir(join(out, "EX1"))).sort()).toEqual([
      "extensions.yaml",
      "numbers.yaml",
      "pbxs.yaml",
      "secrets.env.example",
      "tenant.yaml",
      "trunks.yaml",
      "users.yaml",
    ]);
    expect(r.adopted).toBe(7);
    expect(r.secretVariables).toEqual([
      "OMNIA_SECRET_TRUNK_PASSWORD_EX1_OP",
      "OMNIA_SECRET_PIN_EX1_HQ_201",
      "OMNIA_SECRET_PIN_EX1_HQ_202",
    ]);
    expect(store.entries().find((x) => x.key === "Extension/EX1/hq/201")?.secretHashes).toEqual({
      "spec.pin": unknownSecretHash,
    });

    const deps = { client: e.client, store, logger, secrets: testSecrets };
    const source = new FolderSource(out, { load: { env: await envFor(out) } });
    const first = await reconcileTenant({ source, tenant: "EX1" }, deps);
    if (first.status !== "done") throw new Error(`want done, got ${first.status}: ${first.reason}`);
    const firstPlan = first.result.planned.plan;
    const changed = firstPlan.changes.filter((c) => c.action !== "noop").map((c) => `${c.action} ${c.key}`);
    expect(changed, "changes planned right after export").toEqual([]);
    expect(isEmptyPlan(firstPlan)).toBe(true);
    expect(first.result.executed, "nothing applied").toBeUndefined();
    // The first run recorded the declared secrets' hashes: a changed PIN now shows.
    expect(store.entries().find((x) => x.key === "Extension/EX1/hq/201")?.secretHashes["spec.pin"]).not.toBe(
      unknownSecretHash,
    );
    const env2 = { ...(await envFor(out)), OMNIA_SECRET_PIN_EX1_HQ_201: "9999" };
    const second = await planTenants(
      { source: new FolderSource(out, { load: { env: env2 } }), tenants: ["EX1"] },
      deps,
    );
    if (second.status !== "done") throw new Error(`want done, got ${second.status}: ${second.reason}`);
    expect(
      second.result.plan.changes.filter((c) => c.action !== "noop").map((c) => [c.key, c.diffs]),
    ).toEqual([["Extension/EX1/hq/201", [{ path: "spec.pin", sensitive: true }]]]);
  });

  it("says which tenant is not on the platform", async () => {
    const out = await mkdtemp(join(tmpdir(), "omnia-export-run-"));
    await expect(
      exportTenant(e.client, undefined, { tenant: "NOPE", out, source: defaultSourceName }),
    ).rejects.toThrow(`${errTenantNotFound}: NOPE`);
  });

  it("refuses to overwrite an existing tenant folder without force", async () => {
    const out = await mkdtemp(join(tmpdir(), "omnia-export-run-"));
    await mkdir(join(out, "EX1"));
    await writeFile(join(out, "EX1", "tenant.yaml"), "hand-written");
    await expect(
      exportTenant(e.client, undefined, { tenant: "EX1", out, source: defaultSourceName }),
    ).rejects.toThrow(errOutNotEmpty);
    await exportTenant(e.client, undefined, { tenant: "EX1", out, source: defaultSourceName, force: true });
    expect(await readFile(join(out, "EX1", "tenant.yaml"), "utf8")).toContain("customerCode: EX1");
  });
});

describe("resolveTenantCode", () => {
  const customers = [
    { customerCode: "BRAMBILLA01", businessName: "Ferramenta Brambilla S.r.l." },
    { customerCode: "LAGO02", businessName: "Hotel Lago Maggiore S.p.A." },
    { customerCode: "lago03", businessName: "Hotel Lago Maggiore Due" },
  ];
  it.each([
    ["the customer code", "BRAMBILLA01", "BRAMBILLA01"],
    ["the code in another letter case", "brambilla01", "BRAMBILLA01"],
    ["the Tenant manifest's name", "ferramenta-brambilla", "BRAMBILLA01"],
    ["the business name as the platform shows it", "Ferramenta Brambilla S.r.l.", "BRAMBILLA01"],
    ["an exact code that differs from another only in case", "lago03", "lago03"],
    ["a full name that a longer one starts with", "hotel-lago-maggiore-s-p-a", "LAGO02"],
  ])("takes %s", (_case, asked, want) => {
    expect(resolveTenantCode(customers, asked)).toBe(want);
  });

  it("lists the candidates when a name matches more than one customer", () => {
    expect(() => resolveTenantCode(customers, "hotel-lago-maggiore")).toThrow(
      `${errTenantAmbiguous}: hotel-lago-maggiore: LAGO02 (Hotel Lago Maggiore S.p.A.), lago03 (Hotel Lago Maggiore Due)`,
    );
  });

  it("lists the codes that exist when nothing matches", () => {
    expect(() => resolveTenantCode(customers, "ACME")).toThrow(
      `${errTenantNotFound}: ACME; the platform has: BRAMBILLA01 (Ferramenta Brambilla S.r.l.), LAGO02 (Hotel Lago Maggiore S.p.A.), lago03 (Hotel Lago Maggiore Due)`,
    );
    expect(() => resolveTenantCode([], "ACME")).toThrow(
      `${errTenantNotFound}: ACME; the platform has no customer yet`,
    );
  });
});
