import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { type DesiredState, type KindName, Secret } from "../model/desired-state.js";
import { registry } from "../model/registry.js";
import { baseRepo, cleanupRepos, head, loadRepo } from "../test-support/repo.js";

afterAll(cleanupRepos);

const extras = {
  "t.yaml": [
    `${head("Pbx", "{name: ops, tenant: BETA002, driftMode: observe, deletionPolicy: orphan, ignore: [spec.hotel], labels: {site: rome}}")}spec: {kind: single}\n`,
    `${head("Extension", "{name: e1, tenant: ACME001, pbx: hq}")}spec:\n  number: "201"\n  license: plus\n  pin: {fromFile: secrets/pin.txt}\n  user: {email: Anna.Neri@acme.example, firstName: Anna, lastName: Neri}\n`,
    `${head("Extension", "{name: e2, tenant: ACME001, pbx: hq}")}spec:\n  number: "202"\n  license: start\n  pin: {fromEnv: OMNIA_SECRET_PIN_202}\n  user: {email: anna.neri@acme.example, firstName: Anna, lastName: Neri}\n`,
    `${head("Extension", "{name: e3, tenant: ACME001, pbx: hq}")}spec:\n  number: "203"\n  license: start\n  pin: {fromEnv: OMNIA_SECRET_PIN_202}\n  user: {email: giulia.rossi@acme.example, firstName: Giulia, lastName: Rossi}\n`,
  ].join("---\n"),
  "secrets/pin.txt": "80321\n",
};

async function load() {
  const result = await loadRepo({ ...baseRepo, ...extras }, { env: { OMNIA_SECRET_PIN_202: "55012" } });
  expect(result.problems, "the repository is valid").toEqual([]);
  return result.state;
}

describe("building the desired state", () => {
  it.each([
    ["Pbx/ACME001/hq", { deletionPolicy: "delete", driftMode: "enforce", ignore: [] }, "defaults"],
    ["Pbx/BETA002/south", { deletionPolicy: "delete", driftMode: "warn", ignore: [] }, "tenant's driftMode"],
    [
      "Pbx/BETA002/ops",
      { deletionPolicy: "orphan", driftMode: "observe", ignore: ["spec.hotel"] },
      "own policy over tenant's",
    ],
  ])("resolves the policy of %s (%s)", async (key, want) => {
    const pbx = (await load()).pbxs.find((p) => p.key === key);
    expect(pbx?.policy).toEqual(want);
  });

  it("applies schema defaults to specs", async () => {
    const state = await load();
    expect(state.pbxs.find((p) => p.key === "Pbx/ACME001/hq")?.spec).toEqual({
      kind: "single",
      callCenter: false,
      hotel: false,
      status: "active",
    });
    expect(state.tenants.find((t) => t.key === "Tenant/ACME001")?.spec.omniaManager).toBe(true);
  });

  it("keeps labels, names and the extension's PBX", async () => {
    const state = await load();
    const ops = state.pbxs.find((p) => p.key === "Pbx/BETA002/ops");
    expect(ops).toMatchObject({ name: "ops", tenant: "BETA002", labels: { site: "rome" } });
    expect(state.extensions.find((e) => e.name === "e1")).toMatchObject({
      key: "Extension/ACME001/hq/201",
      pbx: "hq",
      tenant: "ACME001",
      source: { line: 6, col: 1 },
    });
  });

  it("turns an inline user into one User resource with the default roles, sourced at the extension", async () => {
    const users = (await load()).users.filter((u) => u.key === "User/ACME001/anna.neri@acme.example");
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({
      name: "anna-neri",
      tenant: "ACME001",
      policy: { deletionPolicy: "delete", driftMode: "enforce", ignore: [] },
      spec: {
        firstName: "Anna",
        lastName: "Neri",
        email: "Anna.Neri@acme.example",
        adminConsoleRole: "none",
        omniaManagerRole: "none",
        mayManageCustomers: false,
      },
      source: { line: 6, col: 1 },
    });
    expect(users[0]?.source.file).toMatch(/t\.yaml$/);
  });

  it("does not add an inline user that a User document declares", async () => {
    const giulia = (await load()).users.filter((u) => u.key === "User/ACME001/giulia.rossi@acme.example");
    expect(giulia.map((u) => u.name)).toEqual(["giulia"]);
  });

  it("resolves PINs from files (trailing newline removed) and variables, never showing them", async () => {
    const state = await load();
    const e1 = state.extensions.find((e) => e.name === "e1");
    const e2 = state.extensions.find((e) => e.name === "e2");
    expect(e1?.spec.pin.reveal()).toBe("80321");
    expect(e1?.spec.pin.ref).toBe("file:secrets/pin.txt");
    expect(e2?.spec.pin.reveal()).toBe("55012");
    expect(e2?.spec.pin.ref).toBe("env:OMNIA_SECRET_PIN_202");
    const shown = JSON.stringify(state) + inspect(state, { depth: 10 }) + String(e1?.spec.pin);
    expect(shown).not.toContain("80321");
    expect(shown).not.toContain("55012");
    expect(shown).toContain("(sensitive)");
  });

  // Every secret of every kind (the registry's secretPaths) goes the same way: resolved, it
  // becomes a Secret at its path; unresolved, it is a problem at its path and the resource
  // is not built (a trunk is no longer built without the password it declares).
  const trunk = (password: string) =>
    `${head("SipTrunk", "{name: backup, tenant: BETA002}")}spec: {description: Backup, operator: Tim, endpoint: sip.tim.example, authRequired: true, username: beta, password: ${password}}\n`;
  const extension = (pin: string) =>
    `${head("Extension", "{name: e9, tenant: ACME001, pbx: hq}")}spec: {number: "209", license: start, pin: ${pin}}\n`;
  it.each([
    ["SipTrunk", "spec.password", trunk, (s: DesiredState) => s.trunks.find((t) => t.name === "backup")],
    ["Extension", "spec.pin", extension, (s: DesiredState) => s.extensions.find((e) => e.name === "e9")],
  ])(
    "resolves the secret of a %s at %s, or reports it and leaves the resource out",
    async (kind, path, doc, find) => {
      expect(registry[kind as KindName].secretPaths).toEqual([path]);
      const field = path.split(".")[1] ?? "";
      // A value both the platform's PIN and password rules accept.
      const ok = await loadRepo(
        { ...baseRepo, "x.yaml": doc("{fromEnv: OMNIA_SECRET_S1}") },
        { env: { OMNIA_SECRET_S1: "80412379" } },
      );
      expect(ok.problems).toEqual([]);
      const secret = (find(ok.state)?.spec as Record<string, unknown> | undefined)?.[field];
      expect(secret).toBeInstanceOf(Secret);
      expect((secret as Secret).reveal()).toBe("80412379");
      expect((secret as Secret).ref).toBe("env:OMNIA_SECRET_S1");

      const bad = await loadRepo(
        { ...baseRepo, "x.yaml": doc("{fromEnv: OMNIA_SECRET_UNSET_VAR}") },
        { env: {} },
      );
      expect(bad.problems.map((p) => `${p.code} ${p.kind}`)).toEqual([`secret-unresolved ${kind}`]);
      expect(find(bad.state)).toBeUndefined();
    },
  );
});
