import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../model/desired-state.js";
import { make } from "../../test-support/fakes.js";
import { type EngineStandin, startEngineStandin } from "../../test-support/standin.js";
import { extensionAdapter } from "./extension.js";

let e: EngineStandin;
beforeAll(async () => {
  e = await startEngineStandin();
  await e.create(make.tenant("E1"), make.pbx("E1", "hq"), make.user("E1", "ada@e1.example"));
});
afterAll(() => e.close());

describe("extension adapter", () => {
  it("creates an extension with a known user by id, and adopts it when created again", async () => {
    const adapter = extensionAdapter(e.client);
    const d = make.extension("E1", "hq", "201", "1234", "ada@e1.example");
    const first = await adapter.create(e.ctx, d);
    expect(await adapter.create(e.ctx, d)).toEqual({ id: first.id, adopted: true });
    const live = await adapter.find(e.ctx, d);
    expect(live?.spec).toEqual({
      number: "201",
      license: "start",
      status: "active",
      user: { email: "ada@e1.example" },
    });
    expect(live?.facts.userId).toBe(e.ids.get("User/E1/ada@e1.example"));
  });

  it("creates the user with the extension when only its names are known", async () => {
    const adapter = extensionAdapter(e.client);
    const d = make.extension("E1", "hq", "202", "1234", undefined, {
      spec: { user: { email: "new@e1.example", firstName: "New", lastName: "Person" } },
    });
    await adapter.create(e.ctx, d);
    expect((await adapter.find(e.ctx, d))?.spec.user).toEqual({ email: "new@e1.example" });
    const users = (await e.client.users(e.ids.get("Tenant/E1") ?? "").listAll()).map((u) => u.email);
    expect(users).toContain("new@e1.example");
  });

  it("changes license, PIN and user, and suspends", async () => {
    const adapter = extensionAdapter(e.client);
    const d = make.extension("E1", "hq", "203", "1234", "ada@e1.example");
    await adapter.create(e.ctx, d);
    const live = await adapter.find(e.ctx, d);
    if (!live) throw new Error("want the extension found, got nothing");
    const changed = make.extension("E1", "hq", "203", "9999", undefined, {
      spec: { license: "plus", status: "suspended" },
    });
    await adapter.update(e.ctx, changed, live, [
      { path: "spec.license", before: "start", after: "plus" },
      { path: "spec.pin", sensitive: true },
      { path: "spec.user.email", before: "ada@e1.example", after: undefined },
      { path: "spec.status", before: "active", after: "suspended" },
    ]);
    const got = await adapter.find(e.ctx, d);
    expect(got?.spec).toEqual({ number: "203", license: "plus", status: "suspended" });
    expect(typeof got?.facts.meetingId).toBe("string");
  });

  it("sends the PIN only through Secret.reveal", async () => {
    const adapter = extensionAdapter(e.client);
    let revealed = 0;
    const pin = new Secret("4321", "env:PIN");
    const reveal = pin.reveal.bind(pin);
    pin.reveal = () => {
      revealed++;
      return reveal();
    };
    const d = make.extension("E1", "hq", "204", "0000");
    await adapter.create(e.ctx, { ...d, spec: { ...d.spec, pin } });
    expect(revealed).toBe(1);
  });

  it("deletes an extension, and deleting it again succeeds", async () => {
    const adapter = extensionAdapter(e.client);
    const d = make.extension("E1", "hq", "205", "1234");
    await adapter.create(e.ctx, d);
    const live = await adapter.find(e.ctx, d);
    if (!live) throw new Error("want the extension found, got nothing");
    await adapter.delete(e.ctx, live);
    await adapter.delete(e.ctx, live);
    expect(await adapter.find(e.ctx, d)).toBeUndefined();
  });
});
