import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { make } from "../../test-support/fakes.js";
import { type EngineStandin, startEngineStandin } from "../../test-support/standin.js";
import { pbxAdapter } from "./pbx.js";

let e: EngineStandin;
beforeAll(async () => {
  e = await startEngineStandin();
  await e.create(make.tenant("P1"));
});
afterAll(() => e.close());

describe("PBX adapter", () => {
  it("creates a PBX, and adopts it by name when created again", async () => {
    const adapter = pbxAdapter(e.client);
    const d = make.pbx("P1", "hq");
    const first = await adapter.create(e.ctx, d);
    expect(await adapter.create(e.ctx, d)).toEqual({ id: first.id, adopted: true });
  });

  it("joins a group, enables modules, suspends and resumes", async () => {
    const adapter = pbxAdapter(e.client);
    const d = make.pbx("P1", "branch");
    await adapter.create(e.ctx, d);
    const live = await adapter.find(e.ctx, d);
    if (!live) throw new Error("want the created PBX found, got nothing");
    const changed = make.pbx("P1", "branch", {
      spec: { kind: "group", group: "north", hotel: true, status: "suspended" },
    });
    await adapter.update(e.ctx, changed, live, [
      { path: "spec.kind", before: "single", after: "group" },
      { path: "spec.group", before: undefined, after: "north" },
      { path: "spec.hotel", before: false, after: true },
      { path: "spec.status", before: "active", after: "suspended" },
    ]);
    expect(await adapter.find(e.ctx, d)).toMatchObject({
      status: "suspended",
      spec: { kind: "group", group: "north", hotel: true, callCenter: false },
    });
    const resumed = { ...changed, spec: { ...changed.spec, status: "active" as const } };
    await adapter.update(e.ctx, resumed, live, [
      { path: "spec.status", before: "suspended", after: "active" },
    ]);
    expect((await adapter.find(e.ctx, d))?.spec.status).toBe("active");
  });

  it("deletes a PBX, and deleting it again succeeds", async () => {
    const adapter = pbxAdapter(e.client);
    const d = make.pbx("P1", "gone");
    await adapter.create(e.ctx, d);
    const live = await adapter.find(e.ctx, d);
    if (!live) throw new Error("want the created PBX found, got nothing");
    await adapter.delete(e.ctx, live);
    await adapter.delete(e.ctx, live);
    expect(await adapter.find(e.ctx, d)).toBeUndefined();
  });
});
