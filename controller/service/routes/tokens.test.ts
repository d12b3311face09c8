import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ServiceFixture, serviceFixture } from "../../test-support/memory-control.js";
import { hashToken, tokenPattern } from "../tokens.js";

describe("token routes", () => {
  let f: ServiceFixture;
  beforeEach(async () => {
    f = await serviceFixture();
  });
  afterEach(() => f.app.close());

  it("creates a token shown once, stored only as its hash, that then works with its scopes", async () => {
    const res = await f.app.inject({
      method: "POST",
      url: "/v1/tokens",
      headers: f.auth(f.tokens.acmeAdmin),
      payload: { name: "terraform", scopes: ["write"] },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { token, record } = res.json();
    expect(token).toMatch(tokenPattern);
    expect(record).toMatchObject({ partner: "acme", name: "terraform", scopes: ["write"], revokedAt: null });
    expect(JSON.stringify([...f.deps.store.tokens.values()])).not.toContain(token);
    expect(f.deps.store.tokens.get(record.id)?.hash).toBe(hashToken(token));
    expect(JSON.stringify(f.deps.store.events)).not.toContain(token);
    const use = await f.app.inject({
      method: "POST",
      url: "/v1/sources/acme-git/tenants/ACME001/reconcile",
      headers: f.auth(token),
    });
    expect(use.statusCode).toBe(202);
    const list = await f.app.inject({ method: "GET", url: "/v1/tokens", headers: f.auth(token) });
    expect(list.statusCode).toBe(403);
  });

  it("lists the partner's tokens without secrets or hashes", async () => {
    const res = await f.app.inject({ method: "GET", url: "/v1/tokens", headers: f.auth(f.tokens.acmeAdmin) });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { name: string; partner: string }[];
    expect(items.map((t) => t.name).sort()).toEqual(["acme-admin", "acme-ci", "acme-dashboard", "acme-old"]);
    expect(res.body).not.toContain("sha256:");
    expect(res.body).not.toContain("omn_");
  });

  it("revokes a token: it is refused from then on, and another partner's token is a 404", async () => {
    const ci = [...f.deps.store.tokens.values()].find((t) => t.name === "acme-ci");
    const other = [...f.deps.store.tokens.values()].find((t) => t.partner === "other");
    const cross = await f.app.inject({
      method: "DELETE",
      url: `/v1/tokens/${other?.id}`,
      headers: f.auth(f.tokens.acmeAdmin),
    });
    expect(cross.statusCode).toBe(404);
    expect(other?.revokedAt).toBeNull();
    const res = await f.app.inject({
      method: "DELETE",
      url: `/v1/tokens/${ci?.id}`,
      headers: f.auth(f.tokens.acmeAdmin),
    });
    expect(res.statusCode).toBe(204);
    const after = await f.app.inject({
      method: "POST",
      url: "/v1/sources/acme-git/tenants/ACME001/reconcile",
      headers: f.auth(f.tokens.acmeWrite),
    });
    expect(after.statusCode).toBe(401);
    expect(f.deps.store.events.at(-1)).toMatchObject({ data: { action: "token.revoked", tokenId: ci?.id } });
  });

  it.each([
    [{ name: "x", scopes: [] }, "body/scopes"],
    [{ name: "x", scopes: ["root"] }, "body/scopes/0"],
    [{ name: "", scopes: ["read"] }, "body/name"],
  ])("refuses %j", async (payload, field) => {
    const res = await f.app.inject({
      method: "POST",
      url: "/v1/tokens",
      headers: f.auth(f.tokens.acmeAdmin),
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe(field);
  });
});
