/**
 * The benchmarks' generated repositories are valid manifests: a benchmark that fails at
 * load measures nothing (the apply benchmark's tenant once failed the VAT check).
 */
import { describe, expect, it } from "vitest";
import { renderManifestFile } from "../../controller/export/yaml.js";
import { loadTexts } from "../../controller/load/index.js";
import { repository } from "./engine-apply-throughput.js";

describe("benchmark repositories", () => {
  it("engine-apply-throughput's validates with no problem", () => {
    const { docs, env } = repository(20);
    const got = loadTexts(new Map([["repo.yaml", renderManifestFile(docs, "x")]]), { env });
    expect(got.problems).toEqual([]);
    expect(got.state.extensions).toHaveLength(20);
  });
});
