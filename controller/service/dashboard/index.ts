/**
 * The drift dashboard (issue 10), served by `omnia serve` at `/`: server-rendered HTML
 * (html.ts escapes every value), htmx for partial reloads, a live feed from the event
 * log, Chart.js for the inventory figures, English and Italian. It logs in with an API
 * token kept in an HttpOnly cookie and shows only the token's partner; "reconcile now" needs
 * the write scope, like the API's.
 *
 * Its routes are `public` for the API's Bearer check (auth plugin) because they carry the
 * token in the cookie instead; `requireLogin` below checks that cookie on every page with
 * the same lookup. Every answer carries a Content-Security-Policy without inline code.
 */
import cookie from "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RouteDeps } from "../routes/access.js";
import { recordChange } from "../routes/access.js";
import { grants } from "../tokens.js";
import { loadAssets } from "./assets.js";
import { html, type SafeHtml } from "./html.js";
import { isLocale, type Translator, translator } from "./i18n.js";
import { contentSecurityPolicy, layout, type NavPage } from "./layout.js";
import { liveFeed } from "./live.js";
import { inventoryPage } from "./pages/inventory.js";
import { overviewHref, overviewPage, overviewQuery, tenantHref } from "./pages/overview.js";
import { runsBefore, runsPage } from "./pages/runs.js";
import { tenantData, tenantPage } from "./pages/tenant.js";
import {
  clearTokenCookie,
  errCrossSite,
  langCookie,
  localeOf,
  localPath,
  sameOrigin,
  setTokenCookie,
  tokenCookie,
  tokenFromText,
} from "./session.js";

/** Options of the dashboard. */
export interface DashboardOptions extends RouteDeps {
  /** Live feed: store polling period (ms). Default 1000. */
  eventsPollMs?: number;
  /** Live feed: heartbeat period (ms). Default 15 000. */
  eventsHeartbeatMs?: number;
  /** Time zone of dates shown. Default `Europe/Rome`. */
  timeZone?: string;
}

const open = { public: true } as const;

/** Answer to a form posted without a login (a browser follows the redirect of a GET instead). */
export const errLoginFirst = "log in to the dashboard first";

function sendHtml(reply: FastifyReply, page: SafeHtml, code = 200): FastifyReply {
  return reply.code(code).type("text/html; charset=utf-8").send(page.toString());
}

/**
 * Whether htmx asked for the live region alone. A history restore (back button with
 * htmx's history cache off) asks for the whole page, though it is an htmx request too.
 */
const isHtmx = (request: FastifyRequest) =>
  request.headers["hx-request"] === "true" && request.headers["hx-history-restore-request"] !== "true";

