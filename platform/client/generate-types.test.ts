import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { generatedFile, renderApiTypes } from "./generate-types.js";

describe("api.gen.ts", () => {
  it("is what the generator makes of schemas/omnia-api.yaml (run platform/client/generate-types.ts)", async () => {
    expect(await readFile(generatedFile, "utf8")).toBe(await renderApiTypes());
  });
});
