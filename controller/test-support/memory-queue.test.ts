import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ReconcileReason } from "../model/control.js";
import { MemoryQueue } from "./memory-queue.js";

const t0 = Date.UTC(2026, 0, 1);

function queueAt() {
  const clock = { now: t0 };
  return { q: new MemoryQueue(() => clock.now), clock };
}

const req = { source: "s", tenant: "t", mode: "apply" as const };

describe("MemoryQueue (the SchedulerStore port in memory)", () => {
  it("merges triggers of one tenant and mode: reasons, generation, the earlier notBefore", async () => {
    const { q } = queueAt();
    await q.enqueueRequest({ ...req, reason: "retry", notBefore: new Date(t0 + 60_000) });
    await q.enqueueRequest({ ...req, reason: "manual" });
    await q.enqueueRequest({ ...req, reason: "manual", notBefore: new Date(t0 + 120_000) });
    await q.enqueueRequest({ ...req, mode: "drift", reason: "drift-interval" });
    const all = await q.listRequests();
    expect(all).toHaveLength(2);
    const apply = all.find((r) => r.mode === "apply");
    expect(apply).toMatchObject({ reasons: ["retry", "manual"], generation: 3, notBefore: new Date(t0) });
  });

  it("claims due requests once, apply before drift, then oldest first; an expired claim is claimable again", async () => {
    const { q, clock } = queueAt();
    await q.enqueueRequest({ source: "s", tenant: "old-drift", mode: "drift", reason: "drift-interval" });
    clock.now += 10;
    await q.enqueueRequest({ source: "s", tenant: "b", mode: "apply", reason: "interval" });
    await q.enqueueRequest({
      source: "s",
      tenant: "later",
      mode: "apply",
      reason: "interval",
      notBefore: new Date(t0 + 5_000),
    });
    const first = await q.claimRequests({ worker: "w1", limit: 10, claimMs: 1_000 });
    expect(first.map((r) => r.tenant)).toEqual(["b", "old-drift"]);
    expect(await q.claimRequests({ worker: "w2", limit: 10, claimMs: 1_000 })).toEqual([]);
    clock.now = t0 + 10 + 1_000;
    const again = await q.claimRequests({ worker: "w2", limit: 10, claimMs: 1_000 });
    expect(again.map((r) => [r.tenant, r.claimedBy])).toEqual([
      ["b", "w2"],
      ["old-drift", "w2"],
    ]);
    expect(await q.extendClaim(first[0] as never, "w1", 1_000)).toBe(false);
    expect(await q.claimRequests({ worker: "w3", limit: 10, claimMs: 1_000, modes: ["apply"] })).toEqual([]);
    clock.now = t0 + 5_000;
    const due = await q.claimRequests({ worker: "w3", limit: 10, claimMs: 1, modes: ["apply"] });
    expect(
      due.map((r) => r.tenant),
      "oldest notBefore first",
    ).toEqual(["b", "later"]);
  });

  it.each([
    ["a trigger during the run re-queues it, attempts kept", true, undefined, "requeued", 1, 0],
    [
      "a trigger during a failed run re-queues it rather than backing off",
      true,
      t0 + 60_000,
      "requeued",
      1,
      0,
    ],
    ["a retry reschedules it with attempts + 1", false, t0 + 60_000, "retrying", 1, 1],
    ["success deletes it", false, undefined, "deleted", 0, 0],
  ] as const)("%s", async (_name, triggerDuringRun, retryAt, want, left, attempts) => {
    const { q } = queueAt();
    await q.enqueueRequest({ ...req, reason: "interval" });
    const [claimed] = await q.claimRequests({ worker: "w", limit: 1, claimMs: 1_000 });
    if (!claimed) throw new Error("nothing claimed");
    if (triggerDuringRun) await q.enqueueRequest({ ...req, reason: "webhook" });
    const got = await q.completeRequest(claimed, {
      worker: "w",
      retryAt: retryAt === undefined ? undefined : new Date(retryAt),
    });
    expect(got).toBe(want);
    const rest = await q.listRequests();
    expect(rest).toHaveLength(left);
    if (left) {
      expect(rest[0]).toMatchObject({ attempts, claimedBy: null });
      expect(rest[0]?.notBefore).toEqual(new Date(want === "retrying" ? (retryAt as number) : t0));
    }
  });

  it("counts depth by mode, keeps status patches, numbers events and lists live replicas", async () => {
    const { q, clock } = queueAt();
    await q.enqueueRequest({ ...req, reason: "interval" });
    await q.enqueueRequest({ ...req, mode: "drift", reason: "interval" });
    await q.enqueueRequest({ ...req, tenant: "u", mode: "drift", reason: "interval" });
    expect(await q.queueDepth()).toEqual({ apply: 1, drift: 2 });
    await q.setTenantStatus("s", "t", { partner: "p", phase: "Failed", reason: "x" });
    expect(await q.setTenantStatus("s", "t", { partner: "p", drifted: 2 })).toMatchObject({
      phase: "Failed",
      reason: "x",
      drifted: 2,
    });
    const e = await q.appendEvent({
      type: "tenant.status",
      partner: "p",
      source: "s",
      tenant: "t",
      actor: null,
      ip: null,
      data: {},
    });
    expect(e.seq).toBe(1);
    await q.heartbeatReplica("a");
    clock.now += 60_000;
    await q.heartbeatReplica("b");
    expect((await q.listReplicas(new Date(clock.now - 30_000))).map((r) => r.id)).toEqual(["b"]);
  });

  it("any sequence of triggers leaves one request per tenant and mode: every reason, a generation per trigger, the earliest notBefore", async () => {
    const reasons: ReconcileReason[] = [
      "interval",
      "drift-interval",
      "webhook",
      "manual",
      "api",
      "revision",
      "retry",
      "startup",
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            tenant: fc.constantFrom("a", "b"),
            mode: fc.constantFrom("apply" as const, "drift" as const),
            reason: fc.constantFrom(...reasons),
            delay: fc.option(fc.integer({ min: -5_000, max: 60_000 }), { nil: undefined }),
          }),
          { maxLength: 40 },
        ),
        async (triggers) => {
          const { q } = queueAt();
          for (const t of triggers) {
            await q.enqueueRequest({
              source: "s",
              tenant: t.tenant,
              mode: t.mode,
              reason: t.reason,
              notBefore: t.delay === undefined ? undefined : new Date(t0 + t.delay),
            });
          }
          const rows = await q.listRequests();
          const keys = new Set(triggers.map((t) => `${t.tenant}/${t.mode}`));
          expect(rows).toHaveLength(keys.size);
          for (const r of rows) {
            const mine = triggers.filter((t) => t.tenant === r.tenant && t.mode === r.mode);
            expect(r.generation).toBe(mine.length);
            expect(new Set(r.reasons)).toEqual(new Set(mine.map((t) => t.reason)));
            expect(r.reasons).toHaveLength(new Set(r.reasons).size);
            expect(r.notBefore.getTime()).toBe(Math.min(...mine.map((t) => t0 + (t.delay ?? 0))));
          }
        },
      ),
    );
  });
});
