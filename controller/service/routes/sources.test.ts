import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ServiceFixture, serviceFixture } from "../../test-support/memory-control.js";
import {
  errLocationRefused,
  errPlatformUrlRefused,
  errSecretRefRefused,
  errSourceIdTaken,
} from "../errors.js";
import { defaultPolicies, defaultSecretRefProblem, gitScheme, partnerSecretPrefix } from "./sources.js";

const body = (over: Record<string, unknown> = {}) => ({
  location: { type: "git", url: "https://git.example.it/acme/new.git" },
  account: {
    url: "https://omnia.example.it",
    domain: "acme",
    username: "api",
    password: { fromEnv: "OMNIA_SECRET_ACME_NEW" },
  },
  ...over,
});

describe("source routes", () => {
  let f: ServiceFixture;
  beforeEach(async () => {
    f = await serviceFixture();
  });
  afterEach(() => f.app.close());

  const put = (id: string, payload: unknown, token = f.tokens.acmeAdmin) =>
    f.app.inject({
      method: "PUT",
      url: `/v1/sources/${id}`,
      headers: f.auth(token),
      payload: payload as object,
    });

  it("lists only the token's partner's sources", async () => {
    const res = await f.app.inject({ method: "GET", url: "/v1/sources", headers: f.auth(f.tokens.acmeRead) });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((s: { id: string }) => s.id)).toEqual(["acme-api", "acme-git"]);
  });

  it("creates a source with default policies and the main branch, then replaces it keeping createdAt", async () => {
    const created = await put("acme-new", body());
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      id: "acme-new",
      partner: "acme",
      location: { type: "git", url: "https://git.example.it/acme/new.git", branch: "main" },
      policies: defaultPolicies,
      lastRevision: null,
      problems: [],
    });
    const replaced = await put("acme-new", body({ policies: { prune: true } }));
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().policies).toEqual({ ...defaultPolicies, prune: true });
    expect(replaced.json().createdAt).toBe(created.json().createdAt);
  });

  it("records each change as api.change with the token's name and id and the client address", async () => {
    await put("acme-new", body());
    await f.app.inject({
      method: "DELETE",
      url: "/v1/sources/acme-new",
      headers: f.auth(f.tokens.acmeAdmin),
    });
    const admin = [...f.deps.store.tokens.values()].find((t) => t.name === "acme-admin");
    const changes = f.deps.store.events.filter((e) => e.type === "api.change");
    expect(
      changes.map((e) => ({ action: e.data.action, actor: e.actor, ip: e.ip, source: e.source })),
    ).toEqual([
      { action: "source.created", actor: `acme-admin (${admin?.id})`, ip: "127.0.0.1", source: "acme-new" },
      { action: "source.deleted", actor: `acme-admin (${admin?.id})`, ip: "127.0.0.1", source: "acme-new" },
    ]);
    expect(changes.every((e) => e.partner === "acme")).toBe(true);
  });

  it("deletes a source: 204, then 404", async () => {
    const del = () =>
      f.app.inject({ method: "DELETE", url: "/v1/sources/acme-git", headers: f.auth(f.tokens.acmeAdmin) });
    expect((await del()).statusCode).toBe(204);
    expect((await del()).statusCode).toBe(404);
    expect(f.deps.store.sources.has("acme-git")).toBe(false);
  });

  it("refuses another partner's id without saying whose it is", async () => {
    const res = await put("other-git", body());
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toBe(errSourceIdTaken);
    expect(f.deps.store.sources.get("other-git")?.partner).toBe("other");
  });

  it.each([
    [
      "a folder of the controller's host",
      { location: { type: "folder", path: "/etc" } },
      "body/location",
      errLocationRefused,
    ],
    [
      "a git URL over file://",
      { location: { type: "git", url: "file:///var/lib/omnia" } },
      "body/location/url",
      errLocationRefused,
    ],
    [
      "a password from a file of the controller",
      { account: { ...body().account, password: { fromFile: "/root/.ssh/id_rsa" } } },
      "body/account/password",
      errSecretRefRefused,
    ],
    [
      "a password from the controller's own settings",
      { account: { ...body().account, password: { fromEnv: "DATABASE_URL" } } },
      "body/account/password",
      errSecretRefRefused,
    ],
    [
      "another partner's secret variable (its platform password)",
      { account: { ...body().account, password: { fromEnv: "OMNIA_SECRET_OTHER_PASSWORD" } } },
      "body/account/password",
      errSecretRefRefused,
    ],
    [
      "a variable outside every partner's namespace",
      { account: { ...body().account, password: { fromEnv: "OMNIA_SECRET_X" } } },
      "body/account/password",
      errSecretRefRefused,
    ],
    [
      "the namespace's bare prefix",
      { account: { ...body().account, password: { fromEnv: "OMNIA_SECRET_ACME_" } } },
      "body/account/password",
      errSecretRefRefused,
    ],
    [
      "a platform URL that is not https (the controller would call it with the password)",
      { account: { ...body().account, url: "http://169.254.169.254/latest" } },
      "body/account/url",
      errPlatformUrlRefused,
    ],
    [
      "a webhook secret from a file",
      { webhookSecret: { fromFile: "x" } },
      "body/webhookSecret",
      errSecretRefRefused,
    ],
  ])("refuses %s, naming the field", async (_what, over, field, text) => {
    const res = await put("acme-new", body(over));
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ field });
    expect(res.json().detail).toContain(text);
    expect(f.deps.store.sources.has("acme-new")).toBe(false);
  });

  it.each([
    ["an unknown field", { extra: 1 }, "body"],
    ["a clear password", { account: { ...body().account, password: "hunter2" } }, "body/account/password"],
    ["no account", { account: undefined }, "body"],
  ])("refuses %s through the schema, naming where", async (_what, over, where) => {
    const res = await put("acme-new", body(over));
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().field).toContain(where);
    expect(res.body).not.toContain("hunter2");
  });

  it("accepts only the operator's platform URLs when it lists them", async () => {
    await f.app.close();
    f = await serviceFixture({ sourcePolicy: { platformUrls: ["https://omnia.example.it/"] } });
    expect((await put("acme-new", body())).statusCode).toBe(201);
    const res = await put(
      "acme-two",
      body({ account: { ...body().account, url: "https://omnia.evil.example" } }),
    );
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().detail).toContain("allowed: https://omnia.example.it");
  });

  it.each([
    ["acme", "OMNIA_SECRET_ACME_"],
    ["acme-tlc", "OMNIA_SECRET_ACME_TLC_"],
    ["Demo.2", "OMNIA_SECRET_DEMO_2_"],
  ])("the secret namespace of partner %s is %s", (partner, prefix) => {
    expect(partnerSecretPrefix(partner)).toBe(prefix);
    expect(defaultSecretRefProblem(partner, { fromEnv: `${prefix}PASSWORD` })).toBeNull();
    expect(defaultSecretRefProblem(partner, { fromEnv: "OMNIA_SECRET_OTHER_PASSWORD" })).toContain(prefix);
  });

  it("accepts a folder source when the operator allows it", async () => {
    await f.app.close();
    f = await serviceFixture({ sourcePolicy: { allowFolderSources: true } });
    const res = await put("acme-dir", body({ location: { type: "folder", path: "/srv/acme" } }));
    expect(res.statusCode, res.body).toBe(201);
  });

  it.each([
    ["https://git.example.it/a.git", "https"],
    ["ssh://git@git.example.it/a.git", "ssh"],
    ["git@github.com:acme/omnia.git", "ssh"],
    ["file:///srv/a", "file"],
    ["/srv/a", undefined],
    ["ext::sh -c touch% /tmp/pwned", undefined],
  ])("the scheme of %s is %s", (url, scheme) => {
    expect(gitScheme(url)).toBe(scheme);
  });
});
