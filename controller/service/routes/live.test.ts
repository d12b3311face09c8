import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AnyLiveResource } from "../../model/live-state.js";
import { type ServiceFixture, serviceFixture } from "../../test-support/memory-control.js";
import { errLiveNotFound, errLiveRead } from "../errors.js";
import { liveView } from "../live-view.js";

const url = "/v1/tenants/ACME001/live/Extension/ACME001%2Fhq%2F201";

const liveExtension = (facts: Record<string, string | number | boolean | null>): AnyLiveResource => ({
  kind: "Extension",
  key: "Extension/ACME001/hq/201",
  id: "ext_9",
  tenant: "ACME001",
  pbx: "hq",
  spec: { number: "201", license: "plus" } as never,
  status: "active",
  facts,
});

describe("liveView", () => {
  it.each([
    ["a PIN the platform says is set", { hasPin: true, meetingId: "m-1" }, { sensitive: true }],
    ["no PIN", { hasPin: false, meetingId: null }, undefined],
  ])("shows %s only as a marker", (_case, facts, pin) => {
    const view = liveView(liveExtension(facts), "acme-api");
    expect(view.spec.pin).toEqual(pin);
    expect(view).toMatchObject({
      id: "ext_9",
      status: { phase: "active", facts },
      owner: { source: "acme-api" },
    });
  });

  it("marks a trunk's password from hasPassword, and says no owner when nobody manages it", () => {
    const trunk = {
      kind: "SipTrunk",
      key: "SipTrunk/ACME001/main",
      id: "t1",
      tenant: "ACME001",
      spec: { description: "d" },
      status: "active",
      facts: { hasPassword: true },
    } as unknown as AnyLiveResource;
    expect(liveView(trunk, null)).toMatchObject({
      spec: { description: "d", password: { sensitive: true } },
      owner: null,
    });
  });
});

describe("live route", () => {
  let f: ServiceFixture;
  beforeEach(async () => {
    f = await serviceFixture();
  });
  afterEach(() => f.app.close());

  const get = (target = url, token = f.tokens.acmeRead) =>
    f.app.inject({ method: "GET", url: target, headers: f.auth(token) });

  it("answers the platform's object of a key no resource declares, with its owner", async () => {
    f.deps.live.set("Extension/ACME001/hq/201", liveView(liveExtension({ hasPin: true }), null));
    const res = await get();
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      kind: "Extension",
      key: "Extension/ACME001/hq/201",
      id: "ext_9",
      spec: { number: "201", license: "plus", pin: { sensitive: true } },
      status: { phase: "active", facts: { hasPin: true } },
      owner: null,
    });
  });

  it("answers 404 when the platform has no such object, and for an unknown kind", async () => {
    const absent = await get();
    expect(absent.statusCode).toBe(404);
    expect(absent.json().detail).toBe(`${errLiveNotFound}: Extension/ACME001/hq/201`);
    expect((await get("/v1/tenants/ACME001/live/Fax/ACME001%2Fx")).statusCode).toBe(404);
  });

  it("answers 502 when the platform cannot be read", async () => {
    f.deps.liveError = new Error("connect ECONNREFUSED");
    const res = await get();
    expect(res.statusCode).toBe(502);
    expect(res.json().detail).toBe(`${errLiveRead}: connect ECONNREFUSED`);
  });

  const trunk = liveView(
    {
      kind: "SipTrunk",
      key: "SipTrunk/ACME001/main",
      id: "t1",
      tenant: "ACME001",
      spec: { description: "d" },
      status: "active",
      facts: { hasPassword: true },
    } as unknown as AnyLiveResource,
    "acme-api",
  );

  it("lists every live object of the tenant, or of one kind, from one observe", async () => {
    f.deps.live.set("Extension/ACME001/hq/201", liveView(liveExtension({ hasPin: true }), null));
    f.deps.live.set("SipTrunk/ACME001/main", trunk);
    const all = await get("/v1/tenants/ACME001/live");
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().items.map((o: { key: string }) => o.key)).toEqual([
      "Extension/ACME001/hq/201",
      "SipTrunk/ACME001/main",
    ]);
    expect(all.json().items[1]).toMatchObject({ spec: { password: { sensitive: true } } });
    const trunks = await get("/v1/tenants/ACME001/live?kind=SipTrunk");
    expect(trunks.json()).toEqual({ items: [trunk] });
    expect(f.deps.observed).toHaveLength(2);
    expect(new Set(f.deps.observed.map((o) => o.tenant))).toEqual(new Set(["ACME001"]));
  });

  it("answers the list 404 for an unknown kind without reading the platform, 502 when it cannot be read", async () => {
    const fax = await get("/v1/tenants/ACME001/live?kind=Fax");
    expect(fax.statusCode).toBe(404);
    expect(f.deps.observed).toHaveLength(0);
    f.deps.liveError = new Error("connect ECONNREFUSED");
    const down = await get("/v1/tenants/ACME001/live");
    expect(down.statusCode).toBe(502);
    expect(down.json().detail).toBe(`${errLiveRead}: connect ECONNREFUSED`);
  });
});
