import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { addItalianFormats } from "../load/formats.js";
import { listManifestFiles, parseManifestFile } from "../load/parse.js";
import { manifestSchemaFile, renderManifestSchema } from "./generate-manifest-schema.js";
import { registryGenFile, renderRegistry } from "./generate-registry.js";
import { renderTerraformFacts, terraformGenFile } from "./generate-terraform.js";
import { generatedFile, renderTypes } from "./generate-types.js";

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const exampleDir = join(import.meta.dirname, "..", "..", "examples", "gitops-partner");

describe("generated files are up to date (run `npm run gen` when this fails)", () => {
  it.each([
    ["controller/model/resources.gen.ts", generatedFile, renderTypes],
    ["schemas/omnia-manifest.schema.json", manifestSchemaFile, renderManifestSchema],
    ["controller/model/registry.gen.ts", registryGenFile, async () => renderRegistry()],
    ["controller/model/terraform.gen.ts", terraformGenFile, async () => renderTerraformFacts()],
  ])("%s equals what its generator produces now", async (_name, file, render) => {
    const committed = await readFile(file, "utf8");
    expect(committed).toBe(await render());
  });
});

describe("the combined editor schema", () => {
  const compile = async () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
    addFormats(ajv);
    addItalianFormats(ajv);
    return ajv.compile(JSON.parse(await readFile(manifestSchemaFile, "utf8")));
  };

  it("accepts every document of the example repository", async () => {
    const validate = await compile();
    const files = await listManifestFiles(exampleDir);
    let count = 0;
    for (const file of files) {
      for (const doc of (await parseManifestFile(file)).documents) {
        count++;
        expect(validate(doc.value), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
    expect(count).toBeGreaterThan(80);
  });

  it.each([
    [
      "an unknown kind",
      { apiVersion: "omnia.kalliope.io/v1", kind: "Fax", metadata: { name: "x" }, spec: {} },
    ],
    [
      "a kind's own rule (extension license)",
      {
        apiVersion: "omnia.kalliope.io/v1",
        kind: "Extension",
        metadata: { name: "x", tenant: "T", pbx: "p" },
        spec: { number: "201", license: "gold", pin: { fromEnv: "PIN" } },
      },
    ],
    ["a document without kind", { apiVersion: "omnia.kalliope.io/v1", metadata: { name: "x" } }],
  ])("rejects %s", async (_case, doc) => {
    const validate = await compile();
    expect(validate(doc)).toBe(false);
  });
});
