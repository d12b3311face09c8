import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  fixtureWebhookSecret,
  type ServiceFixture,
  serviceFixture,
} from "../../test-support/memory-control.js";
import { errWebhookDelivery, errWebhookReplay, errWebhookSignature } from "../errors.js";
import { githubSignatureValid } from "./webhook.js";

const payload = JSON.stringify({ ref: "refs/heads/main", after: "0123abcd" });
const sign = (secret: string, body: string) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

describe("webhook", () => {
  let f: ServiceFixture;
  beforeEach(async () => {
    f = await serviceFixture();
  });
  afterEach(() => f.app.close());

  const github = (headers: Record<string, string>, body = payload, source = "acme-git") =>
    f.app.inject({
      method: "POST",
      url: `/v1/sources/${source}/webhook`,
      headers: { "content-type": "application/json", "x-github-event": "push", ...headers },
      payload: body,
    });

  it("queues every tenant of the source on a signed GitHub push, and records it", async () => {
    const res = await github({
      "x-hub-signature-256": sign(fixtureWebhookSecret, payload),
      "x-github-delivery": "d-1",
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(f.deps.triggers).toEqual([{ source: "acme-git", tenant: "*", reason: "webhook", mode: "apply" }]);
    expect(f.deps.store.events.at(-1)).toMatchObject({
      type: "api.change",
      partner: "acme",
      actor: "webhook",
      ip: "127.0.0.1",
      data: { action: "webhook.received", provider: "github", delivery: "d-1", event: "push" },
    });
  });

  it("refuses the same delivery twice (replay) with 409, queueing once", async () => {
    const headers = {
      "x-hub-signature-256": sign(fixtureWebhookSecret, payload),
      "x-github-delivery": "d-2",
    };
    expect((await github(headers)).statusCode).toBe(202);
    const again = await github(headers);
    expect({ status: again.statusCode, detail: again.json().detail }).toEqual({
      status: 409,
      detail: errWebhookReplay,
    });
    expect(f.deps.triggers).toHaveLength(1);
  });

  it.each([
    ["another secret", sign("not-the-secret", payload), payload],
    ["a body changed after signing", sign(fixtureWebhookSecret, payload), payload.replace("main", "evil")],
    ["a truncated signature", sign(fixtureWebhookSecret, payload).slice(0, 40), payload],
    ["no sha256= prefix", sign(fixtureWebhookSecret, payload).slice(7), payload],
  ])("refuses %s with 401 and records no delivery", async (_what, signature, body) => {
    const res = await github({ "x-hub-signature-256": signature, "x-github-delivery": "d-3" }, body);
    expect({ status: res.statusCode, detail: res.json().detail }).toEqual({
      status: 401,
      detail: errWebhookSignature,
    });
    expect(f.deps.triggers).toEqual([]);
    expect(f.deps.store.deliveries.size).toBe(0);
  });

  it("refuses a request with neither signature nor token", async () => {
    const res = await github({ "x-github-delivery": "d-4" });
    expect(res.statusCode).toBe(401);
  });

  it("refuses a signed request without a delivery id", async () => {
    const res = await github({ "x-hub-signature-256": sign(fixtureWebhookSecret, payload) });
    expect({ status: res.statusCode, detail: res.json().detail }).toEqual({
      status: 400,
      detail: `headers: ${errWebhookDelivery}`,
    });
  });

  it("answers a GitHub ping without queueing anything", async () => {
    const res = await github({
      "x-github-event": "ping",
      "x-hub-signature-256": sign(fixtureWebhookSecret, payload),
      "x-github-delivery": "d-5",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ triggered: false });
    expect(f.deps.triggers).toEqual([]);
  });

  it("accepts GitLab's token and event UUID, refuses a wrong token and a replayed UUID", async () => {
    const gitlab = (token: string, uuid: string) =>
      f.app.inject({
        method: "POST",
        url: "/v1/sources/acme-git/webhook",
        headers: { "content-type": "application/json", "x-gitlab-token": token, "x-gitlab-event-uuid": uuid },
        payload,
      });
    expect((await gitlab("wrong", "u-1")).statusCode).toBe(401);
    expect((await gitlab(fixtureWebhookSecret, "u-1")).statusCode).toBe(202);
    expect((await gitlab(fixtureWebhookSecret, "u-1")).statusCode).toBe(409);
    expect(f.deps.triggers).toHaveLength(1);
  });

  it("verifies the raw bytes, whatever the content type", async () => {
    const form = `payload=${encodeURIComponent(payload)}`;
    const res = await f.app.inject({
      method: "POST",
      url: "/v1/sources/acme-git/webhook",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-hub-signature-256": sign(fixtureWebhookSecret, form),
        "x-github-delivery": "d-6",
      },
      payload: form,
    });
    expect(res.statusCode).toBe(202);
  });

  it("answers 404 alike for an unknown source and a source without a webhook secret", async () => {
    const apiSource = await github(
      { "x-hub-signature-256": sign("x", payload), "x-github-delivery": "d-7" },
      payload,
      "acme-api",
    );
    const unknown = await github(
      { "x-hub-signature-256": sign("x", payload), "x-github-delivery": "d-7" },
      payload,
      "nope",
    );
    expect([apiSource.statusCode, unknown.statusCode]).toEqual([404, 404]);
    expect(apiSource.json().detail).toBe(unknown.json().detail);
  });

  it("answers 500 without the reason when the secret cannot be read", async () => {
    f.deps.secrets.delete("OMNIA_SECRET_ACME_HOOK");
    const res = await github({ "x-hub-signature-256": sign("x", payload), "x-github-delivery": "d-8" });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("OMNIA_SECRET");
  });

  it("accepts exactly the signature of the same secret over the same bytes", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        (bytes, k, other) => {
          const body = Buffer.from(bytes);
          const sig = `sha256=${createHmac("sha256", k).update(body).digest("hex")}`;
          expect(githubSignatureValid(k, body, sig)).toBe(true);
          if (other !== k) expect(githubSignatureValid(other, body, sig)).toBe(false);
          expect(githubSignatureValid(k, Buffer.concat([body, Buffer.from([0])]), sig)).toBe(false);
        },
      ),
    );
  });
});
