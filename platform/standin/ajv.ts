/**
 * Ajv (JSON Schema 2020-12) instances that know the contract's component schemas:
 * one for requests (coerces query strings, applies defaults, like Fastify's own) and one
 * for responses (strict: no coercion, so a wrong type is a contract violation).
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { contractSchemaDocument } from "../contract.js";

// ajv-formats is CommonJS; its default export sits on `.default` under NodeNext.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** A new ajv with the contract registered under `omnia-api`. */
export function contractAjv(kind: "request" | "response"): Ajv2020 {
  const ajv = new Ajv2020({
    strict: false,
    allErrors: kind === "response",
    coerceTypes: kind === "request" ? "array" : false,
    useDefaults: kind === "request",
  });
  addFormats(ajv);
  ajv.addSchema(contractSchemaDocument());
  return ajv;
}
