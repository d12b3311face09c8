import { describe, expect, it } from "vitest";
import { liveOf, make } from "../../test-support/fakes.js";
import {
  errBadPlanFile,
  errPlanOtherState,
  liveFingerprint,
  otherStateOf,
  parseSavedPlan,
  type SavedPlan,
  savedPlanFormat,
  serializeSavedPlan,
} from "./saved-plan.js";

describe("liveFingerprint", () => {
  const pbx = make.pbx("A", "hq");
  it("is the same for pending and active (the platform finishing a provisioning is no hand change)", () => {
    expect(liveFingerprint(liveOf(pbx, "id-1", "pending"))).toBe(
      liveFingerprint(liveOf(pbx, "id-1", "active")),
    );
  });
  it.each([
    ["suspended", liveOf(pbx, "id-1", "suspended")],
    ["another id", liveOf(pbx, "id-2", "active")],
    ["another spec", liveOf(make.pbx("A", "hq", { spec: { kind: "group", group: "g1" } }), "id-1", "active")],
  ])("differs when the object is %s", (_case, other) => {
    expect(liveFingerprint(other)).not.toBe(liveFingerprint(liveOf(pbx, "id-1", "active")));
  });
  it("is null for an absent object", () => {
    expect(liveFingerprint(undefined)).toBeNull();
  });
});

describe("saved plan files", () => {
  const saved: SavedPlan = {
    format: savedPlanFormat,
    createdAt: "2026-11-29T18:00:00.000Z",
    runId: "r1",
    source: { name: "default", location: "/repo" },
    tenants: ["A"],
    settings: {},
    basis: { revision: "sha256:00", live: { "Tenant/A": null }, inventory: { "Tenant/A": null } },
    plan: { changes: [], drift: [], refusals: [], warnings: [] },
  };

  it("read back as written", () => {
    const text = serializeSavedPlan(saved);
    expect(parseSavedPlan(text, "p.json")).toEqual({
      ...saved,
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it("are refused when edited after they were saved", () => {
    const text = serializeSavedPlan(saved).replace('"runId": "r1"', '"runId": "r2"');
    expect(() => parseSavedPlan(text, "p.json")).toThrow(
      `${errBadPlanFile}: p.json: it was changed after it was saved; run plan again`,
    );
  });
});

describe("otherStateOf: a saved plan's state store and secret key against the present", () => {
  const made = { store: "pglite /srv/a/.omnia/state", secretKeyId: "1a2b3c4d" };
  it.each([
    ["the same store and key", made, made, undefined],
    ["a plan saved before plans recorded their state", undefined, made, undefined],
    [
      "another store",
      made,
      { ...made, store: "postgres postgres://u:***@db/omnia" },
      `${errPlanOtherState} (state store: the plan's pglite /srv/a/.omnia/state, here postgres postgres://u:***@db/omnia)`,
    ],
    [
      "another key",
      made,
      { ...made, secretKeyId: "99990000" },
      `${errPlanOtherState} (secret key: the plan's 1a2b3c4d, here 99990000)`,
    ],
    [
      "both",
      made,
      { store: "pglite /srv/b/.omnia/state", secretKeyId: "99990000" },
      `${errPlanOtherState} (state store: the plan's pglite /srv/a/.omnia/state, here pglite /srv/b/.omnia/state; secret key: the plan's 1a2b3c4d, here 99990000)`,
    ],
  ])("%s", (_case, saved, now, want) => {
    expect(otherStateOf(saved, now)).toBe(want);
  });
});
