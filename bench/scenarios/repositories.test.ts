/**
 * The benchmarks' generated repositories are valid manifests: a benchmark that fails at
 * load measures nothing (the apply benchmark's tenant once failed the VAT check).
 */
import { describe, expect, it } from "vitest";
import { renderManifestFile } from "../../controller/export/yaml.js";
import { loadTexts } from "../../controller/load/index.js";
import { worldFiles } from "../../controller/test-support/random-world.js";
import { tenantWorlds } from "../../controller/test-support/replicas.js";
import { repository } from "./engine-apply-throughput.js";

describe("benchmark repositories", () => {
  it("engine-apply-throughput's validates with no problem", () => {
    const { docs, env } = repository(20);
    const got = loadTexts(new Map([["repo.yaml", renderManifestFile(docs, "x")]]), { env });
    expect(got.problems).toEqual([]);
    expect(got.state.extensions).toHaveLength(20);
  });

  it("controller-reconcile's tenants validate with no problem, 100 extensions each", () => {
    const worlds = tenantWorlds("BEN", 3, 100);
    const files = new Map(worlds.map((w) => [`${w.tenant}.yaml`, Object.values(worldFiles(w)).join("")]));
    const got = loadTexts(files, { env: Object.assign({}, ...worlds.map((w) => w.env)) });
    expect(got.problems).toEqual([]);
    expect(got.state.extensions).toHaveLength(300);
    expect(got.state.tenants.map((t) => t.key)).toHaveLength(3);
  });
});
