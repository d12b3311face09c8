/**
 * The dashboard's two languages (partners are Italian): every text by key in English and
 * Italian, the choice from the `omnia_lang` cookie or else the browser's Accept-Language
 * (RFC 9110 §12.5.4 quality values), and dates, ages and numbers through `Intl` in that
 * locale.
 */

/** The languages the dashboard speaks. */
export const locales = ["en", "it"] as const;
/** A language of the dashboard. */
export type Locale = (typeof locales)[number];

const en = {
  title: "Omnia controller",
  skip: "Skip to content",
  navOverview: "Tenants",
  navRuns: "Runs",
  navInventory: "Inventory",
  language: "Language",
  logout: "Log out",
  loginTitle: "Log in",
  loginHelp:
    "Paste an API token of your partner (omn_…). It is kept in a cookie this browser sends only to this controller.",
  token: "API token",
  loginButton: "Log in",
  loginBad: "This token is unknown or revoked.",
  signedInAs: "Signed in as",
  tenants: "Tenants",
  search: "Search customer code",
  phase: "Status",
  anyPhase: "Any status",
  sort: "Sort by",
  order: "Order",
  asc: "ascending",
  desc: "descending",
  apply: "Apply",
  tenant: "Customer code",
  tenantTitle: "Tenant {code}",
  source: "Source",
  drifted: "Drifted resources",
  lastRun: "Last run",
  age: "Age",
  reason: "Reason",
  never: "never",
  none: "none",
  shown: "{from}–{to} of {total}",
  previous: "Previous",
  next: "Next",
  paging: "Pages",
  noTenants: "No tenant matches.",
  InSync: "In sync",
  Drifted: "Drifted",
  Reconciling: "Reconciling",
  Failed: "Failed",
  Suspended: "Suspended",
  status: "Status",
  observedRevision: "Observed revision",
  driftMode: "Drift mode",
  driftModeSource: "the source's default, for documents that set none",
  reconcileNow: "Reconcile now",
  reconcileQueued: "Reconcile queued.",
  readOnly: "This token can only read: reconciling needs a write token.",
  resources: "Resources",
  kind: "Kind",
  key: "Key",
  drift: "Drift",
  lastOutcome: "Last outcome",
  field: "Field",
  desiredValue: "Source",
  liveValue: "Platform",
  sensitive: "(sensitive)",
  changedBy: "Changed by hand by {actor} from {ip} at {at} in the {log}",
  changedByNoIp: "Changed by hand by {actor} at {at} in the {log}",
  unknownAuthor: "Who changed it was not found in the platform's logs.",
  "admin-console": "Admin Console",
  "omnia-manager": "Omnia Manager",
  in_sync: "in sync",
  unknown: "unknown",
  noResources: "No resource recorded yet.",
  problems: "Manifest problems",
  queued: "Queued",
  recentRuns: "Recent runs",
  runs: "Runs",
  run: "Run",
  mode: "Mode",
  started: "Started",
  duration: "Duration",
  outcome: "Outcome",
  running: "running",
  steps: "Steps",
  action: "Action",
  error: "Error",
  noRuns: "No run yet.",
  olderRuns: "Older runs",
  newestRuns: "Newest runs",
  inventory: "Inventory",
  inventoryOf: "Platform figures of source {source}",
  customers: "Customers",
  pbxs: "PBXs",
  licenses: "Licenses",
  start: "Start",
  plus: "Plus",
  acquiredPerMonth: "Customers acquired per month",
  month: "Month",
  acquired: "Acquired",
  change: "Change",
  thisMonth: "{change} this month",
  noFigures: "The platform's figures cannot be read now.",
  noSource: "This partner has no source yet.",
  live: "Live updates",
  notFound: "Not found.",
  driftedReasonOne: "1 resource differs from the source",
  driftedReasonOther: "{count} resources differ from the source",
  circuitOpenReason:
    "the platform account's circuit is open after a burst of 429/5xx answers (account {account}, {domain}; circuit {state}); next try at {at}",
  circuitOpenShort: "the platform account's circuit is open after a burst of 429/5xx answers",
  manifestProblemsReason: "the manifests have problems ({count})",
  andMore: "(and {count} more)",
};

