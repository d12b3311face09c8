import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OmniaClient } from "../client/index.js";
import { startStandin } from "./server.js";
import { testClientOptions } from "./testing.js";

const login = { domain: "demo", username: "admin", password: "admin" };

describe("startStandin", () => {
  it("saves the state on close and loads it at start, secrets only as hashes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "standin-state-"));
    const file = join(dir, "state.json");
    const first = await startStandin({ stateFile: file, pendingDelayMs: 0, validateResponses: true });
    const c1 = new OmniaClient({ baseUrl: first.url, ...login }, testClientOptions);
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
    const c2 = new OmniaClient({ baseUrl: second.url, ...login }, testClientOptions);
    expect((await c2.customers.listAll()).map((c) => c.customerCode)).toEqual(["KEEP1"]);
    expect((await c2.trunks(cus.id).listAll())[0]?.hasPassword).toBe(true);
    await c2.close();
    await second.close();
    expect([...first.violations, ...second.violations]).toEqual([]);
    await rm(dir, { recursive: true });
  });

  it("starts with the two partners and no customers by default", async () => {
    const standin = await startStandin();
    expect([...standin.state.partners.values()].map((p) => p.domain)).toEqual(["demo", "other"]);
    expect(standin.state.customers.size).toBe(0);
    await standin.close();
  });
});
