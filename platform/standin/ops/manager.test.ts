import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OmniaClient, type PlatformError } from "../../client/index.js";
import { startTestStandin, type TestStandin, testClientOptions } from "../testing.js";

let now = new Date("2026-05-10T09:00:00Z").getTime();
const clock = () => new Date(now);
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

/** A new customer with one trunk and one single PBX. */
async function fixture() {
  seq++;
  const c = await client.customers.create({
    businessName: `Cliente ${seq}`,
    customerCode: `MGR${seq}`,
    vatNumber: "01234567897",
    fiscalCode: "01234567897",
  });
  const trunk = await client
    .trunks(c.id)
    .create({ name: "main", description: "Main", operator: "Fastweb", endpoint: "sip.fw.example:5060" });
  const pbx = await client.pbxs(c.id).create({ name: "hq", kind: "single" });
  return { c, trunk, pbx };
}

beforeAll(async () => {
  standin = await startTestStandin({ clock, pendingDelayMs: 5_000 });
  client = new OmniaClient(standin.settings, { ...testClientOptions, clock });
});
afterAll(async () => {
  await client.close();
  await standin.close();
  expect(standin.violations, "responses that broke the contract").toEqual([]);
});

describe("PBXs", () => {
  it("starts pending and becomes active after the provisioning delay", async () => {
    const { c, pbx } = await fixture();
    expect(pbx.status).toBe("pending");
    now += 4_999;
    expect((await client.pbxs(c.id).get(pbx.id)).status).toBe("pending");
    now += 1;
    expect((await client.pbxs(c.id).get(pbx.id)).status).toBe("active");
  });

  it("turns call center and hotel on, joins a group, suspends and resumes", async () => {
    const { c, pbx } = await fixture();
    expect(await client.pbxs(c.id).update(pbx.id, { callCenter: true, hotel: true })).toMatchObject({
      callCenter: true,
      hotel: true,
    });
    expect(await client.pbxs(c.id).update(pbx.id, { kind: "shared", group: "campus" })).toMatchObject({
      kind: "shared",
      group: "campus",
    });
    expect((await client.pbxs(c.id).suspend(pbx.id)).status).toBe("suspended");
    expect((await client.pbxs(c.id).resume(pbx.id)).status).toBe("active");
  });

  it.each([
    ["a single PBX with a group", { name: "x1", kind: "single", group: "g" }],
    ["a group PBX without a group", { name: "x2", kind: "group" }],
    ["a shared PBX without a group", { name: "x3", kind: "shared" }],
  ] as const)("rejects %s (400 validation)", async (_name, input) => {
    const { c } = await fixture();
    const err = await failure(client.pbxs(c.id).create(input));
    expect({ status: err.status, code: err.code, field: err.details?.field }).toEqual({
      status: 400,
      code: "validation",
      field: "group",
    });
  });

  it("counts numbers, extensions and licenses in the list", async () => {
    const { c, pbx, trunk } = await fixture();
    await client.extensions(c.id).create(pbx.id, { number: "10", pin: "1234", license: "start" });
    await client.extensions(c.id).create(pbx.id, { number: "11", pin: "1234", license: "plus" });
    await client
      .numbers(c.id)
      .create({ number: "+390255500000", blockDigits: 1, trunkId: trunk.id, pbxId: pbx.id });
    const [listed] = await client.pbxs(c.id).listAll();
    expect(listed?.counts).toEqual({ numbers: 1, extensions: 2, start: 1, plus: 1 });
  });

  it("refuses to delete a PBX with extensions or numbers (409 in_use)", async () => {
    const { c, pbx } = await fixture();
    const ext = await client.extensions(c.id).create(pbx.id, { number: "10", pin: "1234", license: "start" });
    expect((await failure(client.pbxs(c.id).delete(pbx.id))).code).toBe("in_use");
    await client.extensions(c.id).delete(ext.id);
    await client.pbxs(c.id).delete(pbx.id);
  });
});

describe("natural keys", () => {
  it.each([
    [
      "SIP trunk name",
      async (f: Awaited<ReturnType<typeof fixture>>) =>
        client
          .trunks(f.c.id)
          .create({ name: "main", description: "again", operator: "o", endpoint: "sip.example" }),
      (f: Awaited<ReturnType<typeof fixture>>) => f.trunk.id,
    ],
    [
      "PBX name",
      async (f: Awaited<ReturnType<typeof fixture>>) =>
        client.pbxs(f.c.id).create({ name: "hq", kind: "single" }),
      (f: Awaited<ReturnType<typeof fixture>>) => f.pbx.id,
    ],
  ])("answers 409 conflict with the existing id for an existing %s", async (_name, create, existing) => {
    const f = await fixture();
    const err = await failure(create(f));
    expect({ status: err.status, code: err.code, existingId: err.details?.existingId }).toEqual({
      status: 409,
      code: "conflict",
      existingId: existing(f),
    });
  });
});