/** Registers the dashboard's routes (encapsulated: its cookie parser and hooks stay here). */
export async function dashboardRoutes(app: FastifyInstance, opts: DashboardOptions): Promise<void> {
  const assets = await loadAssets();
  const streams = new Set<() => void>();
  const trOf = (request: FastifyRequest): Translator =>
    translator(localeOf(request), {
      now: opts.clock(),
      ...(opts.timeZone ? { timeZone: opts.timeZone } : {}),
    });

  await app.register(cookie);
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: 8192 },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("content-security-policy", contentSecurityPolicy);
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "same-origin");
    reply.header("x-frame-options", "DENY");
    // The same URL answers a whole page or its live region alone.
    reply.header("vary", "HX-Request, HX-History-Restore-Request, Cookie, Accept-Language");
    return payload;
  });
  app.addHook("preClose", async () => {
    for (const stop of [...streams]) stop();
  });

  app.get<{ Params: { name: string } }>(
    "/ui/assets/:name",
    { config: open, schema: { hide: true } },
    async (request, reply) => {
      const asset = assets.get(request.params.name);
      if (!asset) return reply.code(404).type("text/plain; charset=utf-8").send("not found");
      return reply.header("cache-control", "public, max-age=3600").type(asset.type).send(asset.body);
    },
  );

  app.get<{ Params: { lang: string }; Querystring: { next?: string } }>(
    "/ui/lang/:lang",
    { config: open, schema: { hide: true } },
    async (request, reply) => {
      if (isLocale(request.params.lang))
        reply.setCookie(langCookie, request.params.lang, {
          path: "/",
          sameSite: "lax",
          httpOnly: true,
          secure: request.protocol === "https",
          maxAge: 365 * 24 * 3600,
        });
      return reply.redirect(localPath(request.query.next), 303);
    },
  );

  const loginPage = (request: FastifyRequest, next: string, failed: boolean): SafeHtml => {
    const tr = trOf(request);
    return layout({
      tr,
      title: tr.t("loginTitle"),
      nav: "login",
      here: `/login?next=${encodeURIComponent(next)}`,
      main: html`<h1>${tr.t("loginTitle")}</h1>
<form method="post" action="/login" class="login">
${failed ? html`<p class="error" role="alert" id="login-error">${tr.t("loginBad")}</p>` : null}
<p id="login-help">${tr.t("loginHelp")}</p>
<input type="hidden" name="next" value="${next}">
<label for="token">${tr.t("token")}</label>
<input id="token" name="token" type="password" autocomplete="off" required spellcheck="false" aria-describedby="login-help${failed ? " login-error" : ""}">
<button type="submit">${tr.t("loginButton")}</button>
</form>`,
    });
  };
  app.get<{ Querystring: { next?: string } }>(
    "/login",
    { config: open, schema: { hide: true } },
    async (request, reply) => sendHtml(reply, loginPage(request, localPath(request.query.next), false)),
  );
  app.post<{ Body: { token?: string; next?: string } | undefined }>(
    "/login",
    { config: open, schema: { hide: true } },
    async (request, reply) => {
      const next = localPath(request.body?.next);
      const token = await tokenFromText(opts.store, request.body?.token);
      if (!token) return sendHtml(reply, loginPage(request, next, true), 401);
      setTokenCookie(request, reply, String(request.body?.token).trim());
      return reply.redirect(next, 303);
    },
  );
  app.post("/logout", { config: open, schema: { hide: true } }, async (request, reply) => {
    clearTokenCookie(request, reply);
    return reply.redirect("/login", 303);
  });

  // Pages that need a login.
  await app.register(async (pages) => {
    pages.addHook("onRequest", async (request, reply) => {
      const token = await tokenFromText(opts.store, request.cookies[tokenCookie]);
      if (token) {
        request.token = token;
        return;
      }
      const login = `/login?next=${encodeURIComponent(localPath(request.url))}`;
      if (isHtmx(request)) return reply.code(401).header("hx-redirect", login).send();
      if (request.method !== "GET")
        return reply.code(401).type("text/plain; charset=utf-8").send(errLoginFirst);
      return reply.redirect(login, 303);
    });

    const page = (
      request: FastifyRequest,
      reply: FastifyReply,
      tr: Translator,
      v: { title: string; nav: NavPage; here: string; main: SafeHtml; region?: SafeHtml; scripts?: string[] },
      code = 200,
    ) => {
      if (isHtmx(request) && v.region) return sendHtml(reply, v.region, code);
      const token = request.token ?? undefined;
      return sendHtml(
        reply,
        layout({
          tr,
          title: v.title,
          nav: v.nav,
          here: v.here,
          main: v.main,
          ...(token ? { token } : {}),
          ...(v.scripts ? { scripts: v.scripts } : {}),
        }),
        code,
      );
    };
    const notFoundPage = (request: FastifyRequest, reply: FastifyReply, tr: Translator) =>
      page(
        request,
        reply,
        tr,
        {
          title: tr.t("notFound"),
          nav: "tenant",
          here: "/",
          main: html`<h1>${tr.t("notFound")}</h1><p><a href="/">${tr.t("navOverview")}</a></p>`,
        },
        404,
      );

    pages.get<{ Querystring: Record<string, unknown> }>(
      "/",
      { config: open, schema: { hide: true } },
      async (request, reply) => {
        const tr = trOf(request);
        const query = overviewQuery(request.query);
        const view = await overviewPage(opts.store, tr, request.token?.partner ?? "", query);
        return page(request, reply, tr, { ...view, nav: "overview", here: overviewHref(query) });
      },
    );

    pages.get<{ Params: { source: string; tenant: string } }>(
      "/tenants/:source/:tenant",
      { config: open, schema: { hide: true } },
      async (request, reply) => {
        const tr = trOf(request);
        const token = request.token;
        const { source, tenant } = request.params;
        const data = token && (await tenantData(opts.store, token.partner, source, tenant));
        if (!token || !data) return notFoundPage(request, reply, tr);
        const href = tenantHref(source, tenant);
        const view = await tenantPage(opts.store, tr, token, data, href);
        return page(request, reply, tr, { ...view, nav: "tenant", here: href });
      },
    );

    pages.post<{ Params: { source: string; tenant: string } }>(
      "/tenants/:source/:tenant/reconcile",
      { config: open, schema: { hide: true } },
      async (request, reply) => {
        const tr = trOf(request);
        const token = request.token;
        if (!sameOrigin(request)) return reply.code(403).type("text/plain; charset=utf-8").send(errCrossSite);
        if (!token || !grants(token.scopes, "write"))
          return reply.code(403).type("text/plain; charset=utf-8").send(tr.t("readOnly"));
        const { source, tenant } = request.params;
        const data = await tenantData(opts.store, token.partner, source, tenant);
        if (!data) return notFoundPage(request, reply, tr);
        await opts.trigger(data.source.id, data.status.tenant, "manual", "apply");
        await recordChange(opts, request, {
          action: "reconcile.requested",
          source: data.source.id,
          tenant: data.status.tenant,
          data: { mode: "apply", via: "dashboard" },
        });
        if (isHtmx(request)) return sendHtml(reply, html`${tr.t("reconcileQueued")}`, 202);
        return reply.redirect(tenantHref(source, tenant), 303);
      },
    );

    pages.get<{ Querystring: { before?: string } }>(
      "/runs",
      { config: open, schema: { hide: true } },
      async (request, reply) => {
        const tr = trOf(request);
        const sources = await opts.store.listSources({ partner: request.token?.partner ?? "" });
        const before = runsBefore(request.query.before);
        const view = await runsPage(
          opts.store,
          tr,
          sources.map((s) => s.id),
          before,
        );
        return page(request, reply, tr, { ...view, nav: "runs", here: request.url });
      },
    );

    pages.get<{ Querystring: { source?: string } }>(
      "/inventory",
      { config: open, schema: { hide: true } },
      async (request, reply) => {
        const tr = trOf(request);
        const sources = await opts.store.listSources({ partner: request.token?.partner ?? "" });
        const view = await inventoryPage(opts, tr, sources, request.query.source, (err) =>
          request.log.warn({ err }, "inventory figures could not be read"),
        );
        return page(request, reply, tr, { ...view, nav: "inventory", here: request.url });
      },
    );

    pages.get("/ui/events", { config: open, schema: { hide: true } }, async (request, reply) =>
      liveFeed(request, reply, {
        store: opts.store,
        pollMs: opts.eventsPollMs ?? 1000,
        heartbeatMs: opts.eventsHeartbeatMs ?? 15_000,
        open: streams,
      }),
    );
  });
}
