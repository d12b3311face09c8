/**
 * `omnia drift`: the differences between the manifests and the live platform, read from a
 * plan and sorted into what a person asks about — objects changed or deleted on the
 * platform, objects not created yet, objects not managed yet, documents removed. Nothing
 * is written to the platform.
 */
import pc from "picocolors";
import type { FieldDiff, Plan } from "../../model/plan.js";
import { reasons } from "./plan.js";
import { sensitive } from "./render.js";

/** What kind of difference. */
export type DriftKind =
  /** A managed object whose live fields differ from the manifests. */
  | "changed"
  /** A managed object that is gone from the platform. */
  | "missing"
  /** Declared, never created (or an interrupted create). */
  | "not-created"
  /** On the platform and declared, not in the inventory yet (apply adopts it). */
  | "unmanaged"
  /** Managed, no longer declared (apply with --prune deletes it). */
  | "removed";

/** One difference. */
export interface DriftItem {
  kind: DriftKind;
  key: string;
  resourceKind: string;
  tenant: string;
  /** driftMode of the resource: enforce (apply repairs), warn or observe (never repaired). */
  mode: "enforce" | "warn" | "observe";
  diffs: FieldDiff[];
}

/** The differences a plan shows, one item per key, in plan order. */
export function driftOf(plan: Plan): DriftItem[] {
  const items = new Map<string, DriftItem>();
  const add = (item: DriftItem) => {
    if (!items.has(item.key)) items.set(item.key, item);
  };
  for (const c of plan.changes) {
    const base = {
      key: c.key,
      resourceKind: c.kind,
      tenant: c.tenant,
      mode: "enforce" as const,
      diffs: c.diffs,
    };
    if (c.action === "update" || c.replaces) add({ ...base, kind: "changed" });
    else if (c.action === "create")
      add({ ...base, kind: c.reason === reasons.recreate ? "missing" : "not-created" });
    else if (c.action === "adopt") add({ ...base, kind: "unmanaged" });
    else if (c.action === "delete" || c.action === "forget") add({ ...base, kind: "removed" });
  }
  for (const d of plan.drift) {
    add({
      key: d.key,
      resourceKind: d.kind,
      tenant: d.tenant,
      mode: d.mode,
      diffs: d.diffs,
      kind: d.missing ? "not-created" : "changed",
    });
  }
  return [...items.values()];
}

const headline: Record<DriftKind, string> = {
  changed: "changed on the platform",
  missing: "missing from the platform",
  "not-created": "declared, not on the platform",
  unmanaged: "on the platform, not managed yet",
  removed: "managed, no longer declared",
};

/** The drift as text; "No drift." when there is none. */
export function renderDrift(items: readonly DriftItem[], color: boolean): string {
  const c = pc.createColors(color);
  if (items.length === 0) return "No drift: the platform matches the manifests.\n";
  const out: string[] = [];
  for (const i of items) {
    const mode = i.mode === "enforce" ? "" : c.dim(` [${i.mode}: not repaired]`);
    out.push(`${c.yellow("!")} ${i.key}: ${headline[i.kind]}${mode}`);
    if (i.kind === "changed") {
      for (const d of i.diffs) {
        out.push(`    ${d.path}: ${d.sensitive ? sensitive : `${show(d.before)} → ${show(d.after)}`}`);
      }
    }
  }
  const n = (k: DriftKind) => items.filter((i) => i.kind === k).length;
  out.push(
    "",
    `Drift: ${n("changed")} changed, ${n("missing")} missing, ${n("not-created")} not created, ${n("unmanaged")} not managed, ${n("removed")} no longer declared.`,
  );
  return `${out.join("\n")}\n`;
}

function show(v: unknown): string {
  return v === undefined || v === null ? "(none)" : JSON.stringify(v);
}
