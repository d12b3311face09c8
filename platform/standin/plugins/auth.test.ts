import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestPassword, formatCreated, renderAuthHeader, signRequest } from "../../client/auth.js";
import { startTestStandin, type TestStandin } from "../testing.js";
import { authErrors } from "./auth.js";

// The server clock is fixed, so "stale" is exact and the test never depends on real time.
const serverNow = new Date("2026-03-01T10:00:00Z");
let standin: TestStandin;
let demoDigest: string;

beforeAll(async () => {
  standin = await startTestStandin({ clock: () => serverNow });
  const salt = standin.state.partnerByDomain("demo")?.salt ?? "";
  demoDigest = digestPassword("admin", salt);
});
afterAll(async () => {
  await standin.close();
  expect(standin.violations, "responses that broke the contract").toEqual([]);
});

async function get(path: string, header: string | undefined) {
  const res = await fetch(`${standin.url}${path}`, { headers: header ? { "X-Authenticate": header } : {} });
  return { status: res.status, body: (await res.json()) as { code: string; message: string } };
}

describe("X-authenticate on the stand-in", () => {
  it("serves the salt of a domain without authentication", async () => {
    const res = await fetch(`${standin.url}/rest/salt/demo`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { salt: string }).salt).toMatch(/^[0-9a-f]{32}$/);
  });

  it("answers 404 for the salt of an unknown domain", async () => {
    expect((await fetch(`${standin.url}/rest/salt/nobody`)).status).toBe(404);
  });

  it("accepts a fresh valid header", async () => {
    const got = await get("/rest/company", signRequest("admin", "demo", demoDigest, serverNow));
    expect(got.status, JSON.stringify(got.body)).toBe(200);
  });

  it("rejects a replayed nonce", async () => {
    const header = signRequest("admin", "demo", demoDigest, serverNow, "0123456789abcdef0123456789abcdef");
    expect((await get("/rest/company", header)).status).toBe(200);
    const replay = await get("/rest/company", header);
    expect(replay).toEqual({
      status: 401,
      body: expect.objectContaining({ code: "unauthorized", message: authErrors.nonce }),
    });
  });

  it.each([
    [
      "stale Created (6 minutes old)",
      () => signRequest("admin", "demo", demoDigest, new Date(serverNow.getTime() - 6 * 60_000)),
      authErrors.created,
    ],
    [
      "Created in the future (6 minutes)",
      () => signRequest("admin", "demo", demoDigest, new Date(serverNow.getTime() + 6 * 60_000)),
      authErrors.created,
    ],
    [
      "wrong password",
      () => signRequest("admin", "demo", digestPassword("wrong", "x"), serverNow),
      authErrors.credentials,
    ],
    ["unknown user", () => signRequest("root", "demo", demoDigest, serverNow), authErrors.credentials],
    ["unknown domain", () => signRequest("admin", "nowhere", demoDigest, serverNow), authErrors.credentials],
    ["no header", () => undefined, authErrors.missing],
    [
      "a short nonce",
      () => signRequest("admin", "demo", demoDigest, serverNow, "abc"),
      authErrors.nonceFormat,
    ],
    [
      "Created without the Z format",
      () =>
        renderAuthHeader({
          username: "admin",
          domain: "demo",
          digest: "x",
          nonce: "0011223344556677",
          created: serverNow.toISOString(),
        }),
      authErrors.created,
    ],
  ] as [string, () => string | undefined, string][])(
    "rejects %s with 401",
    async (_name, header, message) => {
      const got = await get("/rest/company", header());
      expect(got.status, JSON.stringify(got.body)).toBe(401);
      expect(got.body).toMatchObject({ code: "unauthorized", message });
    },
  );

  it("accepts Created 4 minutes off the server clock", async () => {
    const header = signRequest("admin", "demo", demoDigest, new Date(serverNow.getTime() - 4 * 60_000));
    expect((await get("/rest/company", header)).status).toBe(200);
  });

  it("rejects another partner's customer with 403", async () => {
    const other = standin.state.partnerByDomain("other");
    const otherSalt = other?.salt ?? "";
    const created = formatCreated(serverNow);
    expect(created).toBe("2026-03-01T10:00:00Z");
    const res = await fetch(`${standin.url}/rest/customers`, {
      method: "POST",
      headers: {
        "x-authenticate": signRequest(
          "admin",
          "other",
          digestPassword("other-partner-pw", otherSalt),
          serverNow,
        ),
        "content-type": "application/json",
      },
      body: JSON.stringify({
        businessName: "O",
        customerCode: "OTH1",
        vatNumber: "09876543217",
        fiscalCode: "09876543217",
      }),
    });
    const otherCustomer = (await res.json()) as { id: string };
    expect(res.status).toBe(201);
    const got = await get(
      `/rest/customers/${otherCustomer.id}`,
      signRequest("admin", "demo", demoDigest, serverNow),
    );
    expect(got).toEqual({ status: 403, body: expect.objectContaining({ code: "forbidden" }) });
    const list = await fetch(`${standin.url}/rest/customers`, {
      headers: { "x-authenticate": signRequest("admin", "demo", demoDigest, serverNow) },
    });
    const ids = ((await list.json()) as { items: { id: string }[] }).items.map((c) => c.id);
    expect(ids, "demo's list must not show other's customer").not.toContain(otherCustomer.id);
  });
});

describe("auth decided on the matched route, not the URL text", () => {
  it.each([
    ["GET", "/%72est/customers"],
    ["GET", "/rest/%63ustomers"],
    ["GET", "/%2Frest/customers"],
    ["POST", "/%72est/customers"],
    ["POST", "/rest/customers/"],
    ["DELETE", "/%72est/customers/c1"],
    ["GET", "/rest/no-such-route"],
    ["GET", "/elsewhere"],
  ])("answers 401 to an unauthenticated %s %s, never 500 or a body check", async (method, path) => {
    const res = await fetch(`${standin.url}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: method === "POST" ? JSON.stringify({ not: "a customer" }) : undefined,
    });
    const body = (await res.json()) as { code: string; message: string };
    expect({ status: res.status, code: body.code }).toEqual({ status: 401, code: "unauthorized" });
    expect(body.message).toBe(authErrors.missing);
  });

  it("serves an encoded path that names a route to an authenticated caller", async () => {
    const got = await get("/%72est/company", signRequest("admin", "demo", demoDigest, serverNow));
    expect(got.status, JSON.stringify(got.body)).toBe(200);
  });
});
