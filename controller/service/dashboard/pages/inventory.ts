/**
 * Inventory page (`/inventory`): the figures the platform's own dashboard shows, read
 * through `ServiceDeps.inventoryFigures` for one of the partner's sources: customers
 * acquired per month (a Chart.js line chart, with a table of the same numbers and the
 * change against the month before), total customers and PBXs with their change this
 * month, and Start against Plus licenses (a pie). The charts are drawn by the served
 * `charts.js` from a JSON block; no chart code is made here.
 */
import type { SourceRecord } from "../../../model/control.js";
import type { InventoryFigures, ServiceDeps } from "../../ports.js";
import { html, jsonScript, type SafeHtml } from "../html.js";
import type { Translator } from "../i18n.js";

/** What the inventory page renders. */
export interface InventoryView {
  title: string;
  main: SafeHtml;
  /** Scripts the page needs (asset names). */
  scripts: string[];
}

function card(tr: Translator, label: string, value: number, change: number | null | undefined): SafeHtml {
  return html`<div class="card"><h3>${label}</h3><p class="figure">${tr.number(value)}</p>${
    change === undefined
      ? null
      : html`<p class="change">${tr.t("thisMonth", { change: tr.percent(change) })}</p>`
  }</div>`;
}

/** Renders the figures of `source` (the first of `sources` when not given or not the partner's). */
export async function inventoryPage(
  deps: Pick<ServiceDeps, "inventoryFigures">,
  tr: Translator,
  sources: SourceRecord[],
  wanted: string | undefined,
  log: (err: unknown) => void,
): Promise<InventoryView> {
  const title = tr.t("inventory");
  const source = sources.find((s) => s.id === wanted) ?? sources[0];
  if (!source) return { title, main: html`<h1>${title}</h1><p>${tr.t("noSource")}</p>`, scripts: [] };
  let figures: InventoryFigures | undefined;
  try {
    figures = await deps.inventoryFigures?.(source.id);
  } catch (err) {
    log(err);
  }
  const picker =
    sources.length > 1
      ? html`<form method="get" action="/inventory" class="filters"><label for="source">${tr.t("source")}</label>
<select id="source" name="source">${sources.map(
          (s) => html`<option value="${s.id}"${s.id === source.id ? html` selected` : null}>${s.id}</option>`,
        )}</select> <button type="submit">${tr.t("apply")}</button></form>`
      : null;
  const head = html`<h1>${title}</h1><p>${tr.t("inventoryOf", { source: source.id })}</p>${picker}`;
  if (!figures) return { title, main: html`${head}<p role="alert">${tr.t("noFigures")}</p>`, scripts: [] };
  const { totals, customersPerMonth } = figures;
  const chartData = {
    line: {
      label: tr.t("acquired"),
      labels: customersPerMonth.map((m) => m.month),
      values: customersPerMonth.map((m) => m.acquired),
    },
    pie: { labels: [tr.t("start"), tr.t("plus")], values: [totals.licenses.start, totals.licenses.plus] },
    locale: tr.locale,
  };
  const main = html`${head}
<div class="cards">
${card(tr, tr.t("customers"), totals.customers, totals.customersGrowthPercent)}
${card(tr, tr.t("pbxs"), totals.pbxs, totals.pbxsGrowthPercent)}
${card(tr, tr.t("licenses"), totals.licenses.total, undefined)}
</div>
<div class="charts">
<figure class="chart"><figcaption id="acquired-title">${tr.t("acquiredPerMonth")}</figcaption>
<div class="canvas-box"><canvas id="acquired-chart" role="img" aria-labelledby="acquired-title"></canvas></div>
<table class="acquired"><caption class="visually-hidden">${tr.t("acquiredPerMonth")}</caption>
<thead><tr><th scope="col">${tr.t("month")}</th><th scope="col">${tr.t("acquired")}</th><th scope="col">${tr.t(
    "change",
  )}</th></tr></thead>
<tbody>${customersPerMonth.map(
    (m) =>
      html`<tr><th scope="row">${m.month}</th><td class="num">${tr.number(m.acquired)}</td><td class="num">${tr.percent(
        m.growthPercent,
      )}</td></tr>`,
  )}</tbody></table>
</figure>
<figure class="chart"><figcaption id="license-title">${tr.t("licenses")}: ${tr.t("start")} ${tr.number(
    totals.licenses.start,
  )} · ${tr.t("plus")} ${tr.number(totals.licenses.plus)}</figcaption>
<div class="canvas-box"><canvas id="license-chart" role="img" aria-labelledby="license-title"></canvas></div>
</figure>
</div>
<script type="application/json" id="inventory-data">${jsonScript(chartData)}</script>`;
  return { title, main, scripts: ["chart.umd.min.js", "charts.js"] };
}