describe("SIP trunks", () => {
  it("never returns the password, only hasPassword, and clears it on null", async () => {
    const { c } = await fixture();
    const t = await client.trunks(c.id).create({
      name: "auth",
      description: "d",
      operator: "o",
      endpoint: "sip.example",
      authRequired: true,
      username: "u",
      password: "Pw-123456",
    });
    expect(t).toMatchObject({ hasPassword: true, username: "u" });
    expect(JSON.stringify(await client.trunks(c.id).listAll())).not.toContain("Pw-123456");
    expect((await client.trunks(c.id).update(t.id, { password: null, username: null })).hasPassword).toBe(
      false,
    );
  });

  it("refuses to delete a trunk a number arrives on (409 in_use)", async () => {
    const { c, trunk, pbx } = await fixture();
    const n = await client
      .numbers(c.id)
      .create({ number: "+390266600000", blockDigits: 2, trunkId: trunk.id, pbxId: pbx.id });
    expect((await failure(client.trunks(c.id).delete(trunk.id))).code).toBe("in_use");
    await client.numbers(c.id).delete(n.id);
    await client.trunks(c.id).delete(trunk.id);
  });
});

describe("extensions", () => {
  it("gives a Plus extension a 42-character Meeting ID, Start none, and a downgrade removes it", async () => {
    const { c, pbx } = await fixture();
    const start = await client
      .extensions(c.id)
      .create(pbx.id, { number: "200", pin: "1111", license: "start" });
    expect(start.meetingId).toBeNull();
    const plus = await client.extensions(c.id).update(start.id, { license: "plus" });
    expect(plus.meetingId).toMatch(/^[A-Za-z0-9]{42}$/);
    expect((await client.extensions(c.id).update(start.id, { license: "start" })).meetingId).toBeNull();
  });

  it("keeps numbers unique per PBX but not across single PBXs", async () => {
    const { c, pbx } = await fixture();
    const first = await client
      .extensions(c.id)
      .create(pbx.id, { number: "300", pin: "1234", license: "start" });
    const err = await failure(
      client.extensions(c.id).create(pbx.id, { number: "300", pin: "1234", license: "plus" }),
    );
    expect({ code: err.code, existingId: err.details?.existingId }).toEqual({
      code: "conflict",
      existingId: first.id,
    });
    const second = await client.pbxs(c.id).create({ name: "branch", kind: "single" });
    expect(
      (await client.extensions(c.id).create(second.id, { number: "300", pin: "1234", license: "start" }))
        .number,
    ).toBe("300");
  });

  it("keeps numbers unique across the group PBXs of different customers", async () => {
    const a = await fixture();
    const b = await fixture();
    const ga = await client.pbxs(a.c.id).create({ name: "ga", kind: "group", group: "lago" });
    const gb = await client.pbxs(b.c.id).create({ name: "gb", kind: "group", group: "lago" });
    await client.extensions(a.c.id).create(ga.id, { number: "500", pin: "1234", license: "start" });
    const err = await failure(
      client.extensions(b.c.id).create(gb.id, { number: "500", pin: "1234", license: "start" }),
    );
    expect({ status: err.status, code: err.code }).toEqual({ status: 409, code: "conflict" });
  });

  it("associates an existing user or invites a new one, and never returns the PIN", async () => {
    const { c, pbx } = await fixture();
    const u = await client.users(c.id).create({ email: "anna@acme.it", firstName: "Anna", lastName: "Neri" });
    const withExisting = await client
      .extensions(c.id)
      .create(pbx.id, { number: "401", pin: "987654", license: "start", userId: u.id });
    expect(withExisting.user).toEqual({
      id: u.id,
      email: "anna@acme.it",
      firstName: "Anna",
      lastName: "Neri",
    });
    const withNew = await client.extensions(c.id).create(pbx.id, {
      number: "402",
      pin: "987654",
      license: "plus",
      newUser: { email: "bo@acme.it", firstName: "Bo", lastName: "Ri" },
    });
    expect(withNew.user?.email).toBe("bo@acme.it");
    expect((await client.users(c.id).listAll()).map((x) => x.email).sort()).toEqual([
      "anna@acme.it",
      "bo@acme.it",
    ]);
    const listed = JSON.stringify(await client.extensions(c.id).listAll());
    expect(listed).not.toContain("987654");
    expect(JSON.stringify(await client.logs.managerAll({ customerId: c.id }))).not.toContain("987654");
    expect((await client.extensions(c.id).update(withExisting.id, { userId: null })).user).toBeNull();
  });

  it("suspends, resumes and records the operations in the Omnia Manager log", async () => {
    const { c, pbx } = await fixture();
    const e = await client.extensions(c.id).create(pbx.id, { number: "600", pin: "1234", license: "start" });
    expect((await client.extensions(c.id).suspend(e.id)).status).toBe("suspended");
    expect((await client.extensions(c.id).resume(e.id)).status).toBe("active");
    const log = await client.logs.managerAll({ customerId: c.id });
    expect(log.map((l) => l.operation)).toEqual([
      "extension.resumed",
      "extension.suspended",
      "extension.created",
    ]);
  });

  it("filters the list by PBX", async () => {
    const { c, pbx } = await fixture();
    const other = await client.pbxs(c.id).create({ name: "other", kind: "single" });
    await client.extensions(c.id).create(pbx.id, { number: "70", pin: "1234", license: "start" });
    await client.extensions(c.id).create(other.id, { number: "71", pin: "1234", license: "start" });
    expect((await client.extensions(c.id).listAll({ pbxId: other.id })).map((e) => e.number)).toEqual(["71"]);
  });
});