/** A text's key. */
export type MessageKey = keyof typeof en;

const it: Record<MessageKey, string> = {
  title: "Controller Omnia",
  skip: "Vai al contenuto",
  navOverview: "Clienti",
  navRuns: "Esecuzioni",
  navInventory: "Inventario",
  language: "Lingua",
  logout: "Esci",
  loginTitle: "Accedi",
  loginHelp:
    "Incolla un token API del tuo partner (omn_…). Resta in un cookie che il browser invia solo a questo controller.",
  token: "Token API",
  loginButton: "Accedi",
  loginBad: "Questo token è sconosciuto o revocato.",
  signedInAs: "Accesso come",
  tenants: "Clienti",
  search: "Cerca codice cliente",
  phase: "Stato",
  anyPhase: "Qualsiasi stato",
  sort: "Ordina per",
  order: "Ordine",
  asc: "crescente",
  desc: "decrescente",
  apply: "Applica",
  tenant: "Codice cliente",
  tenantTitle: "Cliente {code}",
  source: "Sorgente",
  drifted: "Risorse divergenti",
  lastRun: "Ultima esecuzione",
  age: "Età",
  reason: "Motivo",
  never: "mai",
  none: "nessuno",
  shown: "{from}–{to} di {total}",
  previous: "Precedente",
  next: "Successiva",
  paging: "Pagine",
  noTenants: "Nessun cliente corrisponde.",
  InSync: "Allineato",
  Drifted: "Divergente",
  Reconciling: "In riconciliazione",
  Failed: "Fallito",
  Suspended: "Sospeso",
  status: "Stato",
  observedRevision: "Revisione osservata",
  driftMode: "Modalità di divergenza",
  driftModeSource: "il predefinito della sorgente, per i documenti che non ne indicano una",
  reconcileNow: "Riconcilia ora",
  reconcileQueued: "Riconciliazione in coda.",
  readOnly: "Questo token può solo leggere: per riconciliare serve un token di scrittura.",
  resources: "Risorse",
  kind: "Tipo",
  key: "Chiave",
  drift: "Divergenza",
  lastOutcome: "Ultimo esito",
  field: "Campo",
  desiredValue: "Sorgente",
  liveValue: "Piattaforma",
  sensitive: "(sensitive)",
  changedBy: "Modificato a mano da {actor} da {ip} il {at} in {log}",
  changedByNoIp: "Modificato a mano da {actor} il {at} in {log}",
  unknownAuthor: "Chi l'ha modificato non risulta nei log della piattaforma.",
  "admin-console": "Admin Console",
  "omnia-manager": "Omnia Manager",
  in_sync: "allineato",
  unknown: "sconosciuto",
  noResources: "Nessuna risorsa registrata.",
  problems: "Problemi nei manifest",
  queued: "In coda",
  recentRuns: "Esecuzioni recenti",
  runs: "Esecuzioni",
  run: "Esecuzione",
  mode: "Modalità",
  started: "Iniziata",
  duration: "Durata",
  outcome: "Esito",
  running: "in corso",
  steps: "Passi",
  action: "Azione",
  error: "Errore",
  noRuns: "Ancora nessuna esecuzione.",
  olderRuns: "Esecuzioni precedenti",
  newestRuns: "Più recenti",
  inventory: "Inventario",
  inventoryOf: "Dati della piattaforma della sorgente {source}",
  customers: "Clienti",
  pbxs: "PBX",
  licenses: "Licenze",
  start: "Start",
  plus: "Plus",
  acquiredPerMonth: "Clienti acquisiti per mese",
  month: "Mese",
  acquired: "Acquisiti",
  change: "Variazione",
  thisMonth: "{change} questo mese",
  noFigures: "I dati della piattaforma non sono leggibili ora.",
  noSource: "Questo partner non ha ancora sorgenti.",
  live: "Aggiornamenti in tempo reale",
  notFound: "Non trovato.",
  driftedReasonOne: "1 risorsa differisce dalla sorgente",
  driftedReasonOther: "{count} risorse differiscono dalla sorgente",
  circuitOpenReason:
    "il circuito dell'account della piattaforma è aperto dopo una raffica di risposte 429/5xx (account {account}, {domain}; circuito {state}); prossimo tentativo il {at}",
  circuitOpenShort:
    "il circuito dell'account della piattaforma è aperto dopo una raffica di risposte 429/5xx",
  manifestProblemsReason: "i manifest hanno problemi ({count})",
  andMore: "(e altri {count})",
};

