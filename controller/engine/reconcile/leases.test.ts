import { describe, expect, it } from "vitest";
import { MemoryReconcileStore } from "../../test-support/memory-store.js";
import { errLeaseHeld, holderIsGone, leaseHolder, withLeases } from "./leases.js";

/** A store with leases in memory: one holder per tenant, no expiry. */
class LeasingStore extends MemoryReconcileStore {
  readonly leases = new Map<string, string>();
  async acquireLease(tenant: string, holder: string) {
    const have = this.leases.get(tenant);
    if (have && have !== holder) return { acquired: false, heldBy: { holder: have, expiresAt: new Date(0) } };
    this.leases.set(tenant, holder);
    return { acquired: true };
  }
  async releaseLease(tenant: string, holder: string) {
    if (this.leases.get(tenant) === holder) this.leases.delete(tenant);
    return true;
  }
}

describe("holderIsGone", () => {
  const running = (pid: number) => pid === 1000;
  it.each([
    ["a dead process of this host", "here/4242/run", true],
    ["a live process of this host", "here/1000/run", false],
    ["a process of another host", "there/4242/run", false],
    ["this very process", `here/${process.pid}/run`, false],
    ["a holder in another format", "some-run-id", false],
  ])("says %s is %s", (_case, holder, want) => {
    expect(holderIsGone(holder, "here", running)).toBe(want);
  });
});

describe("withLeases", () => {
  it("holds every tenant's lease while the body runs and releases them after", async () => {
    const store = new LeasingStore();
    const holder = leaseHolder("r1");
    const seen = await withLeases(store, ["A", "B"], holder, async () => [...store.leases.entries()]);
    expect(seen).toEqual([
      ["A", holder],
      ["B", holder],
    ]);
    expect(store.leases.size).toBe(0);
  });

  it("refuses when a live run holds a tenant, releasing what it took", async () => {
    const store = new LeasingStore();
    store.leases.set("B", "elsewhere/1/other-run");
    await expect(withLeases(store, ["A", "B"], leaseHolder("r2"), async () => "ran")).rejects.toThrow(
      `${errLeaseHeld}: B (held by elsewhere/1/other-run`,
    );
    expect([...store.leases.keys()]).toEqual(["B"]);
  });

  it("takes over the lease of a killed process of this host", async () => {
    const store = new LeasingStore();
    const dead = leaseHolder("killed-run", undefined, 2 ** 22 + 7);
    store.leases.set("A", dead);
    expect(await withLeases(store, ["A"], leaseHolder("r3"), async () => "ran")).toBe("ran");
  });
});
