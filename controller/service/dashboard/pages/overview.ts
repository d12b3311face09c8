/**
 * Overview page (`/`): every tenant of the partner with its phase, drifted resources,
 * last run and its age; search, filter by phase, sort and paging, all done by the store's
 * `listTenantStatus` so a partner with thousands of tenants gets one page of rows. The
 * table is the live region: it reloads itself (htmx) when an event arrives.
 */
import type { TenantPhase } from "../../../model/control.js";
import type { ServiceStore, TenantStatusFilter } from "../../ports.js";
import { html, type SafeHtml } from "../html.js";
import type { Translator } from "../i18n.js";
import { phaseBadge, tenantReason } from "../layout.js";

const phases: TenantPhase[] = ["InSync", "Drifted", "Reconciling", "Failed", "Suspended"];
const sorts = ["tenant", "phase", "lastRunAt", "drifted"] as const;
/** Rows per page of the overview. */
export const overviewPageSize = 50;

/** The overview's query, read leniently: a value it does not know falls back to the default. */
export interface OverviewQuery {
  q: string;
  phase: TenantPhase | undefined;
  sort: (typeof sorts)[number];
  order: "asc" | "desc";
  offset: number;
}

/** Reads the overview's query string. */
export function overviewQuery(raw: Record<string, unknown>): OverviewQuery {
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  const offset = Number.parseInt(text(raw.offset), 10);
  return {
    q: text(raw.q).slice(0, 64),
    phase: phases.find((p) => p === raw.phase),
    sort: sorts.find((s) => s === raw.sort) ?? "tenant",
    order: raw.order === "desc" ? "desc" : "asc",
    offset: Number.isFinite(offset) && offset > 0 ? offset : 0,
  };
}

/** The query string of the overview for `q` (defaults left out). */
export function overviewHref(q: OverviewQuery): string {
  const p = new URLSearchParams();
  if (q.q) p.set("q", q.q);
  if (q.phase) p.set("phase", q.phase);
  if (q.sort !== "tenant") p.set("sort", q.sort);
  if (q.order !== "asc") p.set("order", q.order);
  if (q.offset > 0) p.set("offset", String(q.offset));
  const s = p.toString();
  return s ? `/?${s}` : "/";
}

/** Link of a tenant's page. */
export const tenantHref = (source: string, tenant: string) =>
  `/tenants/${encodeURIComponent(source)}/${encodeURIComponent(tenant)}`;

/** What the overview renders. */
export interface OverviewView {
  title: string;
  main: SafeHtml;
  /** The live region alone (answer to htmx's reload). */
  region: SafeHtml;
}

/** Renders the overview of `partner`'s tenants. */
export async function overviewPage(
  store: ServiceStore,
  tr: Translator,
  partner: string,
  query: OverviewQuery,
): Promise<OverviewView> {
  const filter: TenantStatusFilter = {
    partner,
    sort: query.sort,
    order: query.order,
    limit: overviewPageSize,
    offset: query.offset,
    ...(query.q ? { q: query.q } : {}),
    ...(query.phase ? { phase: query.phase } : {}),
  };
  const [page, counts] = await Promise.all([
    store.listTenantStatus(filter),
    Promise.all(
      phases.map(async (phase) => (await store.listTenantStatus({ partner, phase, limit: 1 })).total),
    ),
  ]);
  const here = overviewHref(query);
  const summary = html`<ul class="counts" aria-label="${tr.t("phase")}">${phases.map(
    (p, i) =>
      html`<li><a href="${overviewHref({ ...query, phase: p, offset: 0 })}">${phaseBadge(tr, p)} <span class="count">${tr.number(counts[i] ?? 0)}</span></a></li>`,
  )}</ul>`;
  const form = html`<form class="filters" method="get" action="/" role="search"
 hx-get="/" hx-target="#tenants" hx-swap="outerHTML" hx-push-url="true"
 hx-trigger="input changed delay:300ms from:#q, change, submit">
<label for="q">${tr.t("search")}</label>
<input id="q" name="q" type="search" value="${query.q}" maxlength="64" autocomplete="off">
<label for="phase">${tr.t("phase")}</label>
<select id="phase" name="phase"><option value="">${tr.t("anyPhase")}</option>${phases.map(
    (p) => html`<option value="${p}"${query.phase === p ? html` selected` : null}>${tr.t(p)}</option>`,
  )}</select>
<label for="sort">${tr.t("sort")}</label>
<select id="sort" name="sort">${sorts.map(
    (s) =>
      html`<option value="${s}"${query.sort === s ? html` selected` : null}>${tr.t(
        s === "tenant" ? "tenant" : s === "phase" ? "phase" : s === "drifted" ? "drifted" : "lastRun",
      )}</option>`,
  )}</select>
<label for="order">${tr.t("order")}</label>
<select id="order" name="order"><option value="asc"${query.order === "asc" ? html` selected` : null}>${tr.t(
    "asc",
  )}</option><option value="desc"${query.order === "desc" ? html` selected` : null}>${tr.t("desc")}</option></select>
<button type="submit">${tr.t("apply")}</button>
</form>`;

  const from = page.total === 0 ? 0 : query.offset + 1;
  const to = Math.min(query.offset + page.items.length, page.total);
  const rows = page.items.map(
    (s) => html`<tr data-tenant="${s.tenant}">
<th scope="row"><a href="${tenantHref(s.source, s.tenant)}">${s.tenant}</a></th>
<td>${s.source}</td>
<td>${phaseBadge(tr, s.phase)}</td>
<td class="num">${tr.number(s.drifted)}</td>
<td>${s.lastRunAt ? html`<time datetime="${s.lastRunAt.toISOString()}">${tr.date(s.lastRunAt)}</time>` : tr.t("never")}</td>
<td>${s.lastRunAt ? tr.age(s.lastRunAt) : "—"}</td>
<td class="reason">${tenantReason(tr, s) ?? ""}</td>
</tr>`,
  );
  const prev =
    query.offset > 0
      ? overviewHref({ ...query, offset: Math.max(0, query.offset - overviewPageSize) })
      : null;
  const next =
    query.offset + overviewPageSize < page.total
      ? overviewHref({ ...query, offset: query.offset + overviewPageSize })
      : null;
  const region = html`<div id="tenants" class="live" hx-get="${here}" hx-trigger="omnia-changed from:body" hx-swap="outerHTML">
<p class="shown">${tr.t("shown", { from: tr.number(from), to: tr.number(to), total: tr.number(page.total) })}</p>
${
  page.items.length === 0
    ? html`<p>${tr.t("noTenants")}</p>`
    : html`<table class="tenants">
<caption class="visually-hidden">${tr.t("tenants")}</caption>
<thead><tr><th scope="col">${tr.t("tenant")}</th><th scope="col">${tr.t("source")}</th><th scope="col">${tr.t(
        "status",
      )}</th><th scope="col">${tr.t("drifted")}</th><th scope="col">${tr.t("lastRun")}</th><th scope="col">${tr.t(
        "age",
      )}</th><th scope="col">${tr.t("reason")}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}
<nav class="pager" aria-label="${tr.t("paging")}">
${prev ? html`<a href="${prev}" rel="prev">${tr.t("previous")}</a>` : null}
${next ? html`<a href="${next}" rel="next">${tr.t("next")}</a>` : null}
</nav>
</div>`;
  const main = html`<h1>${tr.t("tenants")}</h1>
${summary}
${form}
${region}`;
  return { title: tr.t("tenants"), main, region };
}
