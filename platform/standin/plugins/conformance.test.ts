import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operations } from "../route-schema.js";
import { startTestStandin, type TestStandin } from "../testing.js";
import { type ContractViolation, conformancePluginFp } from "./conformance.js";

describe("contract coverage", () => {
  let standin: TestStandin;
  beforeAll(async () => {
    standin = await startTestStandin();
  });
  afterAll(() => standin.close());

  it("serves a route for every operation of the contract", () => {
    const served = new Set(standin.routes.map((r) => r.operationId));
    const missing = [...operations().keys()].filter((id) => !served.has(id));
    expect(missing, "operations without a route").toEqual([]);
  });

  it("serves no /rest/ route outside the contract, each where the contract puts it", () => {
    const api = standin.routes.filter((r) => r.url.startsWith("/rest/") && r.method !== "HEAD");
    const stray = api.filter((r) => r.operationId === undefined).map((r) => `${r.method} ${r.url}`);
    expect(stray, "routes without an operationId").toEqual([]);
    const misplaced = api
      .map((r) => ({ r, info: operations().get(r.operationId ?? "") }))
      .filter(
        ({ r, info }) =>
          !info || info.method.toUpperCase() !== r.method || info.path.replace(/\{(\w+)\}/g, ":$1") !== r.url,
      )
      .map(({ r }) => `${r.method} ${r.url} (${r.operationId})`);
    expect(misplaced).toEqual([]);
    expect(api.length).toBe(operations().size);
  });
});

describe("response conformance", () => {
  /** An app that answers whatever a test puts in `body`, checked by the plugin. */
  async function appAnswering(status: number, body: unknown) {
    const violations: ContractViolation[] = [];
    const app = Fastify();
    await app.register(conformancePluginFp, { violations });
    app.get("/rest/company", { config: { operationId: "getCompany" } }, async (_req, reply) =>
      reply.code(status).send(body),
    );
    return { app, violations };
  }
  const company = {
    domain: "demo",
    businessName: "B",
    customerCode: "C",
    vatNumber: "01234567897",
    fiscalCode: "01234567897",
  };

  it.each([
    ["a conforming body", 200, company, 200, 0],
    ["a missing required field", 200, { ...company, domain: undefined }, 500, 1],
    ["an extra field (e.g. a leaked password)", 200, { ...company, password: "x" }, 500, 1],
    ["a conforming error", 404, { code: "not_found", message: "m", requestId: "r" }, 404, 0],
    ["an error without a code", 404, { message: "m", requestId: "r" }, 500, 1],
  ])("checks %s", async (_name, status, body, wantStatus, wantViolations) => {
    const { app, violations } = await appAnswering(status, body);
    const res = await app.inject({ method: "GET", url: "/rest/company" });
    expect({ status: res.statusCode, violations: violations.length }, JSON.stringify(violations)).toEqual({
      status: wantStatus,
      violations: wantViolations,
    });
    await app.close();
  });
});
