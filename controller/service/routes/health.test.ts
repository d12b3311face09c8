import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ServiceFixture, serviceFixture } from "../../test-support/memory-control.js";

describe("health routes", () => {
  let f: ServiceFixture;
  beforeEach(async () => {
    f = await serviceFixture();
  });
  afterEach(() => f.app.close());

  it("answers /healthz without a token", async () => {
    const res = await f.app.inject({ method: "GET", url: "/healthz" });
    expect({ status: res.statusCode, body: res.json() }).toEqual({ status: 200, body: { status: "ok" } });
  });

  it("answers /readyz 200 when ready, 503 when not or when the check throws", async () => {
    expect((await f.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
    f.deps.readyAnswer = false;
    expect((await f.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(503);
    f.deps.readyAnswer = true;
    f.deps.readyError = new Error("connection refused");
    const res = await f.app.inject({ method: "GET", url: "/readyz" });
    expect(res.statusCode).toBe(503);
    expect(res.body).not.toContain("connection refused");
  });
});
