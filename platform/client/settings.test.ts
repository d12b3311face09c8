import { describe, expect, it } from "vitest";
import { clientSettingsFromEnv, errMissingEnv } from "./settings.js";

describe("clientSettingsFromEnv", () => {
  it("reads OMNIA_URL, OMNIA_DOMAIN, OMNIA_USERNAME and OMNIA_PASSWORD", () => {
    const env = {
      OMNIA_URL: "http://127.0.0.1:8090/",
      OMNIA_DOMAIN: "demo",
      OMNIA_USERNAME: "admin",
      OMNIA_PASSWORD: "admin",
    };
    expect(clientSettingsFromEnv(env)).toEqual({
      baseUrl: "http://127.0.0.1:8090",
      domain: "demo",
      username: "admin",
      password: "admin",
    });
  });

  it("names every missing variable", () => {
    expect(() => clientSettingsFromEnv({ OMNIA_URL: "http://x" })).toThrow(
      `${errMissingEnv}: OMNIA_DOMAIN, OMNIA_USERNAME, OMNIA_PASSWORD`,
    );
  });
});
