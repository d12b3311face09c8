import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../model/desired-state.js";
import { make } from "../../test-support/fakes.js";
import { type EngineStandin, startEngineStandin } from "../../test-support/standin.js";
import { sipTrunkAdapter } from "./sip-trunk.js";

let e: EngineStandin;
beforeAll(async () => {
  e = await startEngineStandin();
  await e.create(make.tenant("S1"));
});
afterAll(() => e.close());

describe("SIP trunk adapter", () => {
  it("creates a trunk with its password, and adopts it by name when created again", async () => {
    const adapter = sipTrunkAdapter(e.client);
    const d = make.trunk("S1", "main", "s3cret-pw");
    const first = await adapter.create(e.ctx, d);
    const second = await adapter.create(e.ctx, d);
    expect(second).toEqual({ id: first.id, adopted: true });
    const live = await adapter.find(e.ctx, d);
    expect(live?.facts.hasPassword).toBe(true);
    expect(JSON.stringify(live)).not.toContain("s3cret-pw");
  });

  it("updates fields, sets a new password and clears the username", async () => {
    const adapter = sipTrunkAdapter(e.client);
    const d = make.trunk("S1", "second", "old-pw");
    await adapter.create(e.ctx, d);
    const live = await adapter.find(e.ctx, d);
    if (!live) throw new Error("want the created trunk found, got nothing");
    const { username: _u, ...rest } = d.spec;
    const changed = {
      ...d,
      spec: { ...rest, operator: "Other Op", password: new Secret("new-pw", "env:X") },
    };
    await adapter.update(e.ctx, changed, live, [
      { path: "spec.operator", before: "Op", after: "Other Op" },
      { path: "spec.username", before: "u", after: undefined },
      { path: "spec.password", sensitive: true },
    ]);
    const got = await adapter.find(e.ctx, d);
    expect(got?.spec.operator).toBe("Other Op");
    expect(got?.spec).not.toHaveProperty("username");
    expect(got?.facts.hasPassword).toBe(true);
  });

  it("deletes a trunk, and deleting it again succeeds", async () => {
    const adapter = sipTrunkAdapter(e.client);
    const d = make.trunk("S1", "third");
    await adapter.create(e.ctx, d);
    const live = await adapter.find(e.ctx, d);
    if (!live) throw new Error("want the created trunk found, got nothing");
    await adapter.delete(e.ctx, live);
    await adapter.delete(e.ctx, live);
    expect(await adapter.find(e.ctx, d)).toBeUndefined();
  });
});
