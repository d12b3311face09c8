/**
 * Access rules of every route, as one table: each authenticated route refuses no token
 * (401), a revoked token (401), a token whose scope is below the route's (403), and another
 * partner's token on this partner's source, tenant, run or token (404, as if absent). The
 * table is checked against the app's own route list, so a new route without a row fails.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TokenScope } from "../model/control.js";
import { type ServiceFixture, serviceFixture } from "../test-support/memory-control.js";

interface Row {
  method: "GET" | "PUT" | "POST" | "DELETE";
  url: string;
  scope: TokenScope;
  /** The route names something of partner acme: partner other gets a 404. */
  acmeOwned: boolean;
  body?: unknown;
  /**
   * What another partner gets, when not 404: a PUT of a taken source id is 409 (ids are
   * global, so any answer but 201 says the id is taken; the answer never says by whom).
   */
  otherPartnerStatus?: number;
}

const extensionDoc = {
  apiVersion: "omnia.kalliope.io/v1",
  kind: "Extension",
  metadata: { name: "hq-201", tenant: "ACME001", pbx: "hq" },
  spec: { number: "201", license: "plus", pin: { fromEnv: "PIN_201" } },
};
const sourceBody = {
  location: { type: "git", url: "https://git.example.it/acme/other.git" },
  account: {
    url: "https://omnia.example.it",
    domain: "acme",
    username: "api",
    password: { fromEnv: "OMNIA_SECRET_X" },
  },
};

const rows: Row[] = [
  { method: "GET", url: "/v1/sources", scope: "read", acmeOwned: false },
  { method: "GET", url: "/v1/sources/acme-git", scope: "read", acmeOwned: true },
  {
    method: "PUT",
    url: "/v1/sources/acme-git",
    scope: "admin",
    acmeOwned: true,
    body: sourceBody,
    otherPartnerStatus: 409,
  },
  { method: "DELETE", url: "/v1/sources/acme-git", scope: "admin", acmeOwned: true },
  { method: "GET", url: "/v1/tenants", scope: "read", acmeOwned: false },
  { method: "GET", url: "/v1/tenants?source=acme-git", scope: "read", acmeOwned: true },
  { method: "GET", url: "/v1/sources/acme-git/tenants/ACME001", scope: "read", acmeOwned: true },
  {
    method: "POST",
    url: "/v1/sources/acme-git/tenants/ACME001/reconcile",
    scope: "write",
    acmeOwned: true,
    body: {},
  },
  { method: "GET", url: "/v1/runs", scope: "read", acmeOwned: false },
  { method: "GET", url: "/v1/runs/run-acme", scope: "read", acmeOwned: true },
  { method: "GET", url: "/v1/runs/run-acme/steps", scope: "read", acmeOwned: true },
  {
    method: "PUT",
    url: "/v1/tenants/ACME001/resources/Extension/ACME001%2Fhq%2F201?source=acme-api",
    scope: "write",
    acmeOwned: true,
    body: extensionDoc,
  },
  {
    method: "GET",
    url: "/v1/tenants/ACME001/resources/Extension/ACME001%2Fhq%2F201?source=acme-api",
    scope: "read",
    acmeOwned: true,
  },
  {
    method: "DELETE",
    url: "/v1/tenants/ACME001/resources/Extension/ACME001%2Fhq%2F201?source=acme-api",
    scope: "write",
    acmeOwned: true,
  },
  { method: "GET", url: "/v1/tenants/ACME001/resources?source=acme-api", scope: "read", acmeOwned: true },
  {
    method: "PUT",
    url: "/v1/tenants/ACME001/secrets/hq-201-pin?source=acme-api",
    scope: "write",
    acmeOwned: true,
    body: { value: "2580" },
  },
  {
    method: "DELETE",
    url: "/v1/tenants/ACME001/secrets/hq-201-pin?source=acme-api",
    scope: "write",
    acmeOwned: true,
  },
  { method: "GET", url: "/v1/tenants/ACME001/secrets?source=acme-api", scope: "read", acmeOwned: true },
  {
    method: "GET",
    url: "/v1/tenants/ACME001/live/Extension/ACME001%2Fhq%2F201?source=acme-api",
    scope: "read",
    acmeOwned: true,
  },
  { method: "GET", url: "/v1/tenants/ACME001/live?source=acme-api", scope: "read", acmeOwned: true },
  { method: "POST", url: "/v1/tenants/ACME001/plan?source=acme-git", scope: "read", acmeOwned: true },
  { method: "GET", url: "/v1/tokens", scope: "admin", acmeOwned: false },
  {
    method: "POST",
    url: "/v1/tokens",
    scope: "admin",
    acmeOwned: false,
    body: { name: "t", scopes: ["read"] },
  },
  { method: "DELETE", url: "/v1/tokens/TOKEN_ID", scope: "admin", acmeOwned: true },
  { method: "GET", url: "/v1/events", scope: "read", acmeOwned: false },
];

/** Routes that need no token (each checks its own proof or shows nothing private). */
const publicRoutes = ["GET /healthz", "GET /readyz", "GET /metrics", "POST /v1/sources/:id/webhook"];

/**
 * The dashboard's pages (HTML, outside `/v1`) authenticate by the login cookie, not a
 * Bearer token (dashboard/index.ts; its own tests cover scopes and partners). Only these
 * may be reached without it.
 */
const dashboardPublic = [
  "GET /login",
  "POST /login",
  "POST /logout",
  "GET /ui/assets/:name",
  "GET /ui/lang/:lang",
];
const isDashboard = (route: string) =>
  !route.split(" ")[1]?.startsWith("/v1/") && !publicRoutes.includes(route) && !route.includes("/docs");

