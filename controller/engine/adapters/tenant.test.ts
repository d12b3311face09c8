import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { make } from "../../test-support/fakes.js";
import { type EngineStandin, startEngineStandin } from "../../test-support/standin.js";
import { tenantAdapter } from "./tenant.js";

let e: EngineStandin;
beforeAll(async () => {
  e = await startEngineStandin();
});
afterAll(() => e.close());

describe("tenant adapter", () => {
  it("creates a customer, and adopts it when created again", async () => {
    const adapter = tenantAdapter(e.client);
    const d = make.tenant("T1");
    const first = await adapter.create(e.ctx, d);
    const second = await adapter.create(e.ctx, d);
    expect(first.adopted).toBe(false);
    expect(second).toEqual({ id: first.id, adopted: true });
    const codes = (await e.client.customers.listAll()).map((c) => c.customerCode);
    expect(codes.filter((c) => c === "T1")).toHaveLength(1);
  });

  it("updates changed fields and suspends, then resumes", async () => {
    const adapter = tenantAdapter(e.client);
    const d = make.tenant("T2");
    const { id } = await adapter.create(e.ctx, d);
    const live = await adapter.find(e.ctx, d);
    if (!live) throw new Error("want the created tenant found, got nothing");
    const changed = make.tenant("T2", { spec: { businessName: "New Name S.p.A.", status: "suspended" } });
    await adapter.update(e.ctx, changed, live, [
      { path: "spec.businessName", before: live.spec.businessName, after: "New Name S.p.A." },
      { path: "spec.status", before: "active", after: "suspended" },
    ]);
    expect(await adapter.find(e.ctx, d)).toMatchObject({
      id,
      status: "suspended",
      spec: { businessName: "New Name S.p.A." },
    });
    await adapter.update(e.ctx, d, live, [{ path: "spec.status", before: "suspended", after: "active" }]);
    expect((await adapter.find(e.ctx, d))?.status).toBe("active");
  });

  it("creates a suspended customer as suspended", async () => {
    const adapter = tenantAdapter(e.client);
    const d = make.tenant("T3", { spec: { status: "suspended" } });
    await adapter.create(e.ctx, d);
    expect((await adapter.find(e.ctx, d))?.status).toBe("suspended");
  });

  it("deletes a customer, and deleting it again succeeds", async () => {
    const adapter = tenantAdapter(e.client);
    const d = make.tenant("T4");
    await adapter.create(e.ctx, d);
    const live = await adapter.find(e.ctx, d);
    if (!live) throw new Error("want the created tenant found, got nothing");
    await adapter.delete(e.ctx, live);
    await adapter.delete(e.ctx, live);
    expect(await adapter.find(e.ctx, d)).toBeUndefined();
  });

  it("makes a refused create terminal", async () => {
    const adapter = tenantAdapter(e.client);
    const d = make.tenant("T5", { spec: { vatNumber: "123" } });
    await expect(adapter.create(e.ctx, d)).rejects.toMatchObject({ name: "TerminalError" });
  });
});
