import { describe, expect, it } from "vitest";
import { computeDigest, digestPassword, parseAuthHeader, renderAuthHeader, signRequest } from "./auth.js";

// The vendor's own test vector (shared/platform/kalliope-rest-auth.md).
const vector = {
  username: "admin",
  password: "admin",
  domain: "default",
  salt: "b5a8fdcf2f8d5acdad33c4a072a97d7a",
  digestPassword: "dd7b0be7fa37d6cbaf0b842bf7532f229cb79ab8d54d509c2aa7eea27a53cd5e",
  nonce: "bfb79078ff44c35714af28b7412a702b",
  created: "2016-04-29T15:48:26Z",
  digest: "+PJg7Tb3v98XnL6iJVv+v5hwhYjdzQ2tIWxvJB2cE40=",
};

describe("X-authenticate digest", () => {
  it("matches the vendor test vector for digestPassword", () => {
    expect(digestPassword(vector.password, vector.salt), "digestPassword").toBe(vector.digestPassword);
  });

  it("matches the vendor test vector for Digest", () => {
    const got = computeDigest(
      vector.nonce,
      vector.digestPassword,
      vector.username,
      vector.domain,
      vector.created,
    );
    expect(got, "Digest").toBe(vector.digest);
  });

  it("signs a request with the vector's nonce and time into the vendor's header", () => {
    const header = signRequest(
      "admin",
      "default",
      vector.digestPassword,
      new Date("2016-04-29T15:48:26.789Z"),
      vector.nonce,
    );
    expect(header).toBe(
      `RestApiUsernameToken Username="admin", Domain="default", Digest="${vector.digest}", Nonce="${vector.nonce}", Created="${vector.created}"`,
    );
  });

  it("parses what it renders", () => {
    const token = {
      username: "admin",
      domain: "demo",
      digest: "a+b/c=",
      nonce: "00ff",
      created: vector.created,
    };
    expect(parseAuthHeader(renderAuthHeader(token))).toEqual(token);
  });

  it.each([
    ["missing header", undefined],
    ["another scheme", "Basic YWRtaW46YWRtaW4="],
    ["missing Nonce", 'RestApiUsernameToken Username="a", Domain="d", Digest="x", Created="c"'],
  ])("rejects %s", (_name, value) => {
    expect(parseAuthHeader(value)).toBeUndefined();
  });

  it("uses a fresh nonce on every signature", () => {
    const now = new Date();
    const a = parseAuthHeader(signRequest("admin", "demo", vector.digestPassword, now));
    const b = parseAuthHeader(signRequest("admin", "demo", vector.digestPassword, now));
    expect(a?.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(a?.nonce).not.toBe(b?.nonce);
  });
});
