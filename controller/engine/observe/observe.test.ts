import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { make } from "../../test-support/fakes.js";
import { type EngineStandin, startEngineStandin } from "../../test-support/standin.js";
import { observe } from "./observe.js";

let e: EngineStandin;
beforeAll(async () => {
  e = await startEngineStandin();
  await e.create(
    make.tenant("OB1"),
    make.user("OB1", "ada@ob1.example"),
    make.trunk("OB1", "op", "pw"),
    make.pbx("OB1", "hq"),
    make.number("OB1", "+390212345600", "hq", "op"),
    make.extension("OB1", "hq", "201", "1234", "ada@ob1.example"),
    make.extension("OB1", "hq", "202", "1234"),
    make.tenant("OB2"),
    make.pbx("OB2", "other"),
  );
});
afterAll(() => e.close());

describe("observe", () => {
  it("reads the tenants in scope into live resources keyed like desired ones", async () => {
    const live = await observe(e.client, { tenants: ["OB1", "MISSING"] });
    expect(live.scope).toEqual(["MISSING", "OB1"]);
    const keys = [
      ...live.tenants,
      ...live.users,
      ...live.trunks,
      ...live.pbxs,
      ...live.numbers,
      ...live.extensions,
    ].map((r) => r.key);
    expect(keys).toEqual([
      "Tenant/OB1",
      "User/OB1/ada@ob1.example",
      "SipTrunk/OB1/op",
      "Pbx/OB1/hq",
      "Number/+390212345600",
      "Extension/OB1/hq/201",
      "Extension/OB1/hq/202",
    ]);
    expect(live.numbers[0]?.spec).toEqual({
      number: "+390212345600",
      blockDigits: 2,
      pbx: "hq",
      trunk: "op",
    });
  });

  it("uses one list call per collection, never one per object", async () => {
    const before = e.client.stats().requests;
    await observe(e.client, { tenants: ["OB1", "OB2"] });
    // customers, then users, trunks, PBXs, numbers and extensions of each of 2 tenants.
    expect(e.client.stats().requests - before).toBe(1 + 5 * 2);
  });

  it("observes every customer when no tenant is named", async () => {
    const live = await observe(e.client);
    expect(live.scope).toEqual(["OB1", "OB2"]);
    expect(live.pbxs.map((p) => p.key)).toEqual(["Pbx/OB1/hq", "Pbx/OB2/other"]);
  });

  it("wraps a platform failure with what it was doing", async () => {
    e.standin.knobs.failNext.push({ status: 401, count: 1 });
    await expect(observe(e.client, { tenants: ["OB1"] })).rejects.toThrow(/cannot read the live platform/);
  });
});
