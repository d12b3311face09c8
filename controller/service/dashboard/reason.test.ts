/**
 * Tenant reasons in the page's language: each reason the dashboard knows the shape of is
 * made here by the code that makes it in production (the scheduler's `statusAfter` and
 * `terminalReason`, the engine's `LoadError`, run.ts's circuit text around
 * `errCircuitOpen`), so a change of wording there fails here rather than showing English
 * on the Italian page. Anything else is shown as written.
 */
import { describe, expect, it } from "vitest";
import { failureOutcome, LoadError } from "../../engine/reconcile/outcome.js";
import type { Problem } from "../../load/problems.js";
import { errCircuitOpen } from "../../scheduler/breaker.js";
import { statusAfter, terminalReason } from "../../scheduler/phase.js";
import { done } from "../../test-support/scheduler-harness.js";
import { translator } from "./i18n.js";
import { tenantReason } from "./layout.js";

const now = new Date(Date.UTC(2026, 10, 29, 19, 0));
const problem = (line: number): Problem => ({
  file: "tenants/acme.yaml",
  line,
  col: 7,
  kind: "Extension",
  name: "201",
  message: "spec.license must be one of start, plus",
  code: "invalid-value",
});

/** The status a drift check with `n` drifted resources leaves (the scheduler's own patch). */
function driftStatus(n: number) {
  const patch = statusAfter({
    mode: "drift",
    outcome: done({ changes: [], drift: n }),
    now,
    attempts: 0,
    sourceRevision: "r1",
  });
  return { reason: patch.reason ?? null, drifted: patch.drifted ?? 0 };
}

/** A load failure's reason, as the scheduler records it. */
function loadReason(problems: Problem[]): string {
  const outcome = failureOutcome(new LoadError(problems));
  if (outcome.status !== "terminal") throw new Error(`want terminal, got ${outcome.status}`);
  return terminalReason(outcome);
}

/** The circuit reason as controller/scheduler/run.ts writes it. */
const circuitReason = `${errCircuitOpen} (account https://omnia.example/, demo; circuit open); next try at ${new Date(
  now.getTime() + 30_000,
).toISOString()}`;

const it_ = translator("it", { timeZone: "Europe/Rome" });
const en = translator("en", { timeZone: "Europe/Rome" });
const text = (s: unknown) => String(s ?? "");

describe("tenantReason", () => {
  it.each([
    [1, "1 risorsa differisce dalla sorgente", "1 resource differs from the source"],
    [3, "3 risorse differiscono dalla sorgente", "3 resources differ from the source"],
    [1200, "1200 risorse differiscono dalla sorgente", "1,200 resources differ from the source"],
  ])("says %i drifted resources in Italian, the count from the status", (n, wantIt, wantEn) => {
    const status = driftStatus(n);
    expect(status.reason, "the scheduler's reason").not.toBeNull();
    expect(text(tenantReason(it_, status))).toBe(wantIt);
    expect(text(tenantReason(en, status))).toBe(wantEn);
  });

  it("says the open circuit in Italian, with account, state and the next try in the locale", () => {
    expect(text(tenantReason(it_, { reason: circuitReason, drifted: 0 }))).toBe(
      `il circuito dell&#39;account della piattaforma è aperto dopo una raffica di risposte 429/5xx (account https://omnia.example/, demo; circuito open); prossimo tentativo il ${it_.date(new Date(now.getTime() + 30_000))}`,
    );
  });

  it("keeps a manifest problem's file:line:col and message, translating the words around it", () => {
    expect(text(tenantReason(it_, { reason: loadReason([problem(12)]), drifted: 0 }))).toBe(
      'i manifest hanno problemi (1): <code class="place">tenants/acme.yaml:12:7</code> Extension/201: spec.license must be one of start, plus',
    );
    expect(
      text(tenantReason(it_, { reason: loadReason([problem(12), problem(14), problem(20)]), drifted: 0 })),
    ).toBe(
      'i manifest hanno problemi (3): <code class="place">tenants/acme.yaml:12:7</code> Extension/201: spec.license must be one of start, plus (e altri 2)',
    );
  });

  it.each([
    [
      "a reason of unknown shape",
      "the platform refused the account: 401",
      "the platform refused the account: 401",
    ],
    ["a place first", "tenants/a.yaml:3:1: bad", '<code class="place">tenants/a.yaml:3:1</code> bad'],
    ["markup", "<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"],
  ])("shows %s as written", (_name, reason, want) => {
    expect(text(tenantReason(it_, { reason, drifted: 0 }))).toBe(want);
  });

  it("shows nothing for no reason", () => {
    expect(tenantReason(it_, { reason: null, drifted: 0 })).toBeNull();
  });
});