const below: Record<TokenScope, TokenScope | undefined> = { read: undefined, write: "read", admin: "write" };

describe("access rules of every route", () => {
  let f: ServiceFixture;
  let app: FastifyInstance;
  let acmeTokenId: string;

  beforeAll(async () => {
    f = await serviceFixture();
    app = f.app;
    acmeTokenId = [...f.deps.store.tokens.values()].find((t) => t.name === "acme-dashboard")?.id ?? "";
    f.deps.store.runs.push({
      id: "run-acme",
      mode: "apply",
      source: "acme-git",
      tenants: ["ACME001"],
      startedAt: new Date("2026-11-01T10:00:00Z"),
      finishedAt: null,
      outcome: null,
      summary: {},
      error: null,
      holder: null,
      heartbeatAt: null,
    });
  });
  afterAll(() => app.close());

  const url = (r: Row) => r.url.replace("TOKEN_ID", acmeTokenId);
  const send = (r: Row, token?: string) =>
    app.inject({
      method: r.method,
      url: url(r),
      headers: token ? f.auth(token) : {},
      ...(r.body !== undefined ? { payload: r.body as object } : {}),
    });

  it.each(rows)("$method $url: no token is 401", async (r) => {
    const res = await send(r);
    expect(res.statusCode, res.body).toBe(401);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });

  it.each(rows)("$method $url: a revoked token is 401", async (r) => {
    expect((await send(r, f.tokens.acmeRevoked)).statusCode).toBe(401);
  });

  it.each(rows)("$method $url: a malformed or unknown token is 401", async (r) => {
    expect((await send(r, "omn_not-a-real-token")).statusCode).toBe(401);
    expect((await send(r, `omn_${"A".repeat(43)}`)).statusCode).toBe(401);
  });

  it.each(rows.filter((r) => below[r.scope]))(
    "$method $url: a token below scope $scope is 403",
    async (r) => {
      const lesser = below[r.scope] === "read" ? f.tokens.acmeRead : f.tokens.acmeWrite;
      const res = await send(r, lesser);
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json().detail).toContain(r.scope);
    },
  );

  it.each(rows.filter((r) => r.acmeOwned))("$method $url: another partner's token is refused", async (r) => {
    const before = JSON.stringify([...f.deps.store.sources.values()]);
    const res = await send(r, f.tokens.otherAdmin);
    expect(res.statusCode, res.body).toBe(r.otherPartnerStatus ?? 404);
    if (r.otherPartnerStatus === undefined) {
      // The same answer as for something that does not exist: nothing learned.
      const ghost = url(r)
        .replaceAll("acme-", "nope-")
        .replace("run-acme", "run-nope")
        .replace(acmeTokenId, "00000000-0000-0000-0000-000000000000");
      const absent = await app.inject({
        method: r.method,
        url: ghost,
        headers: f.auth(f.tokens.otherAdmin),
        ...(r.body !== undefined ? { payload: r.body as object } : {}),
      });
      expect({ status: absent.statusCode, detail: absent.json().detail }).toEqual({
        status: res.statusCode,
        detail: res.json().detail,
      });
    }
    expect(JSON.stringify([...f.deps.store.sources.values()]), "sources changed").toBe(before);
  });

  it.each([
    ["GET", "/healthz", 200],
    ["GET", "/readyz", 200],
    ["GET", "/metrics", 200],
    ["GET", "/docs/json", 200],
    ["POST", "/v1/sources/nope/webhook", 404],
  ] as const)("%s %s needs no token", async (method, path, status) => {
    expect((await app.inject({ method, url: path })).statusCode).toBe(status);
  });

  it("has a row for every route that needs a token, and no other public route", () => {
    const served = new Set(app.serviceRoutes);
    expect(served.size).toBeGreaterThan(rows.length / 2);
    const inTable = new Set(rows.map((r) => `${r.method} ${pathOf(url(r))}`));
    const missing = [...served].filter(
      (s) =>
        !publicRoutes.includes(s) &&
        !s.includes("/docs") &&
        !isDashboard(s) &&
        ![...inTable].some((t) => matches(s, t)),
    );
    expect(missing, "routes without a row in the access table").toEqual([]);
  });

  it("sends every dashboard page but the login's to the login without the cookie", async () => {
    const pages = app.serviceRoutes.filter((r) => isDashboard(r) && !dashboardPublic.includes(r));
    expect(pages.length).toBeGreaterThan(3);
    for (const page of pages) {
      const [method, path] = page.split(" ") as [Row["method"], string];
      const concrete = path.replace(":source", "acme-git").replace(":tenant", "ACME001");
      const res = await app.inject({ method, url: concrete, headers: { "sec-fetch-site": "same-origin" } });
      expect([302, 303, 401, 403], `${page}: ${res.statusCode} ${res.body.slice(0, 200)}`).toContain(
        res.statusCode,
      );
      if (res.statusCode < 400) expect(res.headers.location, page).toMatch(/^\/login/);
    }
  });
});

const pathOf = (url: string) => url.split("?")[0] as string;

/** Whether a route template (`/v1/sources/:id`) matches a concrete path. */
function matches(template: string, concrete: string): boolean {
  const [tm, tp] = template.split(" ");
  const [cm, cp] = concrete.split(" ");
  if (tm !== cm || !tp || !cp) return false;
  const t = tp.split("/");
  const c = cp.split("/");
  return t.length === c.length && t.every((seg, i) => seg.startsWith(":") || seg === c[i]);
}
