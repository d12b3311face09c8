/**
 * Hostile strings (control characters, NUL above all, lone surrogates, `__proto__`, SQL,
 * HTML and template fragments) through every stage after the loader (issue 8, "Done
 * when"): validate refuses what the store and platform cannot keep, plan compares what
 * the platform shows, the saved plan and the store (PGlite) keep it, and the stand-in
 * answers it without a 500. The loader's own property is in controller/load/text.test.ts.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OmniaClient, PlatformError } from "../../../platform/client/index.js";
import { startTestStandin, type TestStandin, testClientOptions } from "../../../platform/standin/testing.js";
import { loadTexts } from "../../load/index.js";
import type { FieldDiff } from "../../model/plan.js";
import { openStore, type Store } from "../../store/index.js";
import {
  desiredStateOf,
  liveOf,
  liveStateOf,
  make,
  managedEntry,
  testHash,
} from "../../test-support/fakes.js";
import { plan } from "../plan/plan.js";
import { renderPlan } from "../plan/render.js";
import { parseSavedPlan, serializeSavedPlan } from "../plan/saved-plan.js";

const hostile = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.constantFrom(
    "__proto__",
    "constructor",
    "'; DROP TABLE runs; --",
    "<script>alert(1)</script>",
    "\u0000",
    "Hotel\u0000Lago",
    "\uD800",
    "x\uDFFFy",
    "{{ .Values }}",
    ["$", "{OMNIA_PASSWORD}"].join(""),
    "../../etc/passwd",
    "\u001b[31mred\u001b[0m",
    "\\u0000",
  ),
);

/** A value as the store keeps it: NUL, which PostgreSQL cannot hold, as the visible `\u0000`. */
/**
 * What the store keeps of `v`, modelled code unit by code unit (independently of the
 * store's regular expression): NUL and each surrogate without its pair as `\uXXXX`.
 */
const stored = (v: string) => {
  let out = "";
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    const high = c >= 0xd800 && c <= 0xdbff;
    const next = v.charCodeAt(i + 1);
    if (high && next >= 0xdc00 && next <= 0xdfff) {
      out += v.slice(i, i + 2);
      i++;
    } else if (c === 0 || (c >= 0xd800 && c <= 0xdfff)) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += v[i];
  }
  return out;
};
const storedDiffs = (diffs: FieldDiff[]) =>
  diffs.map((d) => ({ ...d, before: stored(String(d.before)), after: stored(String(d.after)) }));

/** Whether the loader must refuse `v` in a manifest string (text.ts): controls and lone surrogates. */
const refusedByValidate = (v: string) =>
  [...v].some((ch) => {
    const cp = ch.codePointAt(0) as number;
    return (
      (cp < 0x20 && cp !== 9 && cp !== 10) || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xdfff)
    );
  });

let store: Store;
let standin: TestStandin;
let client: OmniaClient;
beforeAll(async () => {
  store = await openStore({ memory: true });
  standin = await startTestStandin();
  client = new OmniaClient(standin.settings, testClientOptions);
});
afterAll(async () => {
  await store.close();
  await client.close();
  await standin.close();
  expect(standin.violations, "responses that broke the contract").toEqual([]);
});

describe("hostile strings through validate, plan, the saved plan and the store (property)", () => {
  it("never crashes; live values compare, serialise and store as they are (NUL escaped)", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (written, live) => {
        run++;
        const code = `H${run}`;
        // Validate: the manifest's businessName is `written`; the loader refuses what it must.
        const manifest = JSON.stringify({
          apiVersion: "omnia.kalliope.io/v1",
          kind: "Tenant",
          metadata: { name: "h" },
          spec: {
            businessName: written,
            customerCode: code,
            vatNumber: "08712340150",
            fiscalCode: "08712340150",
          },
        });
        const loaded = loadTexts(new Map([["t.yaml", `${manifest}\n`]]), { env: {} });
        expect(loaded.problems.some((p) => p.code === "control-character")).toBe(refusedByValidate(written));
        // A caller plans only a load without problems (loadDirectory's contract); else a clean tenant.
        const desired = loaded.problems.length === 0 ? loaded.state : desiredStateOf([make.tenant(code)]);

        // Plan: the platform shows `live` as the business name and as a department.
        const tenant = desired.tenants[0] as (typeof desired.tenants)[number];
        const liveTenant = liveOf(
          make.tenant(code, { spec: { ...tenant.spec, businessName: live } }),
          `c-${run}`,
        );
        const liveUser = liveOf(make.user(code, "u@h.example", { spec: { department: live } }), `u-${run}`);
        const p = plan(
          desired,
          liveStateOf([liveTenant, liveUser], [code]),
          [managedEntry(tenant, `c-${run}`)],
          { hashSecret: testHash, source: "repo" },
        );
        expect(p.refusals).toEqual([]);
        const change = p.changes.find((c) => c.key === tenant.key);
        const wanted = tenant.spec.businessName;
        expect(change?.action).toBe(wanted === live ? "noop" : "update");
        const diffs = change?.diffs ?? [];
        if (wanted !== live)
          expect(diffs).toContainEqual({ path: "spec.businessName", before: live, after: wanted });
        expect(typeof renderPlan(p, { color: false })).toBe("string");

        // The saved plan reads back equal, lone surrogates and NUL included.
        const saved = {
          format: "omnia-plan/v1" as const,
          createdAt: "2026-11-29T00:00:00.000Z",
          runId: `r${run}`,
          source: { name: "repo", location: live },
          tenants: [code],
          settings: {},
          basis: { revision: live, live: {}, inventory: {} },
          plan: p,
        };
        const back = parseSavedPlan(serializeSavedPlan(saved), "x.plan.json");
        expect(back.source.location).toBe(live);
        expect(back.plan.changes.find((c) => c.key === tenant.key)?.diffs).toEqual(diffs);

        // The store keeps the diffs and an error text quoting the platform, NUL and lone
        // surrogates visibly escaped.
        await store.setResourceStatus(tenant.key, {
          kind: "Tenant",
          tenant: code,
          drift: diffs.length > 0 ? "drifted" : "in_sync",
          driftDiffs: diffs,
          lastError: `platform said: ${live}`,
        });
        const [status] = await store.listResourceStatus({ tenants: [code] });
        expect(status?.driftDiffs).toEqual(storedDiffs(diffs));
        expect(status?.lastError).toBe(stored(`platform said: ${live}`));
      }),
      { numRuns: 120 },
    );
  });

  it("the stand-in answers hostile names with 2xx or 4xx, never 500, and keeps what it accepts", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(hostile, async (name) => {
        run++;
        try {
          const c = await client.customers.create({
            businessName: name,
            customerCode: `HS${run}`,
            vatNumber: "08712340150",
            fiscalCode: "08712340150",
          });
          expect((await client.customers.get(c.id)).businessName).toBe(name);
        } catch (err) {
          if (!(err instanceof PlatformError)) throw err;
          expect(err.status, err.message).toBeGreaterThanOrEqual(400);
          expect(err.status, err.message).toBeLessThan(500);
        }
      }),
      { numRuns: 80 },
    );
  });
});
