import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { make } from "../../test-support/fakes.js";
import { type EngineStandin, startEngineStandin } from "../../test-support/standin.js";
import { numberAdapter } from "./number.js";

let e: EngineStandin;
beforeAll(async () => {
  e = await startEngineStandin();
  await e.create(make.tenant("N1"), make.pbx("N1", "hq"), make.trunk("N1", "op"));
});
afterAll(() => e.close());

describe("number adapter", () => {
  it("creates a block routed to its PBX and trunk, and adopts it when created again", async () => {
    const adapter = numberAdapter(e.client);
    const d = make.number("N1", "+390212345600", "hq", "op");
    const first = await adapter.create(e.ctx, d);
    expect(await adapter.create(e.ctx, d)).toEqual({ id: first.id, adopted: true });
    expect((await adapter.find(e.ctx, d))?.spec).toEqual({
      number: "+390212345600",
      blockDigits: 2,
      pbx: "hq",
      trunk: "op",
    });
  });

  it("refuses an update as terminal: blocks are replaced", async () => {
    const adapter = numberAdapter(e.client);
    const d = make.number("N1", "+390212345600", "hq", "op");
    const live = await adapter.find(e.ctx, d);
    if (!live) throw new Error("want the block found, got nothing");
    await expect(adapter.update(e.ctx, d, live, [])).rejects.toMatchObject({ name: "TerminalError" });
  });

  it("deletes a block, and deleting it again succeeds", async () => {
    const adapter = numberAdapter(e.client);
    const d = make.number("N1", "+390212346600", "hq", "op");
    await adapter.create(e.ctx, d);
    const live = await adapter.find(e.ctx, d);
    if (!live) throw new Error("want the block found, got nothing");
    await adapter.delete(e.ctx, live);
    await adapter.delete(e.ctx, live);
    expect(await adapter.find(e.ctx, d)).toBeUndefined();
  });
});
