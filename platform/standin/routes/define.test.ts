import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedFetch, startTestStandin, type TestStandin } from "../testing.js";

let standin: TestStandin;
let customerId = "";
beforeAll(async () => {
  standin = await startTestStandin();
  const res = await signedFetch(standin, "POST", "/rest/customers", {
    body: { businessName: "Csv", customerCode: "CSV1", vatNumber: "01234567897", fiscalCode: "01234567897" },
  });
  customerId = JSON.parse(res.text).id;
});
afterAll(async () => {
  await standin.close();
  expect(standin.violations).toEqual([]);
});

describe("routes from the contract", () => {
  it("answers a list as CSV when asked with Accept: text/csv", async () => {
    const res = await signedFetch(standin, "GET", "/rest/customers?sort=customerCode", {
      headers: { accept: "text/csv" },
    });
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.text.split("\n")[0]).toBe(
      "businessName,customerCode,fiscalCode,vatNumber,omniaManager,status,createdAt",
    );
  });

  it("answers JSON for a list without CSV export in the manual (SIP trunks)", async () => {
    const res = await signedFetch(standin, "GET", `/rest/customers/${customerId}/trunks`, {
      headers: { accept: "text/csv, application/json" },
    });
    expect(res.headers.get("content-type")).toContain("application/json");
  });

  it.each([
    ["an empty edit", "PATCH", "/rest/company", {}, "body must NOT have fewer than 1 properties"],
    [
      "an unknown field",
      "PATCH",
      "/rest/company",
      { colour: "red" },
      "body must NOT have additional properties",
    ],
    [
      "a page size above 500",
      "GET",
      "/rest/customers?size=501",
      undefined,
      "querystring/size must be <= 500",
    ],
    [
      "an unknown query parameter",
      "GET",
      "/rest/customers?colour=red",
      undefined,
      "querystring must NOT have additional properties",
    ],
  ])("rejects %s with 400 validation naming the place", async (_name, method, path, body, message) => {
    const res = await signedFetch(standin, method, path, body === undefined ? {} : { body });
    expect({ status: res.status, ...JSON.parse(res.text) }).toMatchObject({
      status: 400,
      code: "validation",
      message,
    });
  });
});
