import { afterEach, describe, expect, it } from "vitest";
import { type ServiceFixture, serviceFixture } from "../../test-support/memory-control.js";
import { errRateLimited } from "../errors.js";
import { bearerToken } from "./auth.js";

describe("auth plugin", () => {
  let f: ServiceFixture;
  afterEach(() => f.app.close());

  it("limits requests per token (429 problem with Retry-After), other tokens unaffected", async () => {
    f = await serviceFixture({ rateLimitMax: 3, rateLimitWindowMs: 60_000 });
    const get = (token: string) =>
      f.app.inject({ method: "GET", url: "/v1/sources", headers: f.auth(token) });
    for (let i = 0; i < 3; i++) expect((await get(f.tokens.acmeRead)).statusCode).toBe(200);
    const limited = await get(f.tokens.acmeRead);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(limited.headers["retry-after"]).toBeDefined();
    expect(limited.json().detail).toBe(errRateLimited);
    expect((await get(f.tokens.acmeWrite)).statusCode).toBe(200);
    // Probes are never limited.
    for (let i = 0; i < 5; i++)
      expect((await f.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
  });

  it("records a token's last use at most once per interval", async () => {
    let now = new Date("2026-11-01T10:00:00Z");
    f = await serviceFixture({ clock: () => now });
    const read = [...f.deps.store.tokens.values()].find((t) => t.name === "acme-dashboard");
    const get = () => f.app.inject({ method: "GET", url: "/v1/sources", headers: f.auth(f.tokens.acmeRead) });
    await get();
    expect(read?.lastUsedAt).toEqual(now);
    const first = now;
    now = new Date("2026-11-01T10:00:30Z");
    await get();
    expect(read?.lastUsedAt).toEqual(first);
    now = new Date("2026-11-01T10:01:00Z");
    await get();
    expect(read?.lastUsedAt).toEqual(now);
  });

  it.each([
    ["Bearer omn_abc", "omn_abc"],
    ["bearer   omn_abc  ", "omn_abc"],
    ["Basic b21uX2FiYw==", undefined],
    ["Bearer", undefined],
    ["Bearer a b", undefined],
    [undefined, undefined],
  ])("reads the token of %j as %j", (header, want) => {
    expect(bearerToken(header)).toBe(want);
  });
});
