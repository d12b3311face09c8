import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import {
  type DashboardWorld,
  dashboardWorld,
  driftedTenant,
  failedReason,
  failedTenant,
  handActor,
  handIp,
  hostileActor,
  hostileTenant,
  hostileValue,
} from "../../test-support/dashboard-world.js";
import { escapeHtml } from "./html.js";
import { contentSecurityPolicy } from "./layout.js";
import { tenantHref } from "./pages/overview.js";
import { langCookie, tokenCookie } from "./session.js";

let world: DashboardWorld | undefined;
afterEach(async () => {
  await world?.app.close();
  world = undefined;
});

const cookie = (token: string, extra = "") => ({ cookie: `${tokenCookie}=${token}${extra}` });

async function get(app: FastifyInstance, url: string, headers: Record<string, string> = {}) {
  return app.inject({ method: "GET", url, headers });
}

/** The rows of the diff tables in `body`, each as {column header: cell text}, the field under "field". */
function diffRows(body: string): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  const text = (cell: string) => cell.replace(/<[^>]*>/g, "").trim();
  for (const [, table = ""] of body.matchAll(/<table class="diff">([\s\S]*?)<\/table>/g)) {
    const heads = [
      ...(/<thead>([\s\S]*?)<\/thead>/.exec(table)?.[1] ?? "").matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g),
    ].map((m) => text(m[1] ?? ""));
    for (const [, row = ""] of (/<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? "").matchAll(
      /<tr>([\s\S]*?)<\/tr>/g,
    )) {
      const cells = [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((m) => text(m[1] ?? ""));
      rows.push(Object.fromEntries(heads.map((h, i) => [i === 0 ? "field" : h, cells[i] ?? ""])));
    }
  }
  return rows;
}

describe("dashboard login", () => {
  it("sends a page without a login to the login form, keeping where it was going", async () => {
    world = await dashboardWorld();
    const res = await get(world.app, "/runs?before=x");
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent("/runs?before=x")}`);
  });

  it.each([
    ["an unknown token", "omn_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    ["a malformed token", "not-a-token"],
    ["no token", ""],
  ])("refuses %s at login and on every page", async (_name, token) => {
    world = await dashboardWorld();
    const res = await world.app.inject({
      method: "POST",
      url: "/login",
      payload: `token=${encodeURIComponent(token)}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect((await get(world.app, "/", cookie(token))).statusCode).toBe(303);
  });

  it("refuses a revoked token even when its cookie is still in the browser", async () => {
    world = await dashboardWorld();
    expect((await get(world.app, "/", cookie(world.tokens.acmeRevoked))).statusCode).toBe(303);
  });

  it("keeps the token in an HttpOnly, SameSite=Strict cookie, Secure only over https", async () => {
    world = await dashboardWorld({ trustProxy: true });
    const login = (proto: string) =>
      world?.app.inject({
        method: "POST",
        url: "/login",
        payload: `token=${world.tokens.acmeRead}&next=${encodeURIComponent("//evil.example/")}`,
        headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-proto": proto },
      });
    const plain = await login("http");
    expect(plain?.statusCode).toBe(303);
    expect(plain?.headers.location).toBe("/"); // never an open redirect
    const set = String(plain?.headers["set-cookie"]);
    expect(set).toContain(`${tokenCookie}=${world.tokens.acmeRead}`);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).not.toMatch(/Secure/);
    expect(String((await login("https"))?.headers["set-cookie"])).toMatch(/; Secure/);
  });
});