const messages: Record<Locale, Record<MessageKey, string>> = { en, it };

/** Whether `text` names a language of the dashboard. */
export const isLocale = (text: unknown): text is Locale => text === "en" || text === "it";

/**
 * The language to answer in: the cookie's when it names one, else the first language of
 * Accept-Language (highest quality first, `it-IT` counts as `it`) that the dashboard has,
 * else English.
 */
export function pickLocale(cookie: string | undefined, acceptLanguage: string | undefined): Locale {
  if (isLocale(cookie)) return cookie;
  const ranked = (acceptLanguage ?? "")
    .split(",")
    .map((part, i) => {
      const [tag = "", ...params] = part.trim().split(";");
      // A malformed weight (`q=abc`) drops the entry rather than ranking it first.
      const weight = params.map((p) => /^\s*q=(.*)$/.exec(p)?.[1]?.trim()).find((v) => v !== undefined);
      const q =
        weight === undefined
          ? 1
          : /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(weight)
            ? Number(weight)
            : Number.NaN;
      return { lang: tag.trim().toLowerCase().split("-")[0] ?? "", q, i };
    })
    .filter((x) => x.q > 0 && !Number.isNaN(x.q))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked.map((x) => x.lang).find(isLocale) ?? "en";
}

/** Options of `translator`. */
export interface TranslatorOptions {
  /** Time zone for dates. Default `Europe/Rome` (the platform's). */
  timeZone?: string;
  /** "Now" for ages. Default: real time. */
  now?: Date;
}

/** Texts and formats of one locale. */
export interface Translator {
  locale: Locale;
  /** The text of `key` with `{name}` placeholders filled (values are plain text; the template escapes them). */
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  /** A date and time, e.g. `29 Nov 2026, 19:20`. */
  date(d: Date): string;
  /** How long ago, e.g. `5 minutes ago` / `5 minuti fa`. */
  age(d: Date): string;
  number(n: number): string;
  /** A signed percentage, e.g. `+12.5%`; null shows as `—`. */
  percent(p: number | null): string;
  /** A duration in ms, e.g. `1.2 s`. */
  duration(ms: number): string;
}

/** A translator for `locale`. */
export function translator(locale: Locale, options: TranslatorOptions = {}): Translator {
  const table = messages[locale];
  const timeZone = options.timeZone ?? "Europe/Rome";
  const dateFmt = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone });
  const rel = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  const num = new Intl.NumberFormat(locale);
  const pct = new Intl.NumberFormat(locale, {
    style: "percent",
    maximumFractionDigits: 1,
    signDisplay: "exceptZero",
  });
  const secs = new Intl.NumberFormat(locale, { style: "unit", unit: "second", maximumFractionDigits: 1 });
  const millis = new Intl.NumberFormat(locale, {
    style: "unit",
    unit: "millisecond",
    maximumFractionDigits: 0,
  });
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ["second", 60],
    ["minute", 60],
    ["hour", 24],
    ["day", 30],
    ["month", 12],
    ["year", Number.POSITIVE_INFINITY],
  ];
  return {
    locale,
    t: (key, vars = {}) => table[key].replace(/\{(\w+)\}/g, (m, name: string) => String(vars[name] ?? m)),
    date: (d) => dateFmt.format(d),
    age: (d) => {
      let value = ((options.now ?? new Date()).getTime() - d.getTime()) / 1000;
      for (const [unit, size] of steps) {
        if (Math.abs(value) < size) return rel.format(-Math.round(value), unit);
        value /= size;
      }
      return rel.format(-Math.round(value), "year");
    },
    number: (n) => num.format(n),
    percent: (p) => (p === null ? "—" : pct.format(p / 100)),
    duration: (ms) => (ms < 1000 ? millis.format(ms) : secs.format(ms / 1000)),
  };
}
