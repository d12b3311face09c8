/**
 * Tenant page (`/tenants/{source}/{tenant}`): status and its reason (a manifest problem
 * with its file:line:col), the source's drift mode, the resources grouped by kind with
 * each drifted one's field diff (secrets only as `(sensitive)`) and who changed it by
 * hand (actor, IP, time, which platform log), the queued requests, the recent runs with
 * their steps, and "reconcile now" for tokens that may write.
 */
import type { ApiToken, ReconcileRequest, SourceRecord, TenantStatus } from "../../../model/control.js";
import type { FieldDiff } from "../../../model/plan.js";
import type { ResourceStatus } from "../../../model/status.js";
import type { ServiceStore } from "../../ports.js";
import { grants } from "../../tokens.js";
import { html, type SafeHtml } from "../html.js";
import type { Translator } from "../i18n.js";
import { phaseBadge, reasonText, tenantReason } from "../layout.js";
import { runsTable } from "./runs.js";

/** "Tenant <code>" in the locale, the code (escaped) in its own element. */
function titleWithCode(tr: Translator, code: string): SafeHtml {
  const [before = "", after = ""] = tr.t("tenantTitle").split("{code}");
  return html`${before}<span class="tenant-code">${code}</span>${after}`;
}

/** Recent runs shown on a tenant page. */
export const tenantRunCount = 10;

/**
 * Which value of a field diff a dashboard column shows: `desired` is the source's (the
 * planner's `after`), `live` the platform's (its `before`; controller/engine/plan/diff.ts).
 */
export type DiffSide = "desired" | "live";

/** The columns of a diff table, in order: the source's value, then the platform's. */
export const diffColumns: readonly { side: DiffSide; label: "desiredValue" | "liveValue" }[] = [
  { side: "desired", label: "desiredValue" },
  { side: "live", label: "liveValue" },
];

/** A diff value as text; a sensitive field never shows its value. */
export function diffValue(tr: Translator, d: FieldDiff, side: DiffSide): string {
  if (d.sensitive) return tr.t("sensitive");
  const v = side === "desired" ? d.after : d.before;
  if (v === undefined) return "—";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** A table of field diffs, one row per field, the columns of `diffColumns`. */
export function diffTable(tr: Translator, caption: string, diffs: readonly FieldDiff[]): SafeHtml {
  return html`<table class="diff"><caption class="visually-hidden">${caption}</caption>
<thead><tr><th scope="col">${tr.t("field")}</th>${diffColumns.map(
    (c) => html`<th scope="col" data-side="${c.side}">${tr.t(c.label)}</th>`,
  )}</tr></thead>
<tbody>${diffs.map(
    (d) =>
      html`<tr><th scope="row"><code>${d.path}</code></th>${diffColumns.map(
        (c) => html`<td data-side="${c.side}">${diffValue(tr, d, c.side)}</td>`,
      )}</tr>`,
  )}</tbody></table>`;
}

function changedByText(tr: Translator, r: ResourceStatus): SafeHtml {
  const c = r.changedBy;
  if (!c) return html`<p class="changed-by unknown">${tr.t("unknownAuthor")}</p>`;
  const vars = { actor: "\uE000a", ip: "\uE000i", at: "\uE000t", log: tr.t(c.log) };
  // The sentence comes from the translation; actor, IP and time are escaped values in it.
  const sentence = tr.t(c.ip ? "changedBy" : "changedByNoIp", vars);
  const parts = sentence
    .split(/(\uE000[ait])/)
    .map((part) =>
      part === "\uE000a"
        ? html`<strong class="actor">${c.actor}</strong>`
        : part === "\uE000i"
          ? html`<code class="ip">${c.ip}</code>`
          : part === "\uE000t"
            ? html`<time datetime="${c.at.toISOString()}">${tr.date(c.at)}</time>`
            : html`${part}`,
    );
  return html`<p class="changed-by">${parts} <span class="operation">(${c.operation})</span></p>`;
}

function resourceRows(tr: Translator, resources: ResourceStatus[]): SafeHtml {
  const byKind = new Map<string, ResourceStatus[]>();
  for (const r of resources) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r]);
  return html`${[...byKind.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([kind, list]) => html`<section class="kind" aria-labelledby="kind-${kind}">
