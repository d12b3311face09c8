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
});
