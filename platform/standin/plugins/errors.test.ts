import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { ApiFailure } from "../errors.js";
import { errorsPluginFp, internalErrorMessage } from "./errors.js";

async function appThrowing(err: Error) {
  const app = Fastify();
  await app.register(errorsPluginFp);
  app.get("/rest/x", async () => {
    throw err;
  });
  return app;
}

describe("error handler", () => {
  it("hides the details of an internal error", async () => {
    const app = await appThrowing(new Error("db password is hunter2"));
    const res = await app.inject({ method: "GET", url: "/rest/x" });
    const body = res.json() as { code: string; message: string; requestId: string };
    expect({ status: res.statusCode, code: body.code, message: body.message }).toEqual({
      status: 500,
      code: "internal",
      message: internalErrorMessage,
    });
    expect(res.body).not.toContain("hunter2");
    expect(body.requestId).not.toBe("");
  });

  it("answers a rule failure with its status, code and details", async () => {
    const app = await appThrowing(
      new ApiFailure(409, "in_use", "PBX hq is still in use", { usedBy: ["2 extensions"] }),
    );
    const res = await app.inject({ method: "GET", url: "/rest/x" });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: "in_use",
      message: "PBX hq is still in use",
      details: { usedBy: ["2 extensions"] },
    });
  });

  it("answers an unknown route with 404 not_found", async () => {
    const app = await appThrowing(new Error("unused"));
    const res = await app.inject({ method: "GET", url: "/rest/nothing" });
    expect({ status: res.statusCode, code: res.json().code }).toEqual({ status: 404, code: "not_found" });
  });
});
