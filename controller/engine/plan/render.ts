/**
 * A plan for people (`renderPlan`, like a Terraform plan) and for programs (`planToJson`,
 * a stable JSON shape). Neither ever carries a secret: sensitive diffs have no values,
 * and desired specs are serialised with every secret field as "(sensitive)".
 */
import pc from "picocolors";
import { Secret } from "../../model/desired-state.js";
import type { ChangeAction, FieldDiff, Plan, PlannedChange } from "../../model/plan.js";
import { countActions, isEmptyPlan } from "./plan.js";
import { secretFields } from "./policy.js";

/** The symbol of each action in rendered plans. */
export const actionSymbols: Readonly<Record<ChangeAction, string>> = {
  create: "+",
  update: "~",
  delete: "-",
  adopt: "⇐",
  forget: "⊘",
  noop: " ",
};

/** The legend line printed above the changes. */
export const legend =
  "Legend: + create  ~ update  - delete  ⇐ adopt (take ownership)  ⊘ forget (stop managing)";

/** Shown instead of any secret value. */
export const sensitive = "(sensitive)";

/** Options of `renderPlan`. */
export interface RenderOptions {
  /** ANSI colours (picocolors); callers pass true only on a TTY. */
  color: boolean;
}

/** Renders a plan as text: changes with field diffs, drift, refusals, warnings and a summary. */
export function renderPlan(plan: Plan, options: RenderOptions): string {
  const c = pc.createColors(options.color);
  const paint: Record<ChangeAction, (s: string) => string> = {
    create: c.green,
    update: c.yellow,
    delete: c.red,
    adopt: c.cyan,
    forget: c.magenta,
    noop: (s) => s,
  };
  const out: string[] = [];
  const changes = plan.changes.filter((ch) => ch.action !== "noop");
  if (changes.length > 0) {
    out.push(c.dim(legend), "");
    for (const ch of changes) {
      const head = `${actionSymbols[ch.action]} ${ch.action} ${ch.key}`;
      const replaced = ch.replaces ? " (replace)" : "";
      out.push(`${paint[ch.action](head)}${replaced}  ${c.dim(`# ${ch.reason}`)}`);
      for (const d of ch.diffs) out.push(`    ${renderDiff(d, ch.action)}`);
      if (ch.dependsOn.length > 0) out.push(c.dim(`    after: ${ch.dependsOn.join(", ")}`));
    }
    out.push("");
  }
  if (plan.drift.length > 0) {
    out.push(c.bold("Drift (not repaired: driftMode forbids writes):"));
    for (const d of plan.drift) {
      out.push(`${c.yellow("!")} ${d.key} [${d.mode}]${d.missing ? " missing from the platform" : ""}`);
      for (const f of d.diffs) out.push(`    ${renderDiff(f, d.missing ? "create" : "update")}`);
    }
    out.push("");
  }
  if (plan.refusals.length > 0) {
    out.push(c.bold(c.red("Refused: this plan will not be applied:")));
    for (const r of plan.refusals) out.push(`${c.red("✗")} ${r}`);
    out.push("");
  }
  if (plan.warnings.length > 0) {
    out.push(c.bold("Warnings:"));
    for (const w of plan.warnings) out.push(`${c.yellow("!")} ${w}`);
    out.push("");
  }
  out.push(summaryLine(plan));
  return `${out.join("\n")}\n`;
}

/** "Plan: N to create, N to update, N to delete, N to adopt." or "No changes." */
export function summaryLine(plan: Plan): string {
  if (isEmptyPlan(plan)) return "No changes.";
  const n = countActions(plan);
  const forget = n.forget > 0 ? ` ${n.forget} to forget.` : "";
  return `Plan: ${n.create} to create, ${n.update} to update, ${n.delete} to delete, ${n.adopt} to adopt.${forget}`;
}

function renderDiff(d: FieldDiff, action: ChangeAction): string {
  if (d.sensitive) return `${d.path}: ${sensitive}`;
  if (action === "create") return `${d.path}: ${show(d.after)}`;
  return `${d.path}: ${show(d.before)} → ${show(d.after)}`;
}

function show(v: unknown): string {
  if (v === undefined || v === null) return "(none)";
  if (v instanceof Secret) return sensitive;
  return JSON.stringify(v);
}

/** Version of the JSON shape of `planToJson`; bumped on any incompatible change. */
export const planJsonVersion = 1;

/** One change in `PlanJson`. */
export interface PlanJsonChange {
  action: ChangeAction;
  kind: PlannedChange["kind"];
  key: string;
  tenant: string;
  id?: string;
  reason: string;
  replaces?: boolean;
  dependsOn: string[];
  diffs: FieldDiff[];
  /** Where the desired document is, `file:line:col`. */
  source?: string;
  /** The desired spec, secrets as "(sensitive)". */
  spec?: unknown;
}

/** The JSON form of a plan (`omnia plan --json`). Noops are counted, not listed. */
export interface PlanJson {
  version: number;
  summary: Record<ChangeAction, number>;
  changes: PlanJsonChange[];
  drift: Plan["drift"];
  refusals: string[];
  warnings: string[];
}

/** A plan as plain JSON data: stable key order, no secrets, no class instances. */
export function planToJson(plan: Plan): PlanJson {
  const changes = plan.changes
    .filter((ch) => ch.action !== "noop")
    .map((ch): PlanJsonChange => {
      const j: PlanJsonChange = {
        action: ch.action,
        kind: ch.kind,
        key: ch.key,
        tenant: ch.tenant,
        reason: ch.reason,
        dependsOn: [...ch.dependsOn],
        diffs: ch.diffs.map(cleanDiff),
      };
      if (ch.id !== undefined) j.id = ch.id;
      if (ch.replaces) j.replaces = true;
      if (ch.desired) {
        const s = ch.desired.source;
        j.source = `${s.file}:${s.line}:${s.col}`;
        j.spec = redact(ch.desired.spec, "spec", secretFields[ch.kind] ?? []);
      }
      return j;
    });
  return {
    version: planJsonVersion,
    summary: countActions(plan),
    changes,
    drift: plan.drift.map((d) => ({ ...d, diffs: d.diffs.map(cleanDiff) })),
    refusals: [...plan.refusals],
    warnings: [...plan.warnings],
  };
}

/** A diff with only plain values; a sensitive one keeps only its path. */
function cleanDiff(d: FieldDiff): FieldDiff {
  if (d.sensitive) return { path: d.path, sensitive: true };
  const out: FieldDiff = { path: d.path };
  if (d.before !== undefined) out.before = redact(d.before, d.path, []);
  if (d.after !== undefined) out.after = redact(d.after, d.path, []);
  return out;
}

/** Deep copy as plain data with Secrets, and the given secret paths, as "(sensitive)". */
function redact(v: unknown, path: string, secrets: readonly string[]): unknown {
  if (v instanceof Secret || secrets.includes(path)) return sensitive;
  if (Array.isArray(v)) return v.map((x, i) => redact(x, `${path}.${i}`, secrets));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = redact(x, `${path}.${k}`, secrets);
    return out;
  }
  return v;
}
