import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Extension, OmniaClient } from "../../client/index.js";
import { startTestStandin, type TestStandin, testClientOptions } from "../testing.js";
import { demoDrift, readExampleDocs } from "./demo.js";

let standin: TestStandin;
let client: OmniaClient;
const ids = new Map<string, string>();

beforeAll(async () => {
  standin = await startTestStandin({ seed: "demo" });
  client = new OmniaClient(standin.settings, testClientOptions);
  for (const c of await client.customers.listAll()) ids.set(c.customerCode, c.id);
});
afterAll(async () => {
  await client.close();
  await standin.close();
  expect(standin.violations).toEqual([]);
});

async function extensionsOf(code: string, pbxName: string): Promise<Map<string, Extension>> {
  const customerId = ids.get(code) ?? "";
  const pbx = (await client.pbxs(customerId).listAll()).find((p) => p.name === pbxName);
  const list = await client.extensions(customerId).listAll({ pbxId: pbx?.id ?? "none" });
  return new Map(list.map((e) => [e.number, e]));
}

describe("seed demo", () => {
  it("has every example customer but the ones left out", async () => {
    const docs = await readExampleDocs();
    const declared = docs.filter((d) => d.kind === "Tenant").map((d) => String(d.spec.customerCode));
    const want = declared.filter((c) => !demoDrift.missingCustomers.includes(c)).sort();
    expect([...ids.keys()].sort()).toEqual(want);
  });

  it("misses the listed extensions and has the hand-made one", async () => {
    const ext = await extensionsOf("BRAMBILLA01", "sede-milano");
    for (const key of demoDrift.missingExtensions) expect(ext.has(key.split("/")[2] ?? ""), key).toBe(false);
    expect(ext.get("299")?.license).toBe("start");
    expect(ext.has("217"), "a declared extension is there").toBe(true);
  });

  it("flips the listed license against the repository", async () => {
    const docs = await readExampleDocs();
    for (const key of demoDrift.flippedLicense) {
      const [code, pbx, number] = key.split("/");
      const declared = docs.find(
        (d) =>
          d.kind === "Extension" &&
          d.metadata.tenant === code &&
          d.metadata.pbx === pbx &&
          d.spec.number === number,
      );
      const live = (await extensionsOf(code ?? "", pbx ?? "")).get(number ?? "");
      expect(live?.license, key).not.toBe(declared?.spec.license);
    }
  });

  it("changes the listed trunk endpoint and toggles the PBX options", async () => {
    const [trunk] = await client.trunks(ids.get("BRAMBILLA01") ?? "").listAll();
    expect(trunk?.endpoint).toBe(demoDrift.trunkEndpoints["BRAMBILLA01/fastweb-milano"]);
    const pbxs = await client.pbxs(ids.get("BRAMBILLA01") ?? "").listAll();
    expect(pbxs.find((p) => p.name === "sede-milano")?.hotel, "hotel toggled on sede-milano").toBe(true);
    const [hotel] = await client.pbxs(ids.get("HLM-STRESA") ?? "").listAll();
    expect(hotel?.callCenter, "call center toggled on hotel-stresa").toBe(false);
  });

  it("starts every seeded object active", async () => {
    for (const id of ids.values()) {
      for (const p of await client.pbxs(id).listAll()) expect(p.status, p.name).toBe("active");
      for (const u of await client.users(id).listAll()) expect(u.status, u.email).toBe("active");
    }
  });
});
