import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OmniaClient } from "../../client/index.js";
import { startTestStandin, type TestStandin, testClientOptions } from "../testing.js";

let standin: TestStandin;
let client: OmniaClient;

beforeAll(async () => {
  standin = await startTestStandin({ pendingDelayMs: 60_000 });
  client = new OmniaClient(standin.settings, testClientOptions);
});
afterAll(async () => {
  await client.close();
  await standin.close();
  expect(standin.violations).toEqual([]);
});

describe("audit log", () => {
  it("records every write once, with its operation, actor and IP, newest first", async () => {
    const ids: Record<string, string> = {};
    // Each step: what it does, and the operations it must add to the log (in order).
    const steps: [string, () => Promise<unknown>, string[]][] = [
      ["edit company", () => client.company.update({ businessName: "Demo Audit" }), ["company.updated"]],
      [
        "create customer",
        async () => {
          ids.c = (
            await client.customers.create({
              businessName: "Aud",
              customerCode: "AUD9",
              vatNumber: "01234567897",
              fiscalCode: "01234567897",
            })
          ).id;
        },
        ["customer.created"],
      ],
      [
        "edit customer",
        () => client.customers.update(ids.c ?? "", { omniaManager: true }),
        ["customer.updated"],
      ],
      ["suspend customer", () => client.customers.suspend(ids.c ?? ""), ["customer.suspended"]],
      ["resume customer", () => client.customers.resume(ids.c ?? ""), ["customer.resumed"]],
      [
        "invite user",
        async () => {
          ids.u = (
            await client.users(ids.c ?? "").create({ email: "a@aud.it", firstName: "A", lastName: "B" })
          ).id;
        },
        ["user.created"],
      ],
      [
        "edit user",
        () => client.users(ids.c ?? "").update(ids.u ?? "", { adminConsoleRole: "viewer" }),
        ["user.updated"],
      ],
      [
        "resend invitation",
        () => client.users(ids.c ?? "").resendInvitation(ids.u ?? ""),
        ["user.invitation_resent"],
      ],
      [
        "create trunk",
        async () => {
          ids.t = (
            await client
              .trunks(ids.c ?? "")
              .create({ name: "t", description: "d", operator: "o", endpoint: "sip.example" })
          ).id;
        },
        ["trunk.created"],
      ],
      [
        "edit trunk",
        () => client.trunks(ids.c ?? "").update(ids.t ?? "", { operator: "o2" }),
        ["trunk.updated"],
      ],
      [
        "create PBX",
        async () => {
          ids.p = (await client.pbxs(ids.c ?? "").create({ name: "p", kind: "single" })).id;
        },
        ["pbx.created"],
      ],
      ["edit PBX", () => client.pbxs(ids.c ?? "").update(ids.p ?? "", { hotel: true }), ["pbx.updated"]],
      ["suspend PBX", () => client.pbxs(ids.c ?? "").suspend(ids.p ?? ""), ["pbx.suspended"]],
      ["resume PBX", () => client.pbxs(ids.c ?? "").resume(ids.p ?? ""), ["pbx.resumed"]],
      [
        "create extension with a new user",
        async () => {
          const e = await client.extensions(ids.c ?? "").create(ids.p ?? "", {
            number: "10",
            pin: "1234",
            license: "plus",
            newUser: { email: "n@aud.it", firstName: "N", lastName: "U" },
          });
          ids.e = e.id;
          ids.u2 = e.user?.id ?? "";
        },
        ["user.created", "extension.created"],
      ],
      [
        "edit extension",
        () => client.extensions(ids.c ?? "").update(ids.e ?? "", { license: "start" }),
        ["extension.updated"],
      ],
      [
        "suspend extension",
        () => client.extensions(ids.c ?? "").suspend(ids.e ?? ""),
        ["extension.suspended"],
      ],
      ["resume extension", () => client.extensions(ids.c ?? "").resume(ids.e ?? ""), ["extension.resumed"]],
      [
        "create number",
        async () => {
          ids.n = (
            await client
              .numbers(ids.c ?? "")
              .create({ number: "+390212300000", blockDigits: 1, trunkId: ids.t ?? "", pbxId: ids.p ?? "" })
          ).id;
        },
        ["number.created"],
      ],
      ["delete number", () => client.numbers(ids.c ?? "").delete(ids.n ?? ""), ["number.deleted"]],
      ["delete extension", () => client.extensions(ids.c ?? "").delete(ids.e ?? ""), ["extension.deleted"]],
      ["delete PBX", () => client.pbxs(ids.c ?? "").delete(ids.p ?? ""), ["pbx.deleted"]],
      ["delete trunk", () => client.trunks(ids.c ?? "").delete(ids.t ?? ""), ["trunk.deleted"]],
      ["delete user", () => client.users(ids.c ?? "").delete(ids.u ?? ""), ["user.deleted"]],
      ["delete second user", () => client.users(ids.c ?? "").delete(ids.u2 ?? ""), ["user.deleted"]],
      ["delete customer", () => client.customers.delete(ids.c ?? ""), ["customer.deleted"]],
    ];
    for (const [name, step, want] of steps) {
      const before = (await client.logs.adminAll()).length;
      await step();
      const log = await client.logs.adminAll();
      const added = log.slice(0, log.length - before);
      expect(added.map((l) => l.operation).reverse(), name).toEqual(want);
      for (const entry of added) expect(entry, name).toMatchObject({ actor: "admin@demo", ip: "127.0.0.1" });
    }
    const manager = await client.logs.managerAll();
    expect(new Set(manager.map((l) => l.objectType))).toEqual(new Set(["extension"]));
  });

  it("records no entry for a refused write", async () => {
    const before = (await client.logs.adminAll()).length;
    await expect(client.customers.delete("cus_999999")).rejects.toMatchObject({ status: 404 });
    expect((await client.logs.adminAll()).length).toBe(before);
  });
});
