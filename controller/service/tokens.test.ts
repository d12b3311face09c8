import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TokenScope } from "../model/control.js";
import { MemoryControlStore } from "../test-support/memory-control.js";
import { grants, hashToken, issueToken, newToken, tokenPattern } from "./tokens.js";

describe("tokens", () => {
  it("makes omn_ tokens of 256 random bits", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const t = newToken();
      expect(t).toMatch(tokenPattern);
      expect(Buffer.from(t.slice(4), "base64url")).toHaveLength(32);
      seen.add(t);
    }
    expect(seen.size).toBe(200);
  });

  it("hashes with SHA-256, one hash per token", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (a, b) => {
          const ta = newToken(() => Buffer.from(a));
          const tb = newToken(() => Buffer.from(b));
          expect(hashToken(ta)).toMatch(/^sha256:[0-9a-f]{64}$/);
          expect(hashToken(ta) === hashToken(tb)).toBe(ta === tb);
        },
      ),
    );
  });

  it.each([
    [["read"], "read", true],
    [["read"], "write", false],
    [["write"], "read", true],
    [["write"], "admin", false],
    [["admin"], "write", true],
    [["read", "admin"], "admin", true],
    [[], "read", false],
  ] as [TokenScope[], TokenScope, boolean][])("scopes %j grant %s: %s", (scopes, need, want) => {
    expect(grants(scopes, need)).toBe(want);
  });

  it("stores only the hash of an issued token", async () => {
    const store = new MemoryControlStore();
    const { token, record } = await issueToken(store, { partner: "p", name: "n", scopes: ["read"] });
    expect(await store.findTokenByHash(hashToken(token))).toEqual(record);
    expect(JSON.stringify([...store.tokens.values()])).not.toContain(token);
  });
});
