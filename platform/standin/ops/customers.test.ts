import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Customer, OmniaClient, type PlatformError } from "../../client/index.js";
import { startTestStandin, type TestStandin, testClientOptions } from "../testing.js";

let now = new Date("2026-05-10T09:00:00Z").getTime();
const clock = () => new Date(now);
let standin: TestStandin;
let client: OmniaClient;
let other: OmniaClient;

const customerInput = (code: string, extra: Partial<Customer> = {}) => ({
  businessName: `Business ${code}`,
  customerCode: code,
  vatNumber: "01234567897",
  fiscalCode: "01234567897",
  ...extra,
});

async function failure(p: Promise<unknown>): Promise<PlatformError> {
  try {
    await p;
  } catch (err) {
    return err as PlatformError;
  }
  throw new Error("want a PlatformError, got success");
}

beforeAll(async () => {
  standin = await startTestStandin({ clock, pendingDelayMs: 3_000 });
  client = new OmniaClient(standin.settings, { ...testClientOptions, clock });
  other = new OmniaClient(standin.otherSettings, { ...testClientOptions, clock });
});
afterAll(async () => {
  await client.close();
  await other.close();
  await standin.close();
  expect(standin.violations, "responses that broke the contract").toEqual([]);
});

describe("customers", () => {
  it("creates, edits, suspends, resumes and deletes a customer", async () => {
    const c = await client.customers.create(customerInput("LIFE1"));
    expect(c).toMatchObject({ customerCode: "LIFE1", omniaManager: true, status: "active" });
    expect(
      await client.customers.update(c.id, { omniaManager: false, businessName: "Renamed" }),
    ).toMatchObject({
      omniaManager: false,
      businessName: "Renamed",
    });
    expect((await client.customers.suspend(c.id)).status).toBe("suspended");
    expect((await client.customers.resume(c.id)).status).toBe("active");
    await client.customers.delete(c.id);
    expect((await failure(client.customers.get(c.id))).code).toBe("not_found");
  });

  it("answers 409 conflict with the existing id for a customerCode that exists", async () => {
    const c = await client.customers.create(customerInput("DUP1"));
    const err = await failure(client.customers.create(customerInput("DUP1")));
    expect({ status: err.status, code: err.code, retryable: err.retryable, details: err.details }).toEqual({
      status: 409,
      code: "conflict",
      retryable: false,
      details: { key: "DUP1", existingId: c.id },
    });
  });

  it("shows a partner only its own customers", async () => {
    const mine = await client.customers.create(customerInput("MINE1"));
    const theirs = await other.customers.create(customerInput("THEIRS1"));
    const myCodes = (await client.customers.listAll()).map((c) => c.customerCode);
    expect(myCodes).toContain("MINE1");
    expect(myCodes).not.toContain("THEIRS1");
    for (const call of [
      () => client.customers.get(theirs.id),
      () => client.customers.delete(theirs.id),
      () => client.pbxs(theirs.id).listAll(),
      () => client.users(theirs.id).create({ email: "x@y.it", firstName: "X", lastName: "Y" }),
    ]) {
      expect((await failure(call())).status).toBe(403);
    }
    expect((await failure(other.customers.get(mine.id))).code).toBe("forbidden");
  });

  it("refuses to delete a customer that still holds objects (409 in_use)", async () => {
    const c = await client.customers.create(customerInput("BUSY1"));
    await client.users(c.id).create({ email: "a@busy.it", firstName: "A", lastName: "B" });
    expect((await failure(client.customers.delete(c.id))).code).toBe("in_use");
  });

  it("refuses Omnia Manager objects when the service is off", async () => {
    const c = await client.customers.create(customerInput("NOOM1", { omniaManager: false }));
    const err = await failure(client.pbxs(c.id).create({ name: "hq", kind: "single" }));
    expect({ status: err.status, code: err.code }).toEqual({ status: 403, code: "omnia_manager_disabled" });
  });

  it("reads and edits the partner's company", async () => {
    expect(await client.company.get()).toMatchObject({ domain: "demo", customerCode: "DEMO" });
    expect((await client.company.update({ businessName: "Demo Nuova" })).businessName).toBe("Demo Nuova");
  });
});