<h3 id="kind-${kind}">${kind} <span class="count">(${tr.number(list.length)})</span></h3>
<ul class="resources">${list.map(
        (r) => html`<li class="resource drift-${r.drift}" data-key="${r.key}">
<div class="resource-head"><code>${r.key}</code> <span class="drift">${tr.t("drift")}: ${tr.t(
          r.drift === "drifted" ? "Drifted" : r.drift,
        )}</span>${r.lastOutcome ? html` <span class="outcome">${tr.t("lastOutcome")}: ${r.lastOutcome}</span>` : null}</div>
${r.lastError ? html`<p class="error">${reasonText(r.lastError)}</p>` : null}
${
  r.drift === "drifted"
    ? html`${diffTable(tr, r.key, r.driftDiffs)}
${changedByText(tr, r)}`
    : null
}
</li>`,
      )}</ul>
</section>`,
    )}`;
}

/** Everything the tenant page shows. */
export interface TenantData {
  source: SourceRecord;
  status: TenantStatus;
  resources: ResourceStatus[];
  queued: ReconcileRequest[];
}

/** Reads the tenant's data; undefined when the source is not the partner's or the tenant has no status. */
export async function tenantData(
  store: ServiceStore,
  partner: string,
  sourceId: string,
  tenant: string,
): Promise<TenantData | undefined> {
  const source = await store.getSource(sourceId);
  if (!source || source.partner !== partner) return undefined;
  const status = await store.getTenantStatus(source.id, tenant);
  if (!status || status.partner !== partner) return undefined;
  const [resources, requests] = await Promise.all([
    store.listResourceStatus({ tenants: [tenant] }),
    store.listRequests({ source: source.id }),
  ]);
  return { source, status, resources, queued: requests.filter((r) => r.tenant === tenant) };
}

/** What the tenant page renders. */
export interface TenantView {
  title: string;
  main: SafeHtml;
  region: SafeHtml;
}

/** Renders the tenant page. */
export async function tenantPage(
  store: ServiceStore,
  tr: Translator,
  token: ApiToken,
  data: TenantData,
  href: string,
): Promise<TenantView> {
  const { source, status, resources, queued } = data;
  const runs = await store.listRuns({ source: source.id, tenant: status.tenant, limit: tenantRunCount });
  const runsBlock = await runsTable(store, tr, runs, { withSteps: true, tenant: status.tenant });
  const canWrite = grants(token.scopes, "write");
  const button = canWrite
    ? html`<form method="post" action="${href}/reconcile" class="reconcile" hx-post="${href}/reconcile" hx-target="#reconcile-result" hx-swap="innerHTML">
<button type="submit">${tr.t("reconcileNow")}</button> <span id="reconcile-result" role="status"></span>
</form>`
    : html`<p class="read-only">${tr.t("readOnly")}</p>`;
  const problems =
    status.phase === "Failed" && source.problems.length > 0
      ? html`<section aria-labelledby="problems"><h2 id="problems">${tr.t("problems")}</h2><ul class="problems">${source.problems.map(
          (p) => html`<li>${reasonText(p)}</li>`,
        )}</ul></section>`
      : null;
  const region = html`<div id="tenant-live" class="live" hx-get="${href}" hx-trigger="omnia-changed from:body" hx-swap="outerHTML">
<dl class="facts">
<dt>${tr.t("status")}</dt><dd>${phaseBadge(tr, status.phase)}</dd>
${status.reason ? html`<dt>${tr.t("reason")}</dt><dd class="reason">${tenantReason(tr, status)}</dd>` : null}
<dt>${tr.t("drifted")}</dt><dd>${tr.number(status.drifted)}</dd>
<dt>${tr.t("driftMode")}</dt><dd><code>${source.policies.driftMode}</code> <small>(${tr.t("driftModeSource")})</small></dd>
<dt>${tr.t("observedRevision")}</dt><dd><code>${status.observedRevision ?? tr.t("none")}</code></dd>
<dt>${tr.t("lastRun")}</dt><dd>${
    status.lastRunAt
      ? html`<time datetime="${status.lastRunAt.toISOString()}">${tr.date(status.lastRunAt)}</time> (${tr.age(status.lastRunAt)})`
      : tr.t("never")
  }</dd>
${
  queued.length > 0
    ? html`<dt>${tr.t("queued")}</dt><dd>${queued.map((q) => html`<span class="queued">${q.mode} (${q.reasons.join(", ")})</span> `)}</dd>`
    : null
}
</dl>
${problems}
<section aria-labelledby="resources"><h2 id="resources">${tr.t("resources")}</h2>
${resources.length === 0 ? html`<p>${tr.t("noResources")}</p>` : resourceRows(tr, resources)}
</section>
<section aria-labelledby="recent-runs"><h2 id="recent-runs">${tr.t("recentRuns")}</h2>
${runsBlock}
</section>
</div>`;
  const main = html`<h1>${titleWithCode(tr, status.tenant)} <small>${tr.t("source")}: ${source.id}</small></h1>
${button}
${region}`;
  return { title: `${status.tenant}`, main, region };
}
