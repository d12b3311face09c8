import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ServiceFixture, serviceFixture } from "../../test-support/memory-control.js";
import {
  errClearSecret,
  errDocument,
  errManyApiSources,
  errNoApiSource,
  errNotApiSource,
  errResourceConflict,
} from "../errors.js";

const url = "/v1/tenants/ACME001/resources/Extension/ACME001%2Fhq%2F201";

const extension = (spec: Record<string, unknown> = {}) => ({
  apiVersion: "omnia.kalliope.io/v1",
  kind: "Extension",
  metadata: { name: "hq-201", tenant: "ACME001", pbx: "hq" },
  spec: { number: "201", license: "plus", pin: { fromEnv: "PIN_201" }, ...spec },
});

const trunk = (password: unknown) => ({
  apiVersion: "omnia.kalliope.io/v1",
  kind: "SipTrunk",
  metadata: { name: "main", tenant: "ACME001" },
  spec: {
    description: "main trunk",
    operator: "x",
    endpoint: "sip.example.it",
    authRequired: true,
    username: "u",
    password,
  },
});

describe("resource routes", () => {
  let f: ServiceFixture;
  beforeEach(async () => {
    f = await serviceFixture();
  });
  afterEach(() => f.app.close());

  const put = (payload: unknown, target = url, token = f.tokens.acmeWrite) =>
    f.app.inject({ method: "PUT", url: target, headers: f.auth(token), payload: payload as object });

  it("stores a resource under its natural key in the partner's api source and queues the tenant", async () => {
    const created = await put(extension());
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      resource: { source: "acme-api", tenant: "ACME001", kind: "Extension", key: "Extension/ACME001/hq/201" },
      apply: null,
    });
    expect(f.deps.store.resources.get("acme-api\u0000Extension/ACME001/hq/201")?.document).toEqual(
      extension(),
    );
    expect(f.deps.triggers).toEqual([
      { source: "acme-api", tenant: "ACME001", reason: "api", mode: "apply" },
    ]);
    const replaced = await put(extension({ license: "start" }));
    expect(replaced.statusCode).toBe(200);
    const got = await f.app.inject({ method: "GET", url, headers: f.auth(f.tokens.acmeRead) });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual({
      resource: {
        source: "acme-api",
        tenant: "ACME001",
        kind: "Extension",
        key: "Extension/ACME001/hq/201",
        document: extension({ license: "start" }),
      },
      status: null,
    });
    expect(f.deps.store.events.filter((e) => e.type === "api.change").map((e) => e.data.action)).toEqual([
      "resource.created",
      "resource.replaced",
    ]);
  });

  it("lists a tenant's declared resources by key, filtered by kind", async () => {
    await put(extension());
    await put(extension({ number: "200" }), "/v1/tenants/ACME001/resources/Extension/ACME001%2Fhq%2F200");
    await put(trunk({ fromEnv: "TRUNK_PW" }), "/v1/tenants/ACME001/resources/SipTrunk/ACME001%2Fmain");
    const list = async (q: string) => {
      const res = await f.app.inject({
        method: "GET",
        url: `/v1/tenants/ACME001/resources${q}`,
        headers: f.auth(f.tokens.acmeRead),
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().items.map((r: { key: string }) => r.key);
    };
    expect(await list("")).toEqual([
      "Extension/ACME001/hq/200",
      "Extension/ACME001/hq/201",
      "SipTrunk/ACME001/main",
    ]);
    expect(await list("?kind=SipTrunk")).toEqual(["SipTrunk/ACME001/main"]);
    const other = await f.app.inject({
      method: "GET",
      url: "/v1/tenants/ACME002/resources",
      headers: f.auth(f.tokens.acmeRead),
    });
    expect(other.json().items).toEqual([]);
  });

  it("with ?wait=true reconciles now and answers the live object", async () => {
    f.deps.applyResult = {
      outcome: "done",
      runId: "run-9",
      reason: null,
      live: [
        {
          kind: "Extension",
          key: "Extension/ACME001/hq/202",
          id: "e2",
          spec: { number: "202" },
          owner: null,
        },
        {
          kind: "Extension",
          key: "Extension/ACME001/hq/201",
          id: "e1",
          spec: { number: "201", license: "plus", pin: { sensitive: true } },
          status: { phase: "active", facts: { hasPin: true, meetingId: "m-1" } },
          owner: { source: "acme-api" },
        },
      ],
    };
    const res = await put(extension(), `${url}?wait=true`);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().apply).toEqual({
      outcome: "done",
      runId: "run-9",
      live: {
        kind: "Extension",
        key: "Extension/ACME001/hq/201",
        id: "e1",
        spec: { number: "201", license: "plus", pin: { sensitive: true } },
        status: { phase: "active", facts: { hasPin: true, meetingId: "m-1" } },
        owner: { source: "acme-api" },
      },
      notes: [],
    });
    expect(f.deps.applied).toEqual([{ source: "acme-api", tenant: "ACME001" }]);
    expect(f.deps.triggers).toEqual([]);
  });

  it("a document with problems against the rest of its source is not kept: a new one is removed, a replaced one restored", async () => {
    const place = "api:/v1/tenants/ACME001/resources/Extension/ACME001%2Fhq%2F201";
    expect((await put(extension({ license: "start" }))).statusCode).toBe(201);
    f.deps.problemsOfSource = [
      { file: `${place}#/spec/pin/fromEnv`, text: `${place}#/spec/pin/fromEnv:1:1: the variable is unset` },
      { file: "api:/v1/tenants/ACME001/resources/Pbx/ACME001%2Fother", text: "another resource's problem" },
    ];
    const res = await put(extension({ license: "plus" }), `${url}?wait=true`);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ problems: [`${place}#/spec/pin/fromEnv:1:1: the variable is unset`] });
    expect(res.json().detail).not.toContain("another resource's problem");
    expect(f.deps.applied).toEqual([]);
    const kept = await f.app.inject({ method: "GET", url, headers: f.auth(f.tokens.acmeRead) });
    expect(kept.json().resource.document.spec.license).toBe("start");

    const other = "/v1/tenants/ACME001/resources/Extension/ACME001%2Fhq%2F202";
    f.deps.problemsOfSource = [{ file: place.replace("201", "202"), text: "202: bad" }];
    expect((await put(extension({ number: "202" }), other)).statusCode).toBe(422);
    const gone = await f.app.inject({ method: "GET", url: other, headers: f.auth(f.tokens.acmeRead) });
    expect(gone.statusCode).toBe(404);
  });

  it.each([
    ["terminal", 422],
    ["retry", 503],
  ] as const)(
    "with ?wait=true a %s outcome is a %i problem with the reason and run",
    async (outcome, status) => {
      f.deps.applyResult = { outcome, runId: "run-7", reason: "hq.yaml:4:3: pbx hq not found", live: [] };
      const res = await put(extension(), `${url}?wait=true`);
      expect(res.statusCode).toBe(status);
      expect(res.json()).toMatchObject({ detail: "hq.yaml:4:3: pbx hq not found", runId: "run-7" });
    },
  );

  it.each([
    ["a PIN in clear", extension({ pin: "4321" }), url, "/spec/pin"],
    ["a PIN as a number", extension({ pin: 4321 }), url, "/spec/pin"],
    [
      "a PIN reference with an extra field",
      extension({ pin: { fromEnv: "P", value: "4321" } }),
      url,
      "/spec/pin",
    ],
    [
      "a trunk password in clear",
      trunk("s3cret-4321"),
      "/v1/tenants/ACME001/resources/SipTrunk/ACME001%2Fmain",
      "/spec/password",
    ],
  ])("refuses %s, naming the field and never echoing it", async (_what, doc, target, pointer) => {
    const res = await put(doc, target);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ field: `body${pointer}` });
    expect(res.json().detail).toContain(errClearSecret);
    expect(res.body).not.toMatch(/4321/);
    expect(f.deps.store.resources.size).toBe(0);
    expect(f.deps.store.events).toEqual([]);
  });

  it.each([
    ["a PIN from the environment", extension({ pin: { fromEnv: "PIN_201" } }), url],
    ["a PIN from a file", extension({ pin: { fromFile: "secrets/pin-201.txt" } }), url],
    ["a PIN stored through the API", extension({ pin: { fromSecret: "hq-201-pin" } }), url],
    ["a trunk without password", trunk(undefined), "/v1/tenants/ACME001/resources/SipTrunk/ACME001%2Fmain"],
  ])("accepts %s", async (_what, doc, target) => {
    expect((await put(doc, target)).statusCode).toBe(201);
  });

  it.each([
    ["a kind that differs from the URL", { ...extension(), kind: "Pbx" }, url, "body/kind"],
    [
      "another tenant in the document",
      { ...extension(), metadata: { name: "x", tenant: "ACME002", pbx: "hq" } },
      url,
      "body/metadata/tenant",
    ],
    ["another key in the document", extension({ number: "202" }), url, "body"],
    ["an unknown envelope field", { ...extension(), status: {} }, url, "body"],
  ])("refuses %s", async (_what, doc, target, field) => {
    const res = await put(doc, target);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().field).toBe(field);
    expect(f.deps.store.resources.size).toBe(0);
  });

  it.each([
    ["a license the schema does not know", extension({ license: "gold" }), "body/spec/license"],
    ["an unknown spec field", extension({ colour: "red" }), "body/spec/colour"],
    ["a wrong apiVersion", { ...extension(), apiVersion: "omnia.kalliope.io/v9" }, "body/apiVersion"],
  ])("refuses %s with the loader's message and the field's pointer", async (_what, doc, field) => {
    const res = await put(doc);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().field).toBe(field);
    expect(res.json().detail).toContain(errDocument);
    expect(res.json().problems.length).toBeGreaterThan(0);
    expect(f.deps.store.resources.size).toBe(0);
  });

  it("answers 404 for an unknown kind", async () => {
    const res = await put(extension(), "/v1/tenants/ACME001/resources/Fax/ACME001%2Fx");
    expect(res.statusCode).toBe(404);
  });

  it("deletes a resource: 204 and the tenant queued, then 404", async () => {
    await put(extension());
    f.deps.triggers.length = 0;
    const del = () => f.app.inject({ method: "DELETE", url, headers: f.auth(f.tokens.acmeWrite) });
    expect((await del()).statusCode).toBe(204);
    expect(f.deps.triggers).toEqual([
      { source: "acme-api", tenant: "ACME001", reason: "api", mode: "apply" },
    ]);
    expect((await del()).statusCode).toBe(404);
    const wait = await f.app.inject({
      method: "DELETE",
      url: `${url}?wait=true`,
      headers: f.auth(f.tokens.acmeWrite),
    });
    expect(wait.statusCode).toBe(404);
  });

  it("a resource others still use is not deleted: 409 naming what would break, and it stays declared", async () => {
    await put(extension());
    // The source's problems as the engine would read it: the extension's PBX reference breaks
    // once the resource is gone (found by a fresh user: a PBX deleted under its extensions
    // stopped every tenant of the source).
    let gone = false;
    Object.defineProperty(f.deps, "problemsOfSource", {
      configurable: true,
      get: () =>
        gone ? [{ file: "api:/x", text: "Extension/ACME001/hq/202: PBX 'hq' is not declared" }] : [],
    });
    const realDelete = f.deps.store.deleteStoredResource.bind(f.deps.store);
    f.deps.store.deleteStoredResource = async (source, key) => {
      gone = true;
      return realDelete(source, key);
    };
    const res = await f.app.inject({ method: "DELETE", url, headers: f.auth(f.tokens.acmeWrite) });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json()).toMatchObject({ problems: ["Extension/ACME001/hq/202: PBX 'hq' is not declared"] });
    const kept = await f.app.inject({ method: "GET", url, headers: f.auth(f.tokens.acmeRead) });
    expect(kept.statusCode).toBe(200);
  });

  it("a DELETE ?wait=true whose reconcile fails keeps the resource declared, so a later DELETE tries again", async () => {
    await put(extension());
    f.deps.applyResult = {
      outcome: "terminal",
      runId: "run-3",
      reason: "the platform refused a request",
      live: [],
    };
    const res = await f.app.inject({
      method: "DELETE",
      url: `${url}?wait=true`,
      headers: f.auth(f.tokens.acmeWrite),
    });
    expect(res.statusCode).toBe(422);
    const kept = await f.app.inject({ method: "GET", url, headers: f.auth(f.tokens.acmeRead) });
    expect(kept.statusCode).toBe(200);
  });

  it("answers 404 under another tenant's path", async () => {
    await put(extension());
    const res = await f.app.inject({
      method: "GET",
      url: "/v1/tenants/ACME002/resources/Extension/ACME001%2Fhq%2F201",
      headers: f.auth(f.tokens.acmeRead),
    });
    expect(res.statusCode).toBe(404);
  });

  it("needs an api source: none is 409, several need ?source=, a git source is refused", async () => {
    await f.deps.store.deleteSource("acme-api");
    let res = await put(extension());
    expect({ status: res.statusCode, detail: res.json().detail }).toEqual({
      status: 409,
      detail: errNoApiSource,
    });
    for (const id of ["acme-api", "acme-api2"]) {
      const spec = await f.deps.store.getSource("acme-git");
      if (spec) await f.deps.store.upsertSource({ ...spec, id, location: { type: "api" } });
    }
    res = await put(extension());
    expect({ status: res.statusCode, detail: res.json().detail }).toEqual({
      status: 400,
      detail: `querystring/source: ${errManyApiSources}`,
    });
    res = await put(extension(), `${url}?source=acme-api2`);
    expect(res.statusCode).toBe(201);
    res = await put(extension(), `${url}?source=acme-git`);
    expect({ status: res.statusCode, detail: res.json().detail }).toEqual({
      status: 409,
      detail: errNotApiSource,
    });
  });

  it("plans a tenant, writing nothing, with secrets only as sensitive", async () => {
    const res = await f.app.inject({
      method: "POST",
      url: "/v1/tenants/ACME001/plan?source=acme-git",
      headers: f.auth(f.tokens.acmeRead),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      source: "acme-git",
      revision: "sha256:abc",
      changes: [
        {
          action: "update",
          key: "Extension/ACME001/hq/201",
          diffs: [{ path: "spec.license" }, { path: "spec.pin", sensitive: true }],
        },
      ],
    });
    expect(f.deps.planned).toEqual([{ source: "acme-git", tenant: "ACME001" }]);
    expect(f.deps.triggers).toEqual([]);
    expect(f.deps.store.events).toEqual([]);
  });

  describe("a key another source already manages", () => {
    const owned = (source: string) =>
      f.deps.store.inventory.set("Extension/ACME001/hq/201", {
        key: "Extension/ACME001/hq/201",
        source,
        tenant: "ACME001",
      });

    it.each([
      ["queued", ""],
      ["applied now", "?wait=true"],
    ])(
      "is refused with 409 naming that source and its location; nothing stored, %s or not",
      async (_c, q) => {
        owned("acme-git");
        const res = await put(extension(), `${url}${q}`);
        expect(res.statusCode, res.body).toBe(409);
        expect(res.json()).toMatchObject({
          type: expect.stringMatching(/resource-conflict$/),
          owner: { source: "acme-git", location: "git https://git.example.it/acme/omnia.git branch main" },
        });
        expect(res.json().detail).toBe(
          `${errResourceConflict}: Extension/ACME001/hq/201 is managed by source "acme-git" (git https://git.example.it/acme/omnia.git branch main); remove it there first, or import it into that source instead`,
        );
        expect(f.deps.store.resources.size).toBe(0);
        expect(f.deps.triggers).toEqual([]);
        expect(f.deps.applied).toEqual([]);
        expect(f.deps.store.events).toEqual([]);
      },
    );

    it("is accepted when the owner is the api source itself (a replace)", async () => {
      owned("acme-api");
      expect((await put(extension())).statusCode).toBe(201);
    });
  });
});
