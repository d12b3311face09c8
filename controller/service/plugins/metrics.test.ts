import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ServiceFixture, serviceFixture } from "../../test-support/memory-control.js";
import { createControllerMetrics } from "../metrics.js";
import { errMetricsToken } from "./metrics.js";

/** The value of the sample `name{labels}` in a text exposition, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("/metrics", () => {
  let f: ServiceFixture;
  beforeEach(async () => {
    f = await serviceFixture();
  });
  afterEach(() => f.app.close());

  const scrape = async () => {
    const res = await f.app.inject({ method: "GET", url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.body;
  };

  it("reports what the observer was told, in Prometheus's text format", async () => {
    const m = f.app.metrics;
    m.reconcileFinished({ mode: "apply", outcome: "done", durationMs: 1500 });
    m.reconcileFinished({ mode: "apply", outcome: "done", durationMs: 500 });
    m.reconcileFinished({ mode: "drift", outcome: "retry", durationMs: 100 });
    m.driftedResources("acme-git", "ACME001", { Extension: 3, Pbx: 1 });
    m.platformCall({ account: "acme", method: "GET", status: 200, durationMs: 20 });
    m.platformCall({ account: "acme", method: "PUT", status: 429, durationMs: 5 });
    m.platformCall({ account: "acme", method: "PUT", status: 503, durationMs: 5 });
    m.platformCall({ account: "acme", method: "GET", status: 0, durationMs: 30_000 });
    const text = await scrape();
    expect(text).toContain("# TYPE omnia_reconciles_total counter");
    expect(text).toContain("# TYPE omnia_reconcile_duration_seconds histogram");
    const want: [string, number][] = [
      ['omnia_reconciles_total{mode="apply",outcome="done"}', 2],
      ['omnia_reconciles_total{mode="drift",outcome="retry"}', 1],
      ['omnia_reconcile_duration_seconds_sum{mode="apply",outcome="done"}', 2],
      ['omnia_reconcile_duration_seconds_count{mode="apply",outcome="done"}', 2],
      ['omnia_reconcile_duration_seconds_bucket{le="1",mode="apply",outcome="done"}', 1],
      ['omnia_drifted_resources{source="acme-git",tenant="ACME001",kind="Extension"}', 3],
      ['omnia_drifted_resources{source="acme-git",tenant="ACME001",kind="Pbx"}', 1],
      ['omnia_platform_requests_total{account="acme",method="PUT",status="429"}', 1],
      ['omnia_platform_errors_total{account="acme",reason="429"}', 1],
      ['omnia_platform_errors_total{account="acme",reason="5xx"}', 1],
      ['omnia_platform_errors_total{account="acme",reason="no-answer"}', 1],
      ['omnia_platform_request_duration_seconds_count{account="acme",method="GET"}', 2],
    ];
    expect(want.map(([s]) => [s, sample(text, s)])).toEqual(want);
  });

  it("drops the series of kinds no longer drifted", async () => {
    f.app.metrics.driftedResources("acme-git", "ACME001", { Extension: 3, Pbx: 1 });
    f.app.metrics.driftedResources("acme-git", "ACME001", { Extension: 1 });
    const text = await scrape();
    expect(sample(text, 'omnia_drifted_resources{source="acme-git",tenant="ACME001",kind="Extension"}')).toBe(
      1,
    );
    expect(
      sample(text, 'omnia_drifted_resources{source="acme-git",tenant="ACME001",kind="Pbx"}'),
    ).toBeUndefined();
  });

  it("reads the queue depth and the lease holders from the store at each scrape", async () => {
    const s = f.deps.store;
    const req = (tenant: string, mode: "apply" | "drift", claimedBy: string | null) => ({
      source: "acme-git",
      tenant,
      mode,
      reasons: ["interval" as const],
      generation: 1,
      notBefore: new Date(),
      attempts: 0,
      requestedAt: new Date(),
      claimedBy,
      claimedUntil: null,
    });
    s.requests.push(
      req("A", "apply", null),
      req("B", "apply", null),
      req("C", "drift", null),
      req("D", "apply", "w1"),
    );
    const later = new Date(Date.now() + 60_000);
    s.leases.push(
      { tenant: "D", holder: "h1/1/r1", acquiredAt: new Date(), expiresAt: later },
      { tenant: "E", holder: "h1/1/r1", acquiredAt: new Date(), expiresAt: later },
      { tenant: "F", holder: "h2/7/r2", acquiredAt: new Date(), expiresAt: later },
    );
    let text = await scrape();
    expect(sample(text, 'omnia_queue_depth{mode="apply"}')).toBe(2);
    expect(sample(text, 'omnia_queue_depth{mode="drift"}')).toBe(1);
    expect(sample(text, 'omnia_tenant_leases{holder="h1/1/r1"}')).toBe(2);
    expect(sample(text, 'omnia_tenant_leases{holder="h2/7/r2"}')).toBe(1);
    s.leases.splice(0, 2);
    text = await scrape();
    expect(sample(text, 'omnia_tenant_leases{holder="h1/1/r1"}')).toBeUndefined();
  });

  it("keeps one registry per app", () => {
    const a = createControllerMetrics({ defaultMetrics: false });
    const b = createControllerMetrics({ defaultMetrics: false });
    a.reconcileFinished({ mode: "apply", outcome: "done", durationMs: 1 });
    expect(a.registry).not.toBe(b.registry);
    return b.registry.getSingleMetricAsString("omnia_reconciles_total").then((t) => {
      expect(t).not.toMatch(/omnia_reconciles_total\{/);
    });
  });

  it("collects the process metrics by default", async () => {
    const m = createControllerMetrics();
    expect(await m.registry.metrics()).toContain("omnia_process_resident_memory_bytes");
  });

  it("asks for the operator's scrape token when one is configured, since its series name every partner's tenants", async () => {
    await f.app.close();
    f = await serviceFixture({ metricsToken: { fromEnv: "OMNIA_SECRET_SCRAPE" } });
    f.deps.secrets.set("OMNIA_SECRET_SCRAPE", "scrape-secret-123");
    const get = (authorization?: string) =>
      f.app.inject({ method: "GET", url: "/metrics", headers: authorization ? { authorization } : {} });
    for (const bad of [
      undefined,
      "Bearer wrong",
      "Bearer scrape-secret-12",
      "scrape-secret-123",
      `Bearer ${f.tokens.acmeAdmin}`,
    ]) {
      const res = await get(bad);
      expect(res.statusCode, String(bad)).toBe(401);
      expect(res.json().detail).toBe(errMetricsToken);
    }
    const ok = await get("Bearer scrape-secret-123");
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain("omnia_queue_depth");
  });
});
