/**
 * Contract conformance (issue #3 §4): in test mode every `/rest/` response is checked
 * against the operation's response schema in `schemas/omnia-api.yaml` before it leaves.
 * A mismatch is recorded and turned into a 500 `contract_violation`, so no test can pass
 * while server and contract disagree.
 */
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { resolveComponent, rewriteRefs } from "../../contract.js";
import { contractAjv } from "../ajv.js";
import { operation } from "../route-schema.js";

/** One response that did not match the contract. */
export interface ContractViolation {
  operationId: string;
  status: number;
  problem: string;
}

/** What the plugin needs: where to record violations. */
export interface ConformanceOptions {
  violations: ContractViolation[];
}

interface ResponseDef {
  content?: Record<string, { schema: unknown }>;
}

async function conformancePlugin(app: FastifyInstance, opts: ConformanceOptions): Promise<void> {
  const ajv = contractAjv("response");
  const validators = new Map<string, ReturnType<typeof ajv.compile>>();
  const validatorFor = (cacheKey: string, schema: unknown) => {
    let v = validators.get(cacheKey);
    if (!v) {
      v = ajv.compile(rewriteRefs(schema) as object);
      validators.set(cacheKey, v);
    }
    return v;
  };

  app.addHook("onSend", async (request, reply, payload) => {
    if (!request.url.startsWith("/rest/")) return payload;
    const operationId = request.routeOptions.config?.operationId ?? "(no route)";
    const status = reply.statusCode;
    let responses: Record<string, unknown> = { default: { $ref: "#/components/responses/Error" } };
    if (operationId !== "(no route)") responses = operation(operationId).operation.responses;
    const def = resolveComponent<ResponseDef | undefined>(responses[String(status)] ?? responses.default);
    const contentType = String(reply.getHeader("content-type") ?? "").split(";")[0] ?? "";
    const problem = check(def, status, contentType, payload);
    if (!problem) return payload;
    opts.violations.push({ operationId, status, problem });
    reply.code(500).header("content-type", "application/json; charset=utf-8");
    return JSON.stringify({
      code: "contract_violation",
      message: `${operationId} ${status}: ${problem}`,
      requestId: String(request.id),
    });
  });

  function check(
    def: ResponseDef | undefined,
    status: number,
    contentType: string,
    payload: unknown,
  ): string | undefined {
    if (!def) return `status ${status} is not in the contract`;
    if (!def.content)
      return payload === undefined || payload === "" || payload === null
        ? undefined
        : "body on a response without content";
    const media = def.content[contentType];
    if (!media)
      return `content type ${contentType || "(none)"} not declared (${Object.keys(def.content).join(", ")})`;
    if (contentType !== "application/json") return undefined;
    if (typeof payload !== "string") return "JSON body is not a string";
    const validate = validatorFor(JSON.stringify(media.schema), media.schema);
    if (validate(JSON.parse(payload))) return undefined;
    return ajv.errorsText(validate.errors, { dataVar: "body" });
  }
}

/** Response validation against the contract (test mode). */
export const conformancePluginFp = fp(conformancePlugin, { name: "standin-conformance" });
