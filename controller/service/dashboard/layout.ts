/**
 * The page shell every dashboard page shares: head with the served stylesheet and
 * scripts (no inline script: the Content-Security-Policy allows only our own files),
 * navigation, language switch, log out, the live-update hook (`data-live`) and a polite
 * live region for screen readers.
 */
import { errLoad } from "../../engine/reconcile/outcome.js";
import type { ApiToken } from "../../model/control.js";
import { errCircuitOpen } from "../../scheduler/breaker.js";
import { html, type SafeHtml } from "./html.js";
import { locales, type Translator } from "./i18n.js";

/** Which navigation entry is the current page. */
export type NavPage = "overview" | "runs" | "inventory" | "tenant" | "login";

/** What a page gives the shell. */
export interface PageShell {
  tr: Translator;
  title: string;
  nav: NavPage;
  /** The path and query of this page (for the language switch to come back to). */
  here: string;
  /** The signed-in token; none on the login page. */
  token?: ApiToken;
  /** Extra scripts of this page, by asset name (e.g. the charts). */
  scripts?: readonly string[];
  main: SafeHtml;
}

/** Content-Security-Policy of every dashboard answer: only our own files, no inline code. */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

const localeNames: Record<string, string> = { en: "English", it: "Italiano" };

/** The full page. */
export function layout(p: PageShell): SafeHtml {
  const { tr } = p;
  const navItem = (page: NavPage, href: string, label: string) =>
    html`<li><a href="${href}"${p.nav === page ? html` aria-current="page"` : null}>${label}</a></li>`;
  const langs = locales.map(
    (l) =>
      html`<li><a href="/ui/lang/${l}?next=${encodeURIComponent(p.here)}" lang="${l}" hreflang="${l}"${
        tr.locale === l ? html` aria-current="true"` : null
      }>${localeNames[l]}</a></li>`,
  );
  return html`<!doctype html>
<html lang="${tr.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"historyCacheSize":0}'>
<title>${p.title} · ${tr.t("title")}</title>
<link rel="stylesheet" href="/ui/assets/dashboard.css">
<script src="/ui/assets/htmx.min.js" defer></script>
<script src="/ui/assets/dashboard.js" defer></script>
${(p.scripts ?? []).map((s) => html`<script src="/ui/assets/${s}" defer></script>`)}
</head>
<body${p.token ? html` data-live="/ui/events"` : null}>
<a class="skip" href="#main">${tr.t("skip")}</a>
<header class="top">
<span class="brand">${tr.t("title")}</span>
${
  p.token
    ? html`<nav aria-label="${tr.t("title")}"><ul>
${navItem("overview", "/", tr.t("navOverview"))}
${navItem("runs", "/runs", tr.t("navRuns"))}
${navItem("inventory", "/inventory", tr.t("navInventory"))}
</ul></nav>`
    : null
}
<nav aria-label="${tr.t("language")}" class="langs"><ul>${langs}</ul></nav>
${
  p.token
    ? html`<form method="post" action="/logout" class="logout"><span class="who">${tr.t("signedInAs")} <strong>${p.token.name}</strong> (${p.token.partner})</span> <button type="submit">${tr.t("logout")}</button></form>`
    : null
}
</header>
<main id="main" tabindex="-1">
${p.main}
</main>
<div id="announce" class="visually-hidden" role="status" aria-live="polite"></div>
</body>
</html>`;
}

/** A phase as a labelled badge (colour plus words, never colour alone). */
export function phaseBadge(tr: Translator, phase: string): SafeHtml {
  const known = ["InSync", "Drifted", "Reconciling", "Failed", "Suspended"].includes(phase);
  return html`<span class="phase phase-${known ? phase : "unknown"}" data-phase="${phase}">${
    known ? tr.t(phase as "InSync") : phase
  }</span>`;
}

/**
 * A reason in plain words; a leading manifest place `file:line:col` (the loader's format)
 * is shown as code so it can be copied.
 */
export function reasonText(reason: string): SafeHtml {
  const m = /^(\S+:\d+:\d+):\s*([\s\S]*)$/.exec(reason);
  return m ? html`<code class="place">${m[1]}</code> ${m[2]}` : html`${reason}`;
}

/**
 * The drift reason's shape as controller/scheduler/phase.ts makes it (`statusAfter`), and
 * the fixtures' singular form. Only the shape is read; the count shown is the status's.
 */
const driftedReasonShape = /^\d+ resources? ?(?:\(s\) )?differs? from the source$/;
/** The tail controller/scheduler/run.ts appends to `errCircuitOpen`. */
const circuitTailShape = /^ \(account (.+), ([^;]+); circuit ([\w-]+)\); next try at (\S+)$/;
/** The loader's reason (`LoadError` through `terminalReason`): count, first problem, more. */
const manifestShape = /^: (\d+) problem\(s\): ([\s\S]*?)(?: \(and (\d+) more\))?$/;

/**
 * A tenant's reason in the page's language when the dashboard knows its shape: the drift
 * count (from `status.drifted`), the open circuit of the account, the manifests' problems
 * (the problem itself, `file:line:col: message`, kept as written). Any other reason is
 * shown as is (`reasonText`).
 */
export function tenantReason(
  tr: Translator,
  status: { reason: string | null; drifted: number },
): SafeHtml | null {
  const reason = status.reason;
  if (!reason) return null;
  if (driftedReasonShape.test(reason)) {
    const n = status.drifted;
    return html`${tr.t(n === 1 ? "driftedReasonOne" : "driftedReasonOther", { count: tr.number(n) })}`;
  }
  if (reason.startsWith(errCircuitOpen)) {
    const m = circuitTailShape.exec(reason.slice(errCircuitOpen.length));
    const at = m ? new Date(m[4] ?? "") : undefined;
    if (!m || !at || Number.isNaN(at.getTime())) {
      return html`${tr.t("circuitOpenShort")}${reason.slice(errCircuitOpen.length)}`;
    }
    const text = tr.t("circuitOpenReason", {
      account: m[1] ?? "",
      domain: m[2] ?? "",
      state: m[3] ?? "",
      at: tr.date(at),
    });
    return html`${text}`;
  }
  if (reason.startsWith(errLoad)) {
    const m = manifestShape.exec(reason.slice(errLoad.length));
    if (m) {
      const more = m[3] ? html` ${tr.t("andMore", { count: tr.number(Number(m[3])) })}` : null;
      return html`${tr.t("manifestProblemsReason", { count: tr.number(Number(m[1])) })}: ${reasonText(
        m[2] ?? "",
      )}${more}`;
    }
  }
  return reasonText(reason);
}