describe("number blocks", () => {
  it.each([
    ["the same first number, same size", (b: string) => b, 2, "conflict"],
    ["the same first number, smaller block", (b: string) => b, 1, "conflict"],
    ["a block inside it", (b: string) => `${b.slice(0, -2)}50`, 1, "overlap"],
    ["a larger block that contains it", (b: string) => `${b.slice(0, -3)}000`, 3, "overlap"],
  ] as const)("refuses %s (409 %s)", async (_name, probeOf, blockDigits, code) => {
    const { c, trunk, pbx } = await fixture();
    const base = `+390277${String(seq).padStart(3, "0")}500`;
    await client.numbers(c.id).create({ number: base, blockDigits: 2, trunkId: trunk.id, pbxId: pbx.id });
    const probe = probeOf(base);
    const err = await failure(
      client.numbers(c.id).create({ number: probe, blockDigits, trunkId: trunk.id, pbxId: pbx.id }),
    );
    expect({ status: err.status, code: err.code }, `probe ${probe}/${blockDigits} against ${base}/2`).toEqual(
      { status: 409, code },
    );
  });

  it("accepts the adjacent block", async () => {
    const { c, trunk, pbx } = await fixture();
    const base = `+390277${String(seq).padStart(3, "0")}500`;
    await client.numbers(c.id).create({ number: base, blockDigits: 2, trunkId: trunk.id, pbxId: pbx.id });
    const next = `${base.slice(0, -3)}600`;
    expect(
      (await client.numbers(c.id).create({ number: next, blockDigits: 2, trunkId: trunk.id, pbxId: pbx.id }))
        .number,
    ).toBe(next);
  });

  it("requires the block's last digits to be 0", async () => {
    const { c, trunk, pbx } = await fixture();
    const err = await failure(
      client
        .numbers(c.id)
        .create({ number: "+390288800010", blockDigits: 2, trunkId: trunk.id, pbxId: pbx.id }),
    );
    expect({ status: err.status, field: err.details?.field }).toEqual({ status: 400, field: "number" });
  });

  it("requires the trunk and the PBX to belong to the same customer", async () => {
    const a = await fixture();
    const b = await fixture();
    const wrongTrunk = await failure(
      client
        .numbers(a.c.id)
        .create({ number: "+390299900000", blockDigits: 1, trunkId: b.trunk.id, pbxId: a.pbx.id }),
    );
    const wrongPbx = await failure(
      client
        .numbers(a.c.id)
        .create({ number: "+390299900000", blockDigits: 1, trunkId: a.trunk.id, pbxId: b.pbx.id }),
    );
    expect([wrongTrunk.details?.field, wrongPbx.details?.field]).toEqual(["trunkId", "pbxId"]);
  });

  it("reports the operator of its trunk and the last number of the block", async () => {
    const { c, trunk, pbx } = await fixture();
    const n = await client
      .numbers(c.id)
      .create({ number: "+390211100000", blockDigits: 3, trunkId: trunk.id, pbxId: pbx.id });
    expect({ operator: n.operator, lastNumber: n.lastNumber }).toEqual({
      operator: "Fastweb",
      lastNumber: "+390211100999",
    });
  });
});