describe("dashboard pages", () => {
  it("sends a Content-Security-Policy without inline code, and loads only its own scripts", async () => {
    world = await dashboardWorld();
    for (const url of ["/", "/runs", "/inventory", tenantHref("acme-git", driftedTenant), "/login"]) {
      const res = await get(world.app, url, cookie(world.tokens.acmeWrite));
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["content-security-policy"], url).toBe(contentSecurityPolicy);
      expect(contentSecurityPolicy).not.toMatch(/unsafe-inline|unsafe-eval/);
      const scripts = res.body.match(/<script\b[^>]*>/g) ?? [];
      for (const tag of scripts)
        expect(tag, url).toMatch(/src="\/ui\/assets\/[a-z.]+"|type="application\/json"/);
      expect(res.body, url).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
    }
  });

  it("shows only the token's partner: its tenants, runs, and no other partner's tenant page", async () => {
    world = await dashboardWorld();
    const overview = await get(world.app, "/", cookie(world.tokens.acmeRead));
    expect(overview.body).toContain(driftedTenant);
    expect(overview.body).not.toContain("OTHER01");
    const runs = await get(world.app, "/runs", cookie(world.tokens.acmeRead));
    expect(runs.body).toContain(escapeHtml(failedReason.split(": ")[1] ?? ""));
    expect(runs.body).not.toContain("other partner");
    expect(
      (await get(world.app, tenantHref("other-git", "OTHER01"), cookie(world.tokens.acmeRead))).statusCode,
    ).toBe(404);
    expect(
      (await get(world.app, tenantHref("acme-git", "OTHER01"), cookie(world.tokens.acmeRead))).statusCode,
    ).toBe(404);
  });

  it("shows a drifted resource's diff with secrets as (sensitive), and who changed it by hand", async () => {
    world = await dashboardWorld();
    const res = await get(world.app, tenantHref("acme-git", driftedTenant), cookie(world.tokens.acmeRead));
    // The fixture: the manifest says license start, the platform has plus (diff before = live).
    expect(diffRows(res.body)).toEqual([
      { field: "spec.license", Source: "start", Platform: "plus" },
      { field: "spec.pin", Source: "(sensitive)", Platform: "(sensitive)" },
    ]);
    expect(res.body).toContain(`<strong class="actor">${handActor}</strong>`);
    expect(res.body).toContain(handIp);
    expect(res.body).toContain("Omnia Manager");
    expect(res.body).toContain("<code>enforce</code>");
  });

  it("shows a Failed tenant's reason with the manifest's file:line:col", async () => {
    world = await dashboardWorld();
    const res = await get(world.app, tenantHref("acme-git", failedTenant), cookie(world.tokens.acmeRead));
    expect(res.body).toContain('<code class="place">tenants/acme002.yaml:12:7</code>');
    expect(res.body).toContain("422 license: must be one of start, plus");
    // The failed run's steps are open, a terminal step's error in them.
    expect(res.body).toMatch(/<details class="steps" open>[\s\S]*<td>terminal<\/td>[\s\S]*422 license/);
  });

  it("shows names and values made of markup and quotes as text, everywhere", async () => {
    world = await dashboardWorld();
    const pages = [
      await get(world.app, "/", cookie(world.tokens.acmeRead)),
      await get(world.app, tenantHref("acme-git", hostileTenant), cookie(world.tokens.acmeRead)),
    ];
    for (const res of pages) {
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain("<script>window");
      expect(res.body).not.toContain("<img src=x");
      expect(res.body).not.toMatch(/title='x'/);
    }
    const [overview, tenant] = pages;
    expect(overview?.body).toContain(escapeHtml(hostileTenant));
    expect(overview?.body).toContain(`href="${escapeHtml(tenantHref("acme-git", hostileTenant))}"`);
    expect(tenant?.body).toContain(escapeHtml(hostileActor));
    expect(tenant?.body).toContain(escapeHtml(hostileValue));
    // The read token's own name holds markup too: the header shows it as text.
    expect(overview?.body).toContain(escapeHtml(hostileActor.slice(0, 20)));
  });

  it("pages 1,000 tenants through the store, filters by phase and searches by code", async () => {
    world = await dashboardWorld({ extraTenants: 1000 });
    const middle = await get(world.app, "/?offset=950", cookie(world.tokens.acmeRead));
    expect(middle.body).toContain("951–1,000 of 1,003");
    expect(middle.body.match(/<tr data-tenant=/g)).toHaveLength(50);
    expect(middle.body).toContain('href="/?offset=1000" rel="next"');
    const last = await get(world.app, "/?offset=1000", cookie(world.tokens.acmeRead));
    expect(last.body).toContain("1,001–1,003 of 1,003");
    expect(last.body).toContain('href="/?offset=950" rel="prev"');
    expect(last.body).not.toContain('rel="next"');
    expect(last.body.match(/<tr data-tenant=/g)).toHaveLength(3);
    const failed = await get(
      world.app,
      "/?phase=Failed&sort=lastRunAt&order=desc",
      cookie(world.tokens.acmeRead),
    );
    for (const phase of failed.body.match(/<tbody>[\s\S]*<\/tbody>/)?.[0].match(/data-phase="\w+"/g) ?? [])
      expect(phase).toBe('data-phase="Failed"');
    const found = await get(world.app, "/?q=t0999", cookie(world.tokens.acmeRead));
    expect(found.body.match(/<tr data-tenant="(\w+)"/g)).toEqual(['<tr data-tenant="T0999"']);
    const junk = await get(world.app, "/?offset=-5&sort=%3Cx&phase=Nope", cookie(world.tokens.acmeRead));
    expect(junk.statusCode).toBe(200);
    expect(junk.body).toContain("1–50 of 1,003");
  });

  it("answers htmx with the live region alone", async () => {
    world = await dashboardWorld();
    const res = await get(world.app, "/?phase=Drifted", {
      ...cookie(world.tokens.acmeRead),
      "hx-request": "true",
    });
    expect(res.body.startsWith('<div id="tenants"')).toBe(true);
    expect(res.body).not.toContain("<html");
    expect(res.headers.vary).toContain("HX-Request");
    // The back button (htmx history restore) needs the whole page.
    const back = await get(world.app, "/?phase=Drifted", {
      ...cookie(world.tokens.acmeRead),
      "hx-request": "true",
      "hx-history-restore-request": "true",
    });
    expect(back.body).toContain("<html");
  });

  it("shows the inventory figures with their monthly change, or says they cannot be read", async () => {
    world = await dashboardWorld();
    const res = await get(world.app, "/inventory", {
      ...cookie(world.tokens.acmeRead),
      "accept-language": "it-IT,it;q=0.9",
    });
    expect(res.body).toContain('id="inventory-data"');
    expect(res.body).toContain("+69,2% questo mese");
    expect(res.body).toContain('src="/ui/assets/chart.umd.min.js"');
    world.deps.figures.clear();
    const missing = await get(world.app, "/inventory", cookie(world.tokens.acmeRead));
    expect(missing.body).toContain("cannot be read now");
  });
});

