import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TenantPhase, TenantStatus } from "../../model/control.js";
import { type ServiceFixture, serviceFixture } from "../../test-support/memory-control.js";

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 10, minute));

function status(
  source: string,
  tenant: string,
  phase: TenantPhase,
  drifted: number,
  minute: number,
): TenantStatus {
  return {
    source,
    tenant,
    partner: source.startsWith("acme") ? "acme" : "other",
    phase,
    reason: phase === "Failed" ? "tenant.yaml:3:5: vatNumber is invalid" : null,
    observedRevision: "abc123",
    lastRunId: `run-${tenant}`,
    lastRunAt: at(minute),
    drifted,
    attempts: 0,
    nextAttemptAt: null,
    updatedAt: at(minute),
  };
}

describe("tenant routes", () => {
  let f: ServiceFixture;
  beforeEach(async () => {
    f = await serviceFixture();
    const s = f.deps.store;
    s.putTenantStatus(status("acme-git", "ACME001", "InSync", 0, 1));
    s.putTenantStatus(status("acme-git", "ACME002", "Drifted", 3, 5));
    s.putTenantStatus(status("acme-git", "BETA001", "Failed", 0, 3));
    s.putTenantStatus(status("acme-api", "ACME003", "Drifted", 1, 2));
    s.putTenantStatus(status("other-git", "ACME009", "Drifted", 7, 4));
    s.resourceStatus.push({
      key: "Extension/ACME002/hq/201",
      kind: "Extension",
      tenant: "ACME002",
      lastOutcome: "ok",
      lastError: null,
      lastRunId: "run-ACME002",
      drift: "drifted",
      driftDiffs: [
        { path: "spec.license", before: "plus", after: "start" },
        { path: "spec.pin", sensitive: true },
      ],
      changedBy: {
        actor: "mario.rossi",
        at: at(4),
        ip: "203.0.113.7",
        log: "admin-console",
        operation: "update extension 201",
      },
      updatedAt: at(5),
    });
  });
  afterEach(() => f.app.close());

  const list = async (query: string, token = f.tokens.acmeRead) => {
    const res = await f.app.inject({ method: "GET", url: `/v1/tenants${query}`, headers: f.auth(token) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { items: TenantStatus[]; total: number; limit: number; offset: number };
  };
  const codes = (page: { items: TenantStatus[] }) => page.items.map((t) => t.tenant);

  it.each([
    ["", ["ACME001", "ACME002", "ACME003", "BETA001"], 4],
    ["?source=acme-git", ["ACME001", "ACME002", "BETA001"], 3],
    ["?phase=Drifted", ["ACME002", "ACME003"], 2],
    ["?q=beta", ["BETA001"], 1],
    ["?sort=drifted&order=desc", ["ACME002", "ACME003", "ACME001", "BETA001"], 4],
    ["?sort=lastRunAt&order=desc&limit=2", ["ACME002", "BETA001"], 4],
    ["?limit=2&offset=2", ["ACME003", "BETA001"], 4],
  ])("lists %s as %j of %i, never another partner's", async (query, want, total) => {
    const page = await list(query);
    expect({ codes: codes(page), total: page.total }).toEqual({ codes: want, total });
  });

  it("refuses a bad filter, naming it", async () => {
    const res = await f.app.inject({
      method: "GET",
      url: "/v1/tenants?phase=Happy",
      headers: f.auth(f.tokens.acmeRead),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe("querystring/phase");
  });

  it("shows one tenant with its drift diffs, who changed them, and its queued requests", async () => {
    f.deps.store.requests.push({
      source: "acme-git",
      tenant: "ACME002",
      mode: "apply",
      reasons: ["webhook"],
      generation: 2,
      notBefore: at(6),
      attempts: 1,
      requestedAt: at(5),
      claimedBy: null,
      claimedUntil: null,
    });
    const res = await f.app.inject({
      method: "GET",
      url: "/v1/sources/acme-git/tenants/ACME002",
      headers: f.auth(f.tokens.acmeRead),
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.status).toMatchObject({ tenant: "ACME002", phase: "Drifted", drifted: 3 });
    expect(body.resources[0]).toMatchObject({
      key: "Extension/ACME002/hq/201",
      drift: "drifted",
      driftDiffs: [
        { path: "spec.license", before: "plus", after: "start" },
        { path: "spec.pin", sensitive: true },
      ],
      changedBy: {
        actor: "mario.rossi",
        ip: "203.0.113.7",
        log: "admin-console",
        at: "2026-11-01T10:04:00.000Z",
      },
    });
    expect(body.queued).toEqual([
      {
        mode: "apply",
        reasons: ["webhook"],
        notBefore: "2026-11-01T10:06:00.000Z",
        attempts: 1,
        claimedBy: null,
      },
    ]);
  });

  it("answers 404 for a tenant the source does not have", async () => {
    const res = await f.app.inject({
      method: "GET",
      url: "/v1/sources/acme-git/tenants/ACME003",
      headers: f.auth(f.tokens.acmeRead),
    });
    expect(res.statusCode).toBe(404);
  });

  it.each([
    ["ACME002", undefined, "apply"],
    ["ACME002", { mode: "drift" }, "drift"],
    ["*", undefined, "apply"],
  ])("reconcile now queues %s (%j) as a manual %s request and records it", async (tenant, payload, mode) => {
    const res = await f.app.inject({
      method: "POST",
      url: `/v1/sources/acme-git/tenants/${encodeURIComponent(tenant)}/reconcile`,
      headers: f.auth(f.tokens.acmeWrite),
      ...(payload ? { payload } : {}),
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(f.deps.triggers).toEqual([{ source: "acme-git", tenant, reason: "manual", mode }]);
    expect(f.deps.store.events.at(-1)).toMatchObject({
      type: "api.change",
      tenant,
      source: "acme-git",
      data: { action: "reconcile.requested", mode },
    });
  });

  it("refuses a tenant code that is not one", async () => {
    const res = await f.app.inject({
      method: "POST",
      url: "/v1/sources/acme-git/tenants/a%20b/reconcile",
      headers: f.auth(f.tokens.acmeWrite),
    });
    expect(res.statusCode).toBe(400);
    expect(f.deps.triggers).toEqual([]);
  });
});
