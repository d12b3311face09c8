import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TokenScope } from "../model/control.js";
import { errQuery, errTokenArgs } from "./errors.js";
import type { Store } from "./store.js";
import { type ManualClock, manualClock } from "./test-support/clock.js";
import { type FreshDatabase, storeTargets } from "./test-support/targets.js";

/** What the service would store for a token: its SHA-256, never the token. */
const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

describe.each(storeTargets)("API tokens on $name", (target) => {
  let db: FreshDatabase;
  let store: Store;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = manualClock();
    db = await target.fresh();
    store = await db.open({ clock: clock.now });
  });
  afterEach(async () => {
    await db.dispose();
  });

  it("creates a token and finds it by its hash only", async () => {
    const made = await store.createToken({
      partner: "p1",
      name: "ci",
      scopes: ["read", "write"],
      hash: hashOf("t1"),
    });
    expect(made).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      partner: "p1",
      name: "ci",
      scopes: ["read", "write"],
      createdAt: clock.now(),
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(await store.findTokenByHash(hashOf("t1"))).toEqual(made);
    expect(await store.findTokenByHash(hashOf("t2"))).toBeUndefined();
    expect(await store.findTokenByHash("t1")).toBeUndefined();
  });

  it("revokes a token of its own partner only, once, and still finds it, revoked", async () => {
    const t = await store.createToken({ partner: "p1", name: "ci", scopes: ["admin"], hash: hashOf("t1") });
    expect(await store.revokeToken(t.id, "p2")).toBe(false);
    expect((await store.findTokenByHash(hashOf("t1")))?.revokedAt).toBeNull();
    clock.advance(1_000);
    expect(await store.revokeToken(t.id, "p1")).toBe(true);
    expect(await store.revokeToken(t.id, "p1")).toBe(false);
    expect((await store.findTokenByHash(hashOf("t1")))?.revokedAt).toEqual(clock.now());
  });

  it("lists a partner's tokens oldest first, revoked ones included", async () => {
    const a = await store.createToken({ partner: "p1", name: "a", scopes: ["read"], hash: hashOf("a") });
    clock.advance(1);
    await store.createToken({ partner: "p2", name: "b", scopes: ["read"], hash: hashOf("b") });
    clock.advance(1);
    await store.createToken({ partner: "p1", name: "c", scopes: ["read"], hash: hashOf("c") });
    await store.revokeToken(a.id, "p1");
    expect((await store.listTokens("p1")).map((t) => [t.name, t.revokedAt !== null])).toEqual([
      ["a", true],
      ["c", false],
    ]);
  });

  it("records the last use, which an earlier time never moves back", async () => {
    const t = await store.createToken({ partner: "p1", name: "ci", scopes: ["read"], hash: hashOf("t1") });
    clock.advance(5_000);
    await store.touchToken(t.id);
    expect((await store.findTokenByHash(hashOf("t1")))?.lastUsedAt).toEqual(clock.now());
    await store.touchToken(t.id, clock.in(-1_000));
    expect((await store.findTokenByHash(hashOf("t1")))?.lastUsedAt).toEqual(clock.now());
    await store.touchToken(t.id, clock.in(1_000));
    expect((await store.findTokenByHash(hashOf("t1")))?.lastUsedAt).toEqual(clock.in(1_000));
  });

  it("keeps each scope once", async () => {
    const t = await store.createToken({
      partner: "p1",
      name: "ci",
      scopes: ["read", "read", "write"],
      hash: "h",
    });
    expect(t.scopes).toEqual(["read", "write"]);
  });

  it("refuses a second token with a hash already taken", async () => {
    await store.createToken({ partner: "p1", name: "a", scopes: ["read"], hash: hashOf("t1") });
    await expect(
      store.createToken({ partner: "p2", name: "b", scopes: ["read"], hash: hashOf("t1") }),
    ).rejects.toThrow(errQuery);
  });

  it.each<{
    name: string;
    token: { partner: string; name: string; scopes: TokenScope[]; hash: string };
    want: string;
  }>([
    {
      name: "an empty partner",
      token: { partner: "", name: "n", scopes: ["read"], hash: "h" },
      want: "partner is empty",
    },
    {
      name: "an empty name",
      token: { partner: "p", name: "", scopes: ["read"], hash: "h" },
      want: "name is empty",
    },
    {
      name: "an empty hash",
      token: { partner: "p", name: "n", scopes: ["read"], hash: "" },
      want: "hash of token n is empty",
    },
    {
      name: "no scope",
      token: { partner: "p", name: "n", scopes: [], hash: "h" },
      want: "token n has no scope",
    },
    {
      name: "an unknown scope",
      token: { partner: "p", name: "n", scopes: ["root" as TokenScope], hash: "h" },
      want: 'token n: scope "root"; want read, write, admin',
    },
  ])("refuses $name", async ({ token, want }) => {
    await expect(store.createToken(token)).rejects.toThrow(`${errTokenArgs}: ${want}`);
  });
});
