import { describe, expect, it } from "vitest";
import { errSecretEnvPrefix } from "../load/build.js";
import { secretAccessFrom } from "./settings.js";

describe("secretAccessFrom: what the operator lets manifests' secrets reach", () => {
  it.each([
    ["nothing set", {}, {}, { secretEnvPrefixes: ["OMNIA_SECRET_"], operatorSecretRoots: [] }],
    [
      "OMNIA_SECRETS_ROOT relative to the working folder",
      {},
      { OMNIA_SECRETS_ROOT: "run/secrets" },
      { secretEnvPrefixes: ["OMNIA_SECRET_"], operatorSecretRoots: ["/srv/omnia/run/secrets"] },
    ],
    [
      "--secrets-root over OMNIA_SECRETS_ROOT",
      { secretsRoot: "/etc/omnia/secrets" },
      { OMNIA_SECRETS_ROOT: "/elsewhere" },
      { secretEnvPrefixes: ["OMNIA_SECRET_"], operatorSecretRoots: ["/etc/omnia/secrets"] },
    ],
    [
      "OMNIA_SECRET_ENV_PREFIXES",
      {},
      { OMNIA_SECRET_ENV_PREFIXES: "CI_SECRET_,OMNIA_SECRET_" },
      { secretEnvPrefixes: ["CI_SECRET_", "OMNIA_SECRET_"], operatorSecretRoots: [] },
    ],
  ])("%s", (_case, flags, env, want) => {
    expect(secretAccessFrom(flags, env, "/srv/omnia")).toEqual(want);
  });

  it("refuses a prefix list that would allow every variable", () => {
    expect(() => secretAccessFrom({}, { OMNIA_SECRET_ENV_PREFIXES: "," }, "/")).toThrow(errSecretEnvPrefix);
  });
});
