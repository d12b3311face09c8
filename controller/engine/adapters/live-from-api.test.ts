import { describe, expect, it } from "vitest";
import {
  apiCustomer,
  apiExtension,
  apiListing,
  apiNumber,
  apiPbx,
  apiTrunk,
  apiUser,
} from "../../test-support/api-fixtures.js";
import {
  liveExtension,
  liveNumber,
  livePbx,
  liveTenant,
  liveTrunk,
  liveUser,
  specFromApi,
  toLiveState,
} from "./live-from-api.js";

describe("specFromApi", () => {
  it.each([
    [
      "copies the spec fields of the same name, and nothing else",
      "Pbx",
      { id: "1", name: "hq", kind: "single", callCenter: true, hotel: false, status: "active", counts: {} },
      { kind: "single", callCenter: true, hotel: false, status: "active" },
    ],
    [
      "leaves out secrets and fields the contract names otherwise",
      "Extension",
      { number: "201", license: "plus", pin: "1234", user: { email: "a@b.example" }, status: "suspended" },
      { number: "201", license: "plus", status: "suspended" },
    ],
    [
      "maps the platform's pending status to active",
      "Tenant",
      {
        businessName: "Acme",
        customerCode: "A1",
        vatNumber: "1",
        fiscalCode: "2",
        omniaManager: true,
        status: "pending",
      },
      {
        businessName: "Acme",
        customerCode: "A1",
        vatNumber: "1",
        fiscalCode: "2",
        omniaManager: true,
        status: "active",
      },
    ],
    [
      "leaves out absent, null and empty values",
      "User",
      { firstName: "G", lastName: "R", email: "g@x.example", department: "", adminConsoleRole: null },
      { firstName: "G", lastName: "R", email: "g@x.example" },
    ],
    [
      "never copies a trunk password",
      "SipTrunk",
      { description: "d", operator: "o", endpoint: "e", authRequired: true, password: "secret" },
      { description: "d", operator: "o", endpoint: "e", authRequired: true },
    ],
  ] as const)("%s (%s)", (_case, kind, api, want) => {
    expect(specFromApi(kind, api)).toStrictEqual(want);
  });
});

const pbxNames = new Map([["pbx_1", "headquarters"]]);
const trunkNames = new Map([["trk_1", "fastweb"]]);

describe("observe mapping", () => {
  it("maps a customer to a Tenant keyed by customer code", () => {
    expect(liveTenant(apiCustomer({ status: "suspended" }))).toEqual({
      kind: "Tenant",
      key: "Tenant/ACME001",
      id: "cus_1",
      tenant: "ACME001",
      spec: {
        businessName: "Acme S.r.l.",
        customerCode: "ACME001",
        vatNumber: "01234560017",
        fiscalCode: "01234560017",
        omniaManager: true,
        status: "suspended",
      },
      status: "suspended",
      facts: { createdAt: "2026-01-01T00:00:00.000Z" },
    });
  });

  it("keys a user by lower-case email and drops an empty department", () => {
    const got = liveUser(
      "ACME001",
      apiUser({ email: "Giulia.Rossi@Acme.example", department: "", status: "pending" }),
    );
    expect(got.key).toBe("User/ACME001/giulia.rossi@acme.example");
    expect(got.spec).not.toHaveProperty("department");
    expect(got.status).toBe("pending");
  });

  it("keeps whether a trunk has a password as a fact, never a value", () => {
    const got = liveTrunk("ACME001", apiTrunk());
    expect(got.key).toBe("SipTrunk/ACME001/fastweb");
    expect(got.spec).toEqual({
      description: "Main trunk",
      operator: "Fastweb",
      endpoint: "sip.fastweb.example:5060",
      authRequired: true,
      username: "acme",
    });
    expect(got.facts.hasPassword).toBe(true);
  });

  it.each([
    ["active", "active"],
    ["pending", "active"],
    ["suspended", "suspended"],
  ] as const)("gives a %s PBX the declarable status %s", (status, want) => {
    const got = livePbx("ACME001", apiPbx({ status }));
    expect(got.spec.status).toBe(want);
    expect(got.status).toBe(status);
    expect(got.facts).toMatchObject({ numbers: 1, extensions: 2, startLicenses: 1, plusLicenses: 1 });
  });

  it("names a number's PBX and trunk, and keeps an unknown id as is", () => {
    expect(liveNumber("ACME001", apiNumber(), pbxNames, trunkNames).spec).toEqual({
      number: "+390212345600",
      blockDigits: 2,
      pbx: "headquarters",
      trunk: "fastweb",
    });
    expect(liveNumber("ACME001", apiNumber({ pbxId: "pbx_9" }), pbxNames, trunkNames).spec.pbx).toBe("pbx_9");
  });

  it("gives an extension its PBX name, its user by email and its meeting id as a fact", () => {
    const got = liveExtension("ACME001", apiExtension(), pbxNames);
    expect(got.key).toBe("Extension/ACME001/headquarters/201");
    expect(got.pbx).toBe("headquarters");
    expect(got.spec).toEqual({
      number: "201",
      license: "plus",
      status: "active",
      user: { email: "giulia.rossi@acme.example" },
    });
    expect(got.facts).toMatchObject({ meetingId: "M".repeat(42), hasPin: true, userId: "usr_1" });
  });

  it("collects every kind of every listing into one LiveState", () => {
    const got = toLiveState(["ACME001"], [apiListing()]);
    const counts = Object.fromEntries(Object.entries(got).map(([k, v]) => [k, v.length]));
    expect(counts).toEqual({ scope: 1, tenants: 1, users: 1, trunks: 1, pbxs: 1, numbers: 1, extensions: 2 });
  });
});
