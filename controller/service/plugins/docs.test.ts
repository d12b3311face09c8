import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceFixture, serviceFixture } from "../../test-support/memory-control.js";

describe("/docs", () => {
  let f: ServiceFixture;
  beforeAll(async () => {
    f = await serviceFixture();
  });
  afterAll(() => f.app.close());

  it("serves an OpenAPI 3.1 document with every route, its schemas, and the bearer scheme", async () => {
    const res = await f.app.inject({ method: "GET", url: "/docs/json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { security?: unknown; parameters?: unknown[]; responses: object }>
      >;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    );
    // The API's routes; the dashboard's HTML pages (outside /v1) are not part of it.
    const api = ["GET /healthz", "GET /readyz", "GET /metrics"];
    const served = f.app.serviceRoutes.filter((r) => r.split(" ")[1]?.startsWith("/v1/") || api.includes(r));
    expect(served.filter((r) => !documented.includes(r))).toEqual([]);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["Source", "TenantStatus", "ResourceStatus", "Run", "Step", "Token", "Problem"]),
    );
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.paths["/v1/sources/{id}"]?.put?.security).toEqual([{ bearer: [] }]);
    expect(doc.paths["/healthz"]?.get?.security).toBeUndefined();
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const doc = (await f.app.inject({ method: "GET", url: "/docs/json" })).json();
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? [], "OpenAPI schema errors").toEqual([]);
    expect({ valid: result.valid, version: validator.version }).toEqual({ valid: true, version: "3.1" });
  });

  it("serves the UI from the package's own files, with no address off this server", async () => {
    const page = await f.app.inject({ method: "GET", url: "/docs/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(assets.length).toBeGreaterThan(0);
    expect(assets.filter((a) => /^(https?:)?\/\//.test(a))).toEqual([]);
    for (const asset of assets) {
      const res = await f.app.inject({ method: "GET", url: new URL(asset, "http://x/docs/").pathname });
      expect({ asset, status: res.statusCode }).toEqual({ asset, status: 200 });
    }
    const init = await f.app.inject({ method: "GET", url: "/docs/static/swagger-initializer.js" });
    expect(init.statusCode).toBe(200);
    expect(init.body).toContain("validatorUrl: null");
  });
});
