import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { findManifestSchema, manifestSchemaUrl, renderManifestFile, schemaRefFrom } from "./yaml.js";

describe("schemaRefFrom", () => {
  it.each([
    [
      "a sibling folder",
      "/repo/customers/acme",
      "/repo/schemas/omnia-manifest.schema.json",
      "../../schemas/omnia-manifest.schema.json",
    ],
    [
      "the schema's own folder",
      "/repo/schemas",
      "/repo/schemas/omnia-manifest.schema.json",
      "omnia-manifest.schema.json",
    ],
  ])("gives a relative path from %s", (_case, dir, schema, want) => {
    expect(schemaRefFrom(dir, schema)).toBe(want);
  });

  it("falls back to the published URL when the schema is not found", () => {
    expect(schemaRefFrom("/anywhere", null)).toBe(manifestSchemaUrl);
    expect(findManifestSchema("/")).toBeUndefined();
  });
});

describe("renderManifestFile", () => {
  it("writes the schema comment, header comments and one document per ---", () => {
    const text = renderManifestFile([{ kind: "A", n: "007" }, { kind: "B" }], "x.json", ["made by a test"]);
    expect(text.split("\n").slice(0, 3)).toEqual([
      "# yaml-language-server: $schema=x.json",
      "# made by a test",
      "---",
    ]);
    expect(parseAllDocuments(text).map((d) => d.toJS())).toEqual([{ kind: "A", n: "007" }, { kind: "B" }]);
  });
});
