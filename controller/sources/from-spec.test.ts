import { describe, expect, it } from "vitest";
import { FolderSource } from "./folder.js";
import { sourceFromSpec } from "./from-spec.js";
import { GitSource, GitSourceError } from "./git.js";
import { StoredSource } from "./stored.js";

const ctx = { stateDir: "/var/lib/omnia", stored: { listStoredResources: async () => [] } };

describe("sourceFromSpec", () => {
  it.each([
    [{ type: "folder", path: "/srv/acme" } as const, FolderSource, "/srv/acme"],
    [
      { type: "git", url: "https://user:tok@git.example.it/acme.git", branch: "main" } as const,
      GitSource,
      "https://git.example.it/acme.git#main",
    ],
    [{ type: "api" } as const, StoredSource, "api:acme"],
  ])("builds the %j location's source, named by the id", (location, type, where) => {
    const source = sourceFromSpec({ id: "acme", location }, ctx);
    expect(source).toBeInstanceOf(type);
    expect(source.name).toBe("acme");
    expect(source.location).toBe(where);
  });

  it("refuses a git URL whose transport the context does not allow", () => {
    const location = { type: "git", url: "file:///srv/acme.git", branch: "main" } as const;
    expect(() => sourceFromSpec({ id: "acme", location }, ctx)).toThrow(GitSourceError);
    expect(sourceFromSpec({ id: "acme", location }, { ...ctx, allowedProtocols: ["file"] })).toBeInstanceOf(
      GitSource,
    );
  });

  it("an api source's documents read only their partner's variables, whatever the operator allows", async () => {
    const doc = (variable: string) => ({
      tenant: "ACME001",
      kind: "Extension",
      key: "Extension/ACME001/hq/201",
      updatedAt: new Date(0),
      document: {
        apiVersion: "omnia.kalliope.io/v1",
        kind: "Extension",
        metadata: { name: "hq-201", tenant: "ACME001", pbx: "hq" },
        spec: { number: "201", license: "start", pin: { fromEnv: variable } },
      },
    });
    const env = { OMNIA_SECRET_DEMO_PIN: "4711", OMNIA_SECRET_ACME_PIN: "4712" };
    const problems = async (variable: string) => {
      const stored = { listStoredResources: async () => [doc(variable)] };
      const source = sourceFromSpec(
        { id: "acme-tf", partner: "acme", location: { type: "api" } },
        { ...ctx, stored, load: { env, secretEnvPrefixes: ["OMNIA_SECRET_"] } },
      );
      return (await source.read()).problems.map((p) => p.message).join("\n");
    };
    // Found by a fresh user: partner demo's Terraform read acme's variable.
    expect(await problems("OMNIA_SECRET_DEMO_PIN")).toContain("OMNIA_SECRET_ACME_");
    expect(await problems("OMNIA_SECRET_ACME_PIN")).not.toContain("OMNIA_SECRET_ACME_*");
  });
});
