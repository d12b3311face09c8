/**
 * The manual's rules that span objects, as the stand-in refuses them (the same table as
 * controller/load/README.md, where validate checks each): every refusal in the contract's
 * error shape, with the status and code the platform would answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OmniaClient, type PlatformError } from "../../client/index.js";
import { startTestStandin, type TestStandin, testClientOptions } from "../testing.js";
import { errGroupKind } from "./pbxs.js";

let standin: TestStandin;
let client: OmniaClient;
let seq = 0;

async function failure(p: Promise<unknown>): Promise<PlatformError> {
  try {
    await p;
  } catch (err) {
    return err as PlatformError;
  }
  throw new Error("want a PlatformError, got success");
}

/** A new customer of the test partner, with Omnia Manager on or off. */
async function customer(omniaManager: boolean) {
  seq++;
  return client.customers.create({
    businessName: `Regole ${seq}`,
    customerCode: `RUL${seq}`,
    vatNumber: "01234567897",
    fiscalCode: "01234567897",
    omniaManager,
  });
}

beforeAll(async () => {
  standin = await startTestStandin();
  client = new OmniaClient(standin.settings, testClientOptions);
});
afterAll(async () => {
  await client.close();
  await standin.close();
  expect(standin.violations, "responses that broke the contract").toEqual([]);
});

const user = { email: "anna@regole.it", firstName: "Anna", lastName: "Neri" };

/** Ids of a trunk and a PBX that exist (in another customer): the switch is checked first. */
async function realIds() {
  const c = await customer(true);
  const trunk = await client
    .trunks(c.id)
    .create({ name: "t", description: "d", operator: "o", endpoint: "e" });
  const pbx = await client.pbxs(c.id).create({ name: "hq", kind: "single" });
  return { trunkId: trunk.id, pbxId: pbx.id };
}

describe("the Omnia Manager switch, object by object", () => {
  it.each<[string, (id: string) => Promise<unknown>]>([
    ["a PBX", (id) => client.pbxs(id).create({ name: "hq", kind: "single" })],
    [
      "a SIP trunk",
      (id) => client.trunks(id).create({ name: "t", description: "d", operator: "o", endpoint: "e" }),
    ],
    [
      "a number block",
      async (id) =>
        client.numbers(id).create({ number: "+390255500000", blockDigits: 1, ...(await realIds()) }),
    ],
    [
      "an extension",
      async (id) =>
        client
          .extensions(id)
          .create((await realIds()).pbxId, { number: "10", pin: "1234", license: "start" }),
    ],
    [
      "a user with the role pbxAdmin",
      (id) => client.users(id).create({ ...user, omniaManagerRole: "pbxAdmin" }),
    ],
    ["a user with the role viewer", (id) => client.users(id).create({ ...user, omniaManagerRole: "viewer" })],
  ])("refuses %s of a customer without Omnia Manager: 403 omnia_manager_disabled", async (_what, create) => {
    const c = await customer(false);
    const err = await failure(create(c.id));
    expect({ status: err.status, code: err.code, message: err.message }).toEqual({
      status: 403,
      code: "omnia_manager_disabled",
      message: expect.stringContaining(`customer ${c.customerCode} does not have Omnia Manager enabled`),
    });
  });

  it("refuses giving an existing user an Omnia Manager role there, and keeps the user as it was", async () => {
    const c = await customer(false);
    const u = await client.users(c.id).create(user);
    const err = await failure(client.users(c.id).update(u.id, { omniaManagerRole: "pbxAdmin" }));
    expect({ status: err.status, code: err.code }).toEqual({ status: 403, code: "omnia_manager_disabled" });
    expect((await client.users(c.id).get(u.id)).omniaManagerRole).toBe("none");
  });

  it.each(["none", undefined] as const)("accepts a user with Omnia Manager role %s there", async (role) => {
    const c = await customer(false);
    const u = await client.users(c.id).create({ ...user, ...(role ? { omniaManagerRole: role } : {}) });
    expect(u.omniaManagerRole).toBe("none");
  });

  it("accepts the role where Omnia Manager is enabled", async () => {
    const c = await customer(true);
    expect(
      (await client.users(c.id).create({ ...user, omniaManagerRole: "pbxAdmin" })).omniaManagerRole,
    ).toBe("pbxAdmin");
  });
});

describe("a PBX group is of one kind, across the partner's customers", () => {
  it.each([
    ["a shared PBX joining a group of group PBXs", "group", "shared"],
    ["a group PBX joining a group of shared PBXs", "shared", "group"],
  ] as const)("refuses %s: 400 validation on group", async (_name, first, second) => {
    const group = `grp-${++seq}`;
    const a = await customer(true);
    const b = await customer(true);
    await client.pbxs(a.id).create({ name: "first", kind: first, group });
    const err = await failure(client.pbxs(b.id).create({ name: "second", kind: second, group }));
    expect({ status: err.status, code: err.code, message: err.message, details: err.details }).toEqual({
      status: 400,
      code: "validation",
      message: expect.stringContaining(`group: ${errGroupKind(group, second, first)}`),
      details: { field: "group", group, groupKind: first },
    });
  });

  it("refuses a single PBX that joins a group of the other kind, and lets the group's only PBX change kind", async () => {
    const group = `grp-${++seq}`;
    const c = await customer(true);
    const only = await client.pbxs(c.id).create({ name: "only", kind: "group", group });
    const single = await client.pbxs(c.id).create({ name: "single", kind: "single" });
    const err = await failure(client.pbxs(c.id).update(single.id, { kind: "shared", group }));
    expect({ status: err.status, code: err.code }).toEqual({ status: 400, code: "validation" });
    expect((await client.pbxs(c.id).update(only.id, { kind: "shared" })).kind).toBe("shared");
    expect((await client.pbxs(c.id).update(single.id, { kind: "shared", group })).group).toBe(group);
  });

  it("accepts PBXs of one kind from two customers in one group", async () => {
    const group = `grp-${++seq}`;
    const [a, b] = [await customer(true), await customer(true)];
    await client.pbxs(a.id).create({ name: "s1", kind: "shared", group });
    expect((await client.pbxs(b.id).create({ name: "s2", kind: "shared", group })).group).toBe(group);
  });
});
