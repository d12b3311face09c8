/**
 * The provider block: its schema, the environment fallbacks, validation naming both the
 * attribute and its variable, a token never shown, and the resource and data source types
 * the provider serves.
 */
import { describe, expect, it } from "vitest";
import { terraformKinds } from "../../controller/model/terraform.js";
import { type CallContext, type TfObject, unknown } from "../plugin/contract.js";
import { createKalliopeProvider, errControllerUrl, errSettingMissing, errTokenShape } from "./index.js";
import { errImportFormat, errStateVersion } from "./resource.js";

const ctx: CallContext = { signal: new AbortController().signal, writeOnlyAllowed: true };
const token = `omn_${"A".repeat(43)}`;
const block = (set: TfObject): TfObject => ({ controller_url: null, token: null, source: null, ...set });

describe("createKalliopeProvider", () => {
  it("serves the six resource types and the two data sources", () => {
    const p = createKalliopeProvider({ env: {} });
    expect(p.resources.map((r) => r.name).sort()).toEqual(
      Object.values(terraformKinds)
        .map((k) => k.typeName)
        .sort(),
    );
    expect(p.dataSources.map((d) => d.name)).toEqual(["kalliope_tenant", "kalliope_pbx"]);
    expect(p.schema.block.attributes.map((a) => [a.name, a.sensitive ?? false, a.optional])).toEqual([
      ["controller_url", false, true],
      ["token", true, true],
      ["source", false, true],
    ]);
  });

  it.each([
    ["nothing set", {}, {}, ["controller_url", "token"]],
    ["the URL only", { controller_url: "http://127.0.0.1:8080" }, {}, ["token"]],
    [
      "both from the environment",
      {},
      { OMNIA_CONTROLLER_URL: "https://c.example.it", OMNIA_TOKEN: token },
      [],
    ],
    [
      "the attribute over an empty variable",
      { token },
      { OMNIA_CONTROLLER_URL: "https://c.example.it", OMNIA_TOKEN: "" },
      [],
    ],
  ] as const)(
    "%s: missing settings name the attribute and the variable",
    async (_what, set, env, missing) => {
      const got = await createKalliopeProvider({ env }).validateConfig(block(set), ctx);
      expect(got.map((d) => d.attribute)).toEqual(missing.map((m) => [{ attribute: m }]));
      for (const d of got) {
        expect(d.summary).toContain(errSettingMissing);
        const variable = d.attribute?.[0] && "attribute" in d.attribute[0] ? d.attribute[0].attribute : "";
        expect(d.detail).toContain(variable === "token" ? "OMNIA_TOKEN" : "OMNIA_CONTROLLER_URL");
      }
    },
  );

  it.each(["ftp://c.example.it", "c.example.it", "not a url"])(
    "refuses the controller URL %j",
    async (url) => {
      const got = await createKalliopeProvider({ env: {} }).validateConfig(
        block({ controller_url: url, token }),
        ctx,
      );
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ attribute: [{ attribute: "controller_url" }] });
      expect(got[0]?.summary).toContain(errControllerUrl);
    },
  );

  it("refuses a token of the wrong shape without showing it", async () => {
    const secret = "my-password-not-a-token";
    const got = await createKalliopeProvider({ env: {} }).validateConfig(
      block({ controller_url: "https://c.example.it", token: secret }),
      ctx,
    );
    expect(got).toHaveLength(1);
    expect(got[0]?.summary).toContain(errTokenShape);
    expect(JSON.stringify(got)).not.toContain(secret);
  });

  it("an unknown value validates, but cannot configure", async () => {
    const p = createKalliopeProvider({ env: {} });
    expect(await p.validateConfig(block({ controller_url: unknown, token }), ctx)).toEqual([]);
    const got = await p.configure(block({ controller_url: unknown, token }), ctx);
    expect(got.map((d) => d.attribute)).toEqual([[{ attribute: "controller_url" }]]);
  });

  it.each([
    {
      controller: "with the live list route",
      list: () => Response.json({ items: [] }),
      urls: ["http://127.0.0.1:9/v1/tenants/ACME001/live?source=acme-tf"],
    },
    {
      controller: "older, without it",
      list: () =>
        Response.json(
          { title: "Not Found", status: 404, detail: "no route GET /v1/tenants/ACME001/live" },
          { status: 404 },
        ),
      urls: [
        "http://127.0.0.1:9/v1/tenants/ACME001/live?source=acme-tf",
        "http://127.0.0.1:9/v1/tenants/ACME001/live/Pbx/ACME001%2Fhq?source=acme-tf",
      ],
    },
  ])(
    "configure with the environment sends the token as a Bearer to the URL, and ?source= (controller $controller)",
    async ({ list, urls }) => {
      const seen: { url: string; auth: string | undefined }[] = [];
      const p = createKalliopeProvider({
        env: { OMNIA_CONTROLLER_URL: "http://127.0.0.1:9/", OMNIA_TOKEN: token, OMNIA_SOURCE: "acme-tf" },
        fetch: async (url, init) => {
          seen.push({ url, auth: (init.headers as Record<string, string>).authorization });
          if (url.includes("/live?")) return list();
          return new Response(JSON.stringify({ title: "Not Found", status: 404 }), { status: 404 });
        },
      });
      expect(await p.configure(block({}), ctx)).toEqual([]);
      const r = p.resources.find((x) => x.name === "kalliope_pbx");
      const read = await r?.read({ id: "ACME001/hq" }, new Uint8Array(), ctx);
      // The live object is absent: the state is null, so Terraform plans a create.
      expect(read).toEqual({ newState: null, diagnostics: [] });
      expect(seen).toEqual(urls.map((url) => ({ url, auth: `Bearer ${token}` })));
    },
  );

  it.each(Object.values(terraformKinds).map((k) => [k.typeName, k.idFormat] as const))(
    "%s: an import id of the wrong shape names the format %s, before any call",
    async (typeName, format) => {
      const p = createKalliopeProvider({ env: {} });
      const got = await p.resources.find((r) => r.name === typeName)?.import("a/b/c/d", ctx);
      expect(got?.state).toBeNull();
      expect(got?.diagnostics[0]).toMatchObject({ severity: "error", summary: errImportFormat });
      expect(got?.diagnostics[0]?.detail).toContain(format);
    },
  );

  it("upgrade: a state of this version passes through; a newer one is refused", async () => {
    const r = createKalliopeProvider({ env: {} }).resources.find((x) => x.name === "kalliope_pbx");
    const stored = { id: "ACME001/hq", name: "hq", tenant: "ACME001", kind: "single", platform_id: "p1" };
    const same = await r?.upgrade(0, stored, ctx);
    expect(same?.diagnostics).toEqual([]);
    expect(same?.state).toMatchObject(stored);
    const newer = await r?.upgrade(1, stored, ctx);
    expect(newer?.state).toBeNull();
    expect(newer?.diagnostics[0]).toMatchObject({ summary: errStateVersion });
  });

  it.each([
    ["kalliope_tenant", ["customer_code"]],
    ["kalliope_pbx", ["name", "tenant"]],
  ])(
    "data source %s: the lookup keys are required, every other attribute computed, no document-only ones",
    (name, keys) => {
      const d = createKalliopeProvider({ env: {} }).dataSources.find((x) => x.name === name);
      const attrs = d?.schema.block.attributes ?? [];
      expect(attrs.filter((a) => a.required).map((a) => a.name)).toEqual(keys);
      for (const a of attrs.filter((x) => !keys.includes(x.name)))
        expect([a.name, a.computed, a.optional]).toEqual([a.name, true, undefined]);
      for (const gone of ["labels", "deletion_policy", "drift_mode", "ignore"])
        expect(attrs.map((a) => a.name)).not.toContain(gone);
      expect(attrs.map((a) => a.name)).toEqual(
        expect.arrayContaining(["id", "platform_id", "platform_status"]),
      );
    },
  );

  it("a data source without its lookup key is an error at that attribute", async () => {
    const d = createKalliopeProvider({ env: {} }).dataSources.find((x) => x.name === "kalliope_pbx");
    const config = Object.fromEntries((d?.schema.block.attributes ?? []).map((a) => [a.name, null]));
    const got = await d?.validate({ ...config, tenant: "ACME001" }, ctx);
    expect(got?.map((x) => x.attribute)).toEqual([[{ attribute: "name" }]]);
  });
});
