import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ServiceFixture, serviceFixture } from "../../test-support/memory-control.js";
import { errManyApiSources, errNoApiSource, errSecretNotFound } from "../errors.js";

const url = "/v1/tenants/ACME001/secrets/hq-201-pin";
const value = "258013";

describe("secret routes", () => {
  let f: ServiceFixture;
  beforeEach(async () => {
    f = await serviceFixture();
  });
  afterEach(() => f.app.close());

  const put = (payload: unknown, target = url, token = f.tokens.acmeWrite) =>
    f.app.inject({ method: "PUT", url: target, headers: f.auth(token), payload: payload as object });
  const list = (tenant = "ACME001") =>
    f.app.inject({ method: "GET", url: `/v1/tenants/${tenant}/secrets`, headers: f.auth(f.tokens.acmeRead) });

  it("stores a secret sealed in the partner's api source, queues nothing, and never answers it", async () => {
    const created = await put({ value });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ source: "acme-api", tenant: "ACME001", name: "hq-201-pin" });
    const replaced = await put({ value: "13579" });
    expect(replaced.statusCode).toBe(200);
    const row = f.deps.store.secrets.get("acme-api\u0000ACME001\u0000hq-201-pin");
    expect(
      row?.sealed &&
        f.deps.sealer.open({ source: "acme-api", tenant: "ACME001", name: "hq-201-pin" }, row.sealed),
    ).toBe("13579");
    expect(Buffer.from(row?.sealed.ciphertext ?? []).includes(Buffer.from("13579"))).toBe(false);
    expect(f.deps.triggers).toEqual([]);
    const listed = await list();
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items).toEqual([
      expect.objectContaining({ source: "acme-api", tenant: "ACME001", name: "hq-201-pin" }),
    ]);
    expect(Object.keys(listed.json().items[0]).sort()).toEqual([
      "createdAt",
      "name",
      "source",
      "tenant",
      "updatedAt",
    ]);
    expect((await list("ACME002")).json().items).toEqual([]);
    const everything = JSON.stringify([created.json(), replaced.json(), listed.json(), f.deps.store.events]);
    expect(everything).not.toContain(value);
    expect(everything).not.toContain("13579");
    expect(f.deps.store.events.map((e) => e.data.action)).toEqual(["secret.created", "secret.replaced"]);
  });

  it("deletes a secret once, then answers 404", async () => {
    await put({ value });
    const del = () => f.app.inject({ method: "DELETE", url, headers: f.auth(f.tokens.acmeWrite) });
    expect((await del()).statusCode).toBe(204);
    const again = await del();
    expect(again.statusCode).toBe(404);
    expect(again.json().detail).toBe(errSecretNotFound);
    expect(f.deps.store.secrets.size).toBe(0);
  });

  it.each([
    ["an empty value", { value: "" }, url],
    ["a value over 256 characters", { value: "x".repeat(257) }, url],
    ["no value", {}, url],
    ["an extra field", { value, name: "x" }, url],
    ["a name with capitals", { value }, "/v1/tenants/ACME001/secrets/PIN"],
    ["a name starting with a dash", { value }, "/v1/tenants/ACME001/secrets/-pin"],
  ])("refuses %s with 400, never echoing the value", async (_case, body, target) => {
    const res = await put(body, target);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.body).not.toContain(value);
    expect(f.deps.store.secrets.size).toBe(0);
    expect(f.deps.triggers).toEqual([]);
  });

  it("needs the write scope to store and keeps other partners out", async () => {
    expect((await put({ value }, url, f.tokens.acmeRead)).statusCode).toBe(403);
    expect((await put({ value }, `${url}?source=acme-api`, f.tokens.otherAdmin)).statusCode).toBe(404);
    const otherNoApi = await put({ value }, url, f.tokens.otherAdmin);
    expect(otherNoApi.statusCode).toBe(409);
    expect(otherNoApi.json().detail).toBe(errNoApiSource);
    expect(f.deps.store.secrets.size).toBe(0);
  });

  it("asks which api source when the partner has several", async () => {
    const first = f.deps.store.sources.get("acme-api");
    if (!first) throw new Error("the fixture has no acme-api source");
    await f.deps.store.upsertSource({ ...first, id: "acme-api-2" });
    const res = await put({ value });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toContain(errManyApiSources);
    expect((await put({ value }, `${url}?source=acme-api-2`)).statusCode).toBe(201);
    expect([...f.deps.store.secrets.values()].map((s) => s.source)).toEqual(["acme-api-2"]);
  });
});
