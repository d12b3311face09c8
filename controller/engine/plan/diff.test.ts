import { describe, expect, it } from "vitest";
import { Secret } from "../../model/desired-state.js";
import { testHash } from "../../test-support/fakes.js";
import { compareSpecs, createDiffs, flattenSpec, secretHashesOf } from "./diff.js";

describe("flattenSpec", () => {
  it("gives leaf paths below spec, leaving out secrets and absent values", () => {
    const spec = {
      number: "100",
      pin: new Secret("1", "env:P"),
      user: { email: "a@x.it" },
      missing: undefined,
    };
    expect([...flattenSpec(spec)]).toEqual([
      ["spec.number", "100"],
      ["spec.user.email", "a@x.it"],
    ]);
  });
});

describe("secretHashesOf", () => {
  it("hashes the declared secrets of a kind, by path", () => {
    expect(secretHashesOf("Extension", { pin: new Secret("1234", "env:P") }, testHash)).toEqual({
      "spec.pin": testHash("spec.pin", "1234"),
    });
    expect(secretHashesOf("SipTrunk", { description: "no password" }, testHash)).toEqual({});
    expect(secretHashesOf("Pbx", { pin: "not a secret field here" }, testHash)).toEqual({});
  });
});

describe("createDiffs", () => {
  it("lists every declared field as after, and secrets as sensitive only", () => {
    expect(
      createDiffs("SipTrunk", { description: "d", password: new Secret("pw", "env:X") }, ["spec.password"]),
    ).toEqual([
      { path: "spec.description", after: "d" },
      { path: "spec.password", sensitive: true },
    ]);
  });
});

describe("compareSpecs", () => {
  it("compares a kind without status by its fields only", () => {
    const diffs = compareSpecs(
      "User",
      { email: "a@x.it" },
      { spec: { email: "a@x.it" }, status: "pending" },
      [],
      {},
      {},
    );
    expect(diffs).toEqual([]);
  });
  it("reports a secret whose hash differs from the recorded one", () => {
    const hashes = { "spec.pin": testHash("spec.pin", "new") };
    const old = { "spec.pin": testHash("spec.pin", "old") };
    const live = { spec: { number: "100", license: "start" }, status: "active" as const };
    const desired = { number: "100", license: "start", status: "active" };
    expect(compareSpecs("Extension", desired, live, [], hashes, old)).toEqual([
      { path: "spec.pin", sensitive: true },
    ]);
    expect(compareSpecs("Extension", desired, live, ["spec.pin"], hashes, old)).toEqual([]);
    expect(compareSpecs("Extension", desired, live, [], hashes, hashes)).toEqual([]);
  });
});
