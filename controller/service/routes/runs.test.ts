import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunOutcome, RunRecord, StepRecord, StepState } from "../../model/run.js";
import { type ServiceFixture, serviceFixture } from "../../test-support/memory-control.js";

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 10, minute));

function run(
  id: string,
  source: string,
  tenant: string,
  minute: number,
  outcome: RunOutcome | null,
): RunRecord {
  return {
    id,
    mode: id.includes("drift") ? "drift" : "apply",
    source,
    tenants: [tenant],
    startedAt: at(minute),
    finishedAt: outcome ? at(minute + 1) : null,
    outcome,
    summary: { update: 1 },
    error: outcome === "failed" ? "Extension/ACME001/hq/201: platform said 409" : null,
    holder: "host/1/run",
    heartbeatAt: at(minute),
  };
}

function step(runId: string, seq: number, state: StepState, kind: "Extension" | "Pbx"): StepRecord {
  return {
    runId,
    seq,
    action: "update",
    kind,
    key: `${kind}/ACME001/x${seq}`,
    tenant: "ACME001",
    state,
    requestId: null,
    platformId: null,
    adopted: false,
    startedAt: at(seq),
    finishedAt: at(seq),
    durationMs: 12,
    error: null,
    skipReason: null,
  };
}

describe("run routes", () => {
  let f: ServiceFixture;
  beforeEach(async () => {
    f = await serviceFixture();
    f.deps.store.runs.push(
      run("r1", "acme-git", "ACME001", 1, "ok"),
      run("r2", "acme-git", "ACME002", 2, "failed"),
      run("r3-drift", "acme-api", "ACME001", 3, "changes"),
      run("r4", "acme-git", "ACME001", 4, null),
      run("x1", "other-git", "ACME001", 5, "ok"),
    );
    f.deps.store.steps.push(
      step("r1", 1, "ok", "Pbx"),
      step("r1", 2, "failed", "Extension"),
      step("r1", 3, "ok", "Extension"),
      step("x1", 1, "ok", "Pbx"),
    );
  });
  afterEach(() => f.app.close());

  const get = async (url: string) => {
    const res = await f.app.inject({ method: "GET", url, headers: f.auth(f.tokens.acmeRead) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const ids = (page: { items: { id: string }[] }) => page.items.map((r) => r.id);

  it.each([
    ["", ["r4", "r3-drift", "r2", "r1"]],
    ["?source=acme-git", ["r4", "r2", "r1"]],
    ["?tenant=ACME001", ["r4", "r3-drift", "r1"]],
    ["?outcome=failed", ["r2"]],
    ["?mode=drift", ["r3-drift"]],
    [`?before=${at(3).toISOString()}`, ["r2", "r1"]],
  ])("lists runs %s newest first, only the partner's", async (query, want) => {
    expect(ids(await get(`/v1/runs${query}`))).toEqual(want);
  });

  it("pages by the startedAt of the last run seen", async () => {
    const first = await get("/v1/runs?limit=3");
    expect({ ids: ids(first), next: first.next }).toEqual({
      ids: ["r4", "r3-drift", "r2"],
      next: at(2).toISOString(),
    });
    const second = await get(`/v1/runs?limit=3&before=${encodeURIComponent(first.next)}`);
    expect({ ids: ids(second), next: second.next }).toEqual({ ids: ["r1"], next: null });
  });

  it("shows one run and its steps, filtered and paged", async () => {
    expect(await get("/v1/runs/r2")).toMatchObject({
      id: "r2",
      outcome: "failed",
      error: expect.stringContaining("409"),
    });
    const all = await get("/v1/runs/r1/steps");
    expect({ seqs: all.items.map((s: StepRecord) => s.seq), total: all.total }).toEqual({
      seqs: [1, 2, 3],
      total: 3,
    });
    const ext = await get("/v1/runs/r1/steps?kind=Extension&limit=1&offset=1");
    expect({ seqs: ext.items.map((s: StepRecord) => s.seq), total: ext.total }).toEqual({
      seqs: [3],
      total: 2,
    });
    const failed = await get("/v1/runs/r1/steps?state=failed");
    expect(failed.items.map((s: StepRecord) => s.seq)).toEqual([2]);
  });

  it("answers 404 for an unknown run and for another partner's run alike", async () => {
    for (const id of ["nope", "x1"]) {
      const res = await f.app.inject({
        method: "GET",
        url: `/v1/runs/${id}/steps`,
        headers: f.auth(f.tokens.acmeRead),
      });
      expect({ id, status: res.statusCode }).toEqual({ id, status: 404 });
    }
  });

  it("refuses a source of another partner in the filter as absent", async () => {
    const res = await f.app.inject({
      method: "GET",
      url: "/v1/runs?source=other-git",
      headers: f.auth(f.tokens.acmeRead),
    });
    expect(res.statusCode).toBe(404);
  });
});
