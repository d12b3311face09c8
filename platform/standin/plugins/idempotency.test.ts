import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedFetch, startTestStandin, type TestStandin } from "../testing.js";

let standin: TestStandin;
beforeAll(async () => {
  standin = await startTestStandin();
});
afterAll(async () => {
  await standin.close();
  expect(standin.violations).toEqual([]);
});

const body = {
  businessName: "Idem",
  customerCode: "IDEM1",
  vatNumber: "01234567897",
  fiscalCode: "01234567897",
};
const post = (customerCode: string, key: string) =>
  signedFetch(standin, "POST", "/rest/customers", {
    body: { ...body, customerCode },
    headers: { "idempotency-key": key },
  });

describe("Idempotency-Key", () => {
  it("replays the first answer to a repeated key without writing again", async () => {
    const first = await post("IDEM1", "key-000001");
    const again = await post("IDEM1", "key-000001");
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.text).toBe(first.text);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect([...standin.state.customers.values()].filter((c) => c.customerCode === "IDEM1")).toHaveLength(1);
    expect(standin.stats.idempotentReplays).toBe(1);
  });

  it("replays a refusal too, so a retried conflicting write stays refused", async () => {
    const first = await post("IDEM1", "key-000002");
    const again = await post("IDEM1", "key-000002");
    expect([first.status, again.status, again.headers.get("idempotent-replayed")]).toEqual([
      409,
      409,
      "true",
    ]);
  });

  it("refuses the same key on another request (422)", async () => {
    const other = await post("IDEM2", "key-000001");
    expect({ status: other.status, code: JSON.parse(other.text).code }).toEqual({
      status: 422,
      code: "idempotency_mismatch",
    });
  });

  it("keeps keys apart per request without a key", async () => {
    const a = await signedFetch(standin, "POST", "/rest/customers", {
      body: { ...body, customerCode: "IDEM3" },
    });
    const b = await signedFetch(standin, "POST", "/rest/customers", {
      body: { ...body, customerCode: "IDEM3" },
    });
    expect([a.status, b.status]).toEqual([201, 409]);
  });
});
