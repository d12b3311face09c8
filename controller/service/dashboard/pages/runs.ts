/**
 * Runs page (`/runs`): the partner's runs, newest first, paged by start time (`before`),
 * each with its steps' outcome, duration and error. `runsTable` also serves the tenant
 * page's recent runs.
 */
import type { RunRecord, StepRecord } from "../../../model/run.js";
import type { ServiceStore } from "../../ports.js";
import { html, type SafeHtml } from "../html.js";
import type { Translator } from "../i18n.js";
import { reasonText } from "../layout.js";

/** Runs per page of the runs page. */
export const runsPageSize = 20;
/** Steps shown per run at most (the API has them all). */
export const stepsShown = 50;

function stepRows(tr: Translator, steps: StepRecord[], tenant?: string): SafeHtml {
  const shown = steps.filter((s) => tenant === undefined || s.tenant === tenant).slice(0, stepsShown);
  if (shown.length === 0) return html``;
  // A failure is what one comes to read: its steps are shown open.
  const failed = shown.some((s) => s.state === "failed" || s.state === "terminal");
  return html`<details class="steps"${failed ? html` open` : null}><summary>${tr.t("steps")} (${tr.number(shown.length)})</summary>
<table><thead><tr><th scope="col">#</th><th scope="col">${tr.t("action")}</th><th scope="col">${tr.t(
    "key",
  )}</th><th scope="col">${tr.t("outcome")}</th><th scope="col">${tr.t("duration")}</th><th scope="col">${tr.t(
    "error",
  )}</th></tr></thead>
<tbody>${shown.map(
    (
      s,
    ) => html`<tr class="step step-${s.state}"><td class="num">${s.seq}</td><td>${s.action}</td><td><code>${s.key}</code></td>
<td>${s.state}</td><td class="num">${s.durationMs === null ? "—" : tr.duration(s.durationMs)}</td>
<td>${s.error ? reasonText(s.error) : (s.skipReason ?? "")}</td></tr>`,
  )}</tbody></table></details>`;
}

/** The runs as a table, with their steps when asked (steps of `tenant` only when given). */
export async function runsTable(
  store: ServiceStore,
  tr: Translator,
  runs: RunRecord[],
  o: { withSteps: boolean; tenant?: string },
): Promise<SafeHtml> {
  if (runs.length === 0) return html`<p>${tr.t("noRuns")}</p>`;
  const steps = o.withSteps ? await Promise.all(runs.map((r) => store.listSteps(r.id))) : [];
  return html`<table class="runs">
<thead><tr><th scope="col">${tr.t("started")}</th><th scope="col">${tr.t("mode")}</th><th scope="col">${tr.t(
    "source",
  )}</th><th scope="col">${tr.t("tenants")}</th><th scope="col">${tr.t("outcome")}</th><th scope="col">${tr.t(
    "duration",
  )}</th><th scope="col">${tr.t("error")}</th></tr></thead>
<tbody>${runs.map(
    (r, i) => html`<tr class="run outcome-${r.outcome ?? "running"}" data-run="${r.id}">
<td><time datetime="${r.startedAt.toISOString()}">${tr.date(r.startedAt)}</time></td>
<td>${r.mode}</td><td>${r.source}</td><td>${r.tenants.join(", ")}</td>
<td>${r.outcome ?? tr.t("running")}</td>
<td class="num">${r.finishedAt ? tr.duration(r.finishedAt.getTime() - r.startedAt.getTime()) : "—"}</td>
<td>${r.error ? reasonText(r.error) : ""}</td></tr>
${
  o.withSteps && (steps[i]?.length ?? 0) > 0
    ? html`<tr class="run-steps"><td colspan="7">${stepRows(tr, steps[i] ?? [], o.tenant)}</td></tr>`
    : null
}`,
  )}</tbody></table>`;
}

/** Reads `before` of the runs page: an ISO time, else none. */
export function runsBefore(raw: unknown): Date | undefined {
  if (typeof raw !== "string" || raw.length > 40) return undefined;
  const d = new Date(raw);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** What the runs page renders. */
export interface RunsView {
  title: string;
  main: SafeHtml;
  region: SafeHtml;
}

/** Renders one page of the partner's runs (sources `sources`), started before `before`. */
export async function runsPage(
  store: ServiceStore,
  tr: Translator,
  sources: string[],
  before: Date | undefined,
): Promise<RunsView> {
  const runs = await store.listRuns({ sources, limit: runsPageSize, ...(before ? { before } : {}) });
  const here = before ? `/runs?before=${encodeURIComponent(before.toISOString())}` : "/runs";
  const last = runs.at(-1);
  const older =
    runs.length === runsPageSize && last
      ? `/runs?before=${encodeURIComponent(last.startedAt.toISOString())}`
      : null;
  // Only the first page follows events: an older page stays put while one reads it.
  const live =
    before === undefined
      ? html` hx-get="${here}" hx-trigger="omnia-changed from:body" hx-swap="outerHTML"`
      : null;
  const region = html`<div id="runs-live" class="live"${live}>
${await runsTable(store, tr, runs, { withSteps: true })}
<nav class="pager" aria-label="${tr.t("paging")}">
${before ? html`<a href="/runs">${tr.t("newestRuns")}</a>` : null}
${older ? html`<a href="${older}" rel="next">${tr.t("olderRuns")}</a>` : null}
</nav>
</div>`;
  return { title: tr.t("runs"), main: html`<h1>${tr.t("runs")}</h1>${region}`, region };
}