describe("reconcile now", () => {
  it("is offered to a write token, queues the tenant and records who asked from where", async () => {
    world = await dashboardWorld();
    const href = tenantHref("acme-git", driftedTenant);
    expect((await get(world.app, href, cookie(world.tokens.acmeWrite))).body).toContain("Reconcile now");
    const res = await world.app.inject({
      method: "POST",
      url: `${href}/reconcile`,
      headers: {
        ...cookie(world.tokens.acmeWrite),
        "hx-request": "true",
        origin: "http://localhost:80",
        host: "localhost:80",
      },
    });
    expect(res.statusCode).toBe(202);
    expect(world.deps.triggers).toEqual([
      { source: "acme-git", tenant: driftedTenant, reason: "manual", mode: "apply" },
    ]);
    const change = world.deps.store.events.find((e) => e.type === "api.change");
    expect(change).toMatchObject({
      actor: expect.stringContaining("acme-ops"),
      tenant: driftedTenant,
      ip: "127.0.0.1",
    });
  });

  it.each([
    ["a read-only token", (w: DashboardWorld) => ({ ...cookie(w.tokens.acmeRead) })],
    [
      "another site's form",
      (w: DashboardWorld) => ({ ...cookie(w.tokens.acmeWrite), origin: "https://evil.example" }),
    ],
    [
      "a cross-site fetch",
      (w: DashboardWorld) => ({ ...cookie(w.tokens.acmeWrite), "sec-fetch-site": "cross-site" }),
    ],
  ])("is refused to %s, which queues nothing", async (_name, headers) => {
    world = await dashboardWorld();
    const res = await world.app.inject({
      method: "POST",
      url: `${tenantHref("acme-git", driftedTenant)}/reconcile`,
      headers: headers(world),
    });
    expect(res.statusCode).toBe(403);
    expect(world.deps.triggers).toEqual([]);
  });

  it("works without JavaScript: the plain form goes back to the tenant page", async () => {
    world = await dashboardWorld();
    const href = tenantHref("acme-git", driftedTenant);
    const res = await world.app.inject({
      method: "POST",
      url: `${href}/reconcile`,
      headers: cookie(world.tokens.acmeWrite),
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(href);
    expect(world.deps.triggers).toHaveLength(1);
  });

  it("shows a read-only token no button", async () => {
    world = await dashboardWorld();
    const res = await get(world.app, tenantHref("acme-git", driftedTenant), cookie(world.tokens.acmeRead));
    expect(res.body).not.toContain("Reconcile now");
    expect(res.body).toContain("can only read");
  });

  it("refuses another partner's tenant with 404 and queues nothing", async () => {
    world = await dashboardWorld();
    const res = await world.app.inject({
      method: "POST",
      url: `${tenantHref("other-git", "OTHER01")}/reconcile`,
      headers: cookie(world.tokens.acmeWrite),
    });
    expect(res.statusCode).toBe(404);
    expect(world.deps.triggers).toEqual([]);
  });
});

describe("language", () => {
  it("speaks the browser's language, and the chosen one once switched", async () => {
    world = await dashboardWorld();
    const it = await get(world.app, "/", {
      ...cookie(world.tokens.acmeRead),
      "accept-language": "it-IT,it;q=0.9,en;q=0.8",
    });
    expect(it.body).toContain('<html lang="it">');
    expect(it.body).toContain("Divergente");
    const sw = await get(world.app, `/ui/lang/en?next=${encodeURIComponent("/runs")}`);
    expect(sw.statusCode).toBe(303);
    expect(sw.headers.location).toBe("/runs");
    expect(String(sw.headers["set-cookie"])).toContain(`${langCookie}=en`);
    const en = await get(world.app, "/", {
      cookie: `${tokenCookie}=${world.tokens.acmeRead}; ${langCookie}=en`,
      "accept-language": "it",
    });
    expect(en.body).toContain('<html lang="en">');
    expect((await get(world.app, "/ui/lang/it?next=https://evil.example")).headers.location).toBe("/");
  });

  it("shows a diff's source and platform values under the Italian headers too", async () => {
    world = await dashboardWorld();
    const res = await get(world.app, tenantHref("acme-git", driftedTenant), {
      cookie: `${tokenCookie}=${world.tokens.acmeRead}; ${langCookie}=it`,
    });
    expect(diffRows(res.body)[0]).toEqual({ field: "spec.license", Sorgente: "start", Piattaforma: "plus" });
  });

  it("says the reasons it knows in Italian, and keeps a manifest problem's place", async () => {
    world = await dashboardWorld();
    const it = { cookie: `${tokenCookie}=${world.tokens.acmeRead}; ${langCookie}=it` };
    const reasons = (body: string) =>
      [...body.matchAll(/<(?:td|dd) class="reason">([\s\S]*?)<\/(?:td|dd)>/g)].map((m) => m[1]);
    const overview = await get(world.app, "/", it);
    expect(reasons(overview.body)).toContain("1 risorsa differisce dalla sorgente");
    expect(overview.body).not.toContain("differs from the source");
    const drifted = await get(world.app, tenantHref("acme-git", driftedTenant), it);
    expect(reasons(drifted.body)).toEqual(["1 risorsa differisce dalla sorgente"]);
    const failed = await get(world.app, tenantHref("acme-git", failedTenant), it);
    expect(reasons(failed.body)).toEqual([
      '<code class="place">tenants/acme002.yaml:12:7</code> spec.license must be one of start, plus',
    ]);
  });
});

describe("live feed", () => {
  it("needs the login cookie", async () => {
    world = await dashboardWorld();
    const res = await get(world.app, "/ui/events");
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/login/);
  });

  it("tells a page only that something of its partner changed, from now on", async () => {
    world = await dashboardWorld({ eventsPollMs: 20 });
    const base = {
      source: "acme-git",
      actor: "scheduler",
      ip: null,
      data: { secretish: "not for the page" },
    };
    await world.deps.store.appendEvent({ ...base, type: "run.started", partner: "acme", tenant: "OLD" });
    await world.app.listen({ host: "127.0.0.1", port: 0 });
    const address = world.app.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const abort = new AbortController();
    const res = await fetch(`http://127.0.0.1:${port}/ui/events`, {
      headers: cookie(world.tokens.acmeRead),
      signal: abort.signal,
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    await world.deps.store.appendEvent({
      ...base,
      type: "tenant.status",
      partner: "other",
      tenant: "OTHER01",
    });
    await world.deps.store.appendEvent({
      ...base,
      type: "tenant.status",
      partner: "acme",
      tenant: driftedTenant,
    });
    const reader = res.body?.getReader();
    let text = "";
    while (reader && !text.includes(driftedTenant))
      text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    expect(text).toContain(
      `event: change\ndata: {"type":"tenant.status","source":"acme-git","tenant":"${driftedTenant}"}`,
    );
    expect(text).not.toContain("OLD");
    expect(text).not.toContain("OTHER01");
    expect(text).not.toContain("secretish");
  });
});

describe("assets", () => {
  it("serves htmx, Chart.js and its own files, and nothing else", async () => {
    world = await dashboardWorld();
    for (const name of ["htmx.min.js", "chart.umd.min.js", "dashboard.js", "charts.js"]) {
      const res = await get(world.app, `/ui/assets/${name}`);
      expect(res.statusCode, name).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/javascript/);
    }
    expect((await get(world.app, "/ui/assets/dashboard.css")).headers["content-type"]).toMatch(/^text\/css/);
    expect((await get(world.app, "/ui/assets/..%2Fpackage.json")).statusCode).toBe(404);
  });
});
