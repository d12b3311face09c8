import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestPassword, signRequest } from "../client/auth.js";
import { OmniaClient } from "../client/index.js";
import { startStandin } from "./server.js";
import { startTestStandin, type TestStandin, testClientOptions } from "./testing.js";

let standin: TestStandin;
let client: OmniaClient;

beforeAll(async () => {
  standin = await startTestStandin();
  client = new OmniaClient(standin.settings, { ...testClientOptions, maxRetries: 0 });
});
afterAll(async () => {
  await client.close();
  await standin.close();
  expect(standin.violations).toEqual([]);
});

/** A raw signed request, for what the client does not send (Idempotency-Key reuse, Accept). */
async function raw(
  method: string,
  path: string,
  init: { body?: unknown; headers?: Record<string, string> } = {},
) {
  const salt = standin.state.partnerByDomain("demo")?.salt ?? "";
  const res = await fetch(`${standin.url}${path}`, {
    method,
    headers: {
      "x-authenticate": signRequest("admin", "demo", digestPassword("admin", salt), new Date()),
      ...(init.body ? { "content-type": "application/json" } : {}),
      ...init.headers,
    },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe("idempotency", () => {
  const body = {
    businessName: "Idem",
    customerCode: "IDEM1",
    vatNumber: "01234567897",
    fiscalCode: "01234567897",
  };

  it("replays the first answer to a repeated key without writing again", async () => {
    const first = await raw("POST", "/rest/customers", {
      body,
      headers: { "idempotency-key": "key-000001" },
    });
    const again = await raw("POST", "/rest/customers", {
      body,
      headers: { "idempotency-key": "key-000001" },
    });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.text).toBe(first.text);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await client.customers.listAll({ q: "IDEM1" })).length).toBe(1);
  });

  it("refuses the same key on another request (422)", async () => {
    const other = await raw("POST", "/rest/customers", {
      body: { ...body, customerCode: "IDEM2" },
      headers: { "idempotency-key": "key-000001" },
    });
    expect({ status: other.status, code: JSON.parse(other.text).code }).toEqual({
      status: 422,
      code: "idempotency_mismatch",
    });
  });
});

describe("knobs, counters and CSV", () => {
  it("answers a list as CSV when asked with Accept: text/csv", async () => {
    const res = await raw("GET", "/rest/customers?sort=customerCode", { headers: { accept: "text/csv" } });
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.text.split("\n")[0]).toBe(
      "businessName,customerCode,fiscalCode,vatNumber,omniaManager,status,createdAt",
    );
  });

  it("answers JSON for a list without CSV export in the manual (SIP trunks)", async () => {
    const c = await client.customers.create({
      businessName: "Csv",
      customerCode: "CSV1",
      vatNumber: "01234567897",
      fiscalCode: "01234567897",
    });
    const res = await raw("GET", `/rest/customers/${c.id}/trunks`, {
      headers: { accept: "text/csv, application/json" },
    });
    expect(res.headers.get("content-type")).toContain("application/json");
  });

  it("sets knobs and reads counters through the admin endpoint", async () => {
    const patch = await fetch(`${standin.url}/_standin/knobs`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ failNext: [{ status: 500, count: 1 }] }),
    });
    expect(patch.status).toBe(200);
    const err = await client.company.get().catch((e: unknown) => e as { status: number; message: string });
    expect((err as { status: number }).status).toBe(500);
    const stats = (await (await fetch(`${standin.url}/_standin/stats`)).json()) as {
      byRoute: Record<string, number>;
      injectedFailures: number;
    };
    expect(stats.byRoute["GET /rest/company"]).toBeGreaterThanOrEqual(1);
    expect(stats.injectedFailures).toBe(1);
  });

  it("rejects a bad knob with 400", async () => {
    const res = await fetch(`${standin.url}/_standin/knobs`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ latencyMs: -5 }),
    });
    expect(res.status).toBe(400);
  });

  it("rate-limits a partner with 429 and Retry-After", async () => {
    standin.knobs.rateLimit = { requestsPerSecond: 1, burst: 1 };
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 3; i++) {
        const res = await raw("GET", "/rest/company");
        statuses.push(res.status);
        retryAfter ??= res.headers.get("retry-after");
      }
      expect(statuses.slice(1)).toEqual([429, 429]);
      expect(retryAfter).toBe("1");
    } finally {
      standin.knobs.rateLimit = null;
    }
  });

  it("rejects an empty edit with 400 validation", async () => {
    const res = await raw("PATCH", "/rest/company", { body: {} });
    expect({ status: res.status, code: JSON.parse(res.text).code }).toEqual({
      status: 400,
      code: "validation",
    });
  });
});

describe("state file", () => {
  it("saves on close and loads at start, secrets only as hashes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "standin-state-"));
    const file = join(dir, "state.json");
    const first = await startStandin({ stateFile: file, pendingDelayMs: 0, validateResponses: true });
    const c1 = new OmniaClient(
      { baseUrl: first.url, domain: "demo", username: "admin", password: "admin" },
      testClientOptions,
    );
    const cus = await c1.customers.create({
      businessName: "Kept",
      customerCode: "KEEP1",
      vatNumber: "01234567897",
      fiscalCode: "01234567897",
    });
    await c1.trunks(cus.id).create({
      name: "t",
      description: "d",
      operator: "o",
      endpoint: "sip.example",
      password: "Never-In-File",
    });
    await c1.close();
    await first.close();
    expect(await readFile(file, "utf8")).not.toContain("Never-In-File");
    const second = await startStandin({ stateFile: file, validateResponses: true });
    const c2 = new OmniaClient(
      { baseUrl: second.url, domain: "demo", username: "admin", password: "admin" },
      testClientOptions,
    );
    expect((await c2.customers.listAll()).map((c) => c.customerCode)).toEqual(["KEEP1"]);
    expect((await c2.trunks(cus.id).listAll())[0]?.hasPassword).toBe(true);
    await c2.close();
    await second.close();
    expect([...first.violations, ...second.violations]).toEqual([]);
    await rm(dir, { recursive: true });
  });
});