describe("users", () => {
  it("invites a user as pending and activates it after the provisioning delay", async () => {
    const c = await client.customers.create(customerInput("USR1"));
    const u = await client
      .users(c.id)
      .create({ email: "Giulia@Acme.it", firstName: "Giulia", lastName: "Rossi" });
    expect(u).toMatchObject({
      status: "pending",
      adminConsoleRole: "none",
      omniaManagerRole: "none",
      mayManageCustomers: false,
    });
    expect((await client.users(c.id).resendInvitation(u.id)).status).toBe("pending");
    now += 3_000;
    expect((await client.users(c.id).get(u.id)).status).toBe("active");
    const err = await failure(client.users(c.id).resendInvitation(u.id));
    expect(err.code).toBe("invalid_state");
  });

  it("treats emails case-insensitively as the natural key (409 conflict)", async () => {
    const c = await client.customers.create(customerInput("USR2"));
    const u = await client
      .users(c.id)
      .create({ email: "mario@acme.it", firstName: "Mario", lastName: "Bianchi" });
    const err = await failure(
      client.users(c.id).create({ email: "MARIO@acme.it", firstName: "M", lastName: "B" }),
    );
    expect({ code: err.code, existingId: err.details?.existingId }).toEqual({
      code: "conflict",
      existingId: u.id,
    });
  });

  it("edits roles and clears the department", async () => {
    const c = await client.customers.create(customerInput("USR3"));
    const u = await client
      .users(c.id)
      .create({ email: "l@acme.it", firstName: "L", lastName: "V", department: "Sales" });
    const edited = await client
      .users(c.id)
      .update(u.id, { adminConsoleRole: "admin", omniaManagerRole: "pbxAdmin", department: null });
    expect(edited).toMatchObject({ adminConsoleRole: "admin", omniaManagerRole: "pbxAdmin" });
    expect(edited.department).toBeUndefined();
    await client.users(c.id).delete(u.id);
    expect(await client.users(c.id).listAll()).toEqual([]);
  });
});

describe("audit log and dashboard", () => {
  it("records every write with actor, IP and details, secrets masked", async () => {
    const c = await client.customers.create(customerInput("AUD1"));
    await client.trunks(c.id).create({
      name: "t",
      description: "d",
      operator: "o",
      endpoint: "sip.example",
      password: "TopSecret9",
    });
    const entries = await client.logs.adminAll({ customerId: c.id });
    expect(entries.map((e) => e.operation)).toEqual(["trunk.created", "customer.created"]);
    for (const e of entries)
      expect(e).toMatchObject({ actor: "admin@demo", ip: "127.0.0.1", customerId: c.id });
    expect(JSON.stringify(entries)).not.toContain("TopSecret9");
    expect(entries[0]?.details.password).toBe("(changed)");
  });

  it("counts customers per month and licenses", async () => {
    const d = await client.dashboard.get();
    const total = (await client.customers.listAll()).length;
    expect(d.totals.customers).toBe(total);
    expect(d.customersPerMonth.at(-1)).toMatchObject({
      month: "2026-05",
      acquired: total,
      growthPercent: null,
    });
    expect(d.totals.licenses.total).toBe(d.totals.licenses.start + d.totals.licenses.plus);
  });
});

describe("lists", () => {
  it("searches, filters by status, sorts both ways, pages and exports CSV", async () => {
    for (const code of ["LSTB", "LSTA", "LSTC"]) await client.customers.create(customerInput(code));
    const suspended = (await client.customers.listAll({ q: "lstc" }))[0];
    await client.customers.suspend(suspended?.id ?? "");
    expect(
      (await client.customers.listAll({ q: "LST", sort: "customerCode" })).map((c) => c.customerCode),
    ).toEqual(["LSTA", "LSTB", "LSTC"]);
    expect(
      (await client.customers.listAll({ q: "LST", sort: "-customerCode" })).map((c) => c.customerCode),
    ).toEqual(["LSTC", "LSTB", "LSTA"]);
    expect(
      (await client.customers.listAll({ q: "lst", status: "suspended" })).map((c) => c.customerCode),
    ).toEqual(["LSTC"]);
    const csv = await client.customers.exportCsv({ q: "LST", sort: "customerCode" });
    expect(csv.split("\n")[0]).toBe(
      "businessName,customerCode,fiscalCode,vatNumber,omniaManager,status,createdAt",
    );
    expect(csv.split("\n").filter(Boolean)).toHaveLength(4);
  });

  it("rejects an unknown sort column naming the allowed ones", async () => {
    const err = await failure(client.customers.listAll({ sort: "color" }));
    expect({ status: err.status, code: err.code }).toEqual({ status: 400, code: "validation" });
    expect(err.details?.allowed).toContain("businessName");
  });
});
