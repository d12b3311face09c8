import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { errInternal, Problem } from "../errors.js";
import { errorsPluginFp, problemTypeBase } from "./errors.js";

async function appThrowing(err: Error) {
  const app = Fastify();
  await app.register(errorsPluginFp);
  app.get("/x", async () => {
    throw err;
  });
  app.post(
    "/v",
    { schema: { body: { type: "object", properties: { n: { type: "integer" } } } } },
    async () => ({}),
  );
  return app;
}

describe("errors plugin", () => {
  it("hides an internal error's message and stack behind a problem document", async () => {
    const app = await appThrowing(new Error("password=hunter2 at db.ts:12"));
    const res = await app.inject({ method: "GET", url: "/x" });
    expect(res.statusCode).toBe(500);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      type: `${problemTypeBase}internal`,
      title: "Internal Server Error",
      status: 500,
      detail: errInternal,
      instance: "/x",
    });
    expect(res.body).not.toMatch(/hunter2|db\.ts|stack/);
  });

  it("keeps a problem's status, detail and extension members", async () => {
    const app = await appThrowing(new Problem(409, "conflict", "taken", { key: "k" }));
    const res = await app.inject({ method: "GET", url: "/x?q=1" });
    expect(res.json()).toMatchObject({ status: 409, detail: "taken", key: "k", instance: "/x" });
  });

  it("names the field of a schema failure", async () => {
    const app = await appThrowing(new Error("unused"));
    const res = await app.inject({ method: "POST", url: "/v", payload: { n: "x" } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: "body/n", type: `${problemTypeBase}invalid` });
  });

  it("answers an unknown route with a 404 problem", async () => {
    const app = await appThrowing(new Error("unused"));
    const res = await app.inject({ method: "GET", url: "/nothing" });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });
});
