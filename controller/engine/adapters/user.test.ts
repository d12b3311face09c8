import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { make } from "../../test-support/fakes.js";
import { type EngineStandin, startEngineStandin } from "../../test-support/standin.js";
import { userAdapter } from "./user.js";

let e: EngineStandin;
beforeAll(async () => {
  e = await startEngineStandin();
  await e.create(make.tenant("U1"));
});
afterAll(() => e.close());

describe("user adapter", () => {
  it("creates a user, and adopts it by email (any case) when created again", async () => {
    const adapter = userAdapter(e.client);
    const first = await adapter.create(e.ctx, make.user("U1", "ada@u1.example"));
    const second = await adapter.create(e.ctx, make.user("U1", "ADA@u1.example"));
    expect(first.adopted).toBe(false);
    expect(second).toEqual({ id: first.id, adopted: true });
  });

  it("updates the changed fields and clears a removed department", async () => {
    const adapter = userAdapter(e.client);
    const d = make.user("U1", "grace@u1.example", { spec: { department: "Navy" } });
    await adapter.create(e.ctx, d);
    const live = await adapter.find(e.ctx, d);
    if (!live) throw new Error("want the created user found, got nothing");
    expect(live.spec.department).toBe("Navy");
    const changed = make.user("U1", "grace@u1.example", {
      spec: { lastName: "Hopper", adminConsoleRole: "viewer" },
    });
    await adapter.update(e.ctx, changed, live, [
      { path: "spec.lastName", before: "Lovelace", after: "Hopper" },
      { path: "spec.adminConsoleRole", before: "none", after: "viewer" },
      { path: "spec.department", before: "Navy", after: undefined },
    ]);
    const got = await adapter.find(e.ctx, d);
    expect(got?.spec).toEqual({
      firstName: "Ada",
      lastName: "Hopper",
      email: "grace@u1.example",
      adminConsoleRole: "viewer",
      omniaManagerRole: "none",
      mayManageCustomers: false,
    });
  });

  it("deletes a user, and deleting it again succeeds", async () => {
    const adapter = userAdapter(e.client);
    const d = make.user("U1", "gone@u1.example");
    await adapter.create(e.ctx, d);
    const live = await adapter.find(e.ctx, d);
    if (!live) throw new Error("want the created user found, got nothing");
    await adapter.delete(e.ctx, live);
    await adapter.delete(e.ctx, live);
    expect(await adapter.find(e.ctx, d)).toBeUndefined();
  });

  it("refuses, as terminal, a user of a tenant whose id is not known", async () => {
    await expect(userAdapter(e.client).create(e.ctx, make.user("NOPE", "x@y.example"))).rejects.toMatchObject(
      {
        name: "TerminalError",
      },
    );
  });
});
