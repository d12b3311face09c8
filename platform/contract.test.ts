import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { contractSchemaDocument, loadContract } from "./contract.js";
import { contractAjv } from "./standin/ajv.js";

describe("schemas/omnia-api.yaml", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(loadContract() as unknown as Record<string, unknown>);
    expect(result.errors ?? [], "OpenAPI schema errors").toEqual([]);
    expect({ valid: result.valid, version: validator.version }).toEqual({ valid: true, version: "3.1" });
  });

  it("would reject a document without info (the check can fail)", async () => {
    const { info: _info, ...broken } = loadContract() as unknown as Record<string, unknown>;
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it("has component schemas that compile as JSON Schema 2020-12", () => {
    const ajv = contractAjv("response");
    for (const name of Object.keys(contractSchemaDocument().$defs)) {
      expect(ajv.getSchema(`omnia-api#/$defs/${name}`), name).toBeTypeOf("function");
    }
  });

  it("declares one error shape, with code, message and requestId", () => {
    const error = contractSchemaDocument().$defs.ApiError as { required: string[] };
    expect(error.required).toEqual(["code", "message", "requestId"]);
  });

  it("puts every path under /rest/", () => {
    const outside = Object.keys(loadContract().paths).filter((p) => !p.startsWith("/rest/"));
    expect(outside).toEqual([]);
  });
});
