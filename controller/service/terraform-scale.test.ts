/**
 * Issue 11, what a Terraform run costs and asks of the controller at scale, through the
 * real service (`startControllerService`, embedded PGlite) over the stand-in, with partner
 * `demo`'s api source `demo-api` (prune on, as the provider's users run it):
 *
 * - a refresh of N objects of one tenant, N live reads at once, costs the platform what one
 *   observe of the tenant costs, not N observes (the controller's single flight), and the
 *   list route `GET /v1/tenants/{tenant}/live` costs the same;
 * - `terraform destroy` of a whole tenant, one `DELETE ?wait=true` per resource, is not
 *   refused by the mass-delete guard (explicit deletes; the guard stays for folders);
 * - a PUT whose documents do not load answers 422 naming each problem's place and message,
 *   never a secret's value.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStandin, type TestStandin } from "../../platform/standin/testing.js";
import type { ControllerConfig } from "../runtime/controller-config.js";
import { defaultPolicies } from "./routes/sources.js";
import { type RunningController, startControllerService } from "./serve.js";
import { newToken } from "./tokens.js";

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field with matchers
type Json = any;

const tenant = "SCALE01";
const extensions = 24;
const token = newToken();
let standin: TestStandin;
let controller: RunningController;
let root: string;

const doc = (kind: string, metadata: Record<string, unknown>, spec: Record<string, unknown>) => ({
  apiVersion: "omnia.kalliope.io/v1",
  kind,
  metadata,
  spec,
});
const numberOf = (i: number) => String(300 + i);
const extensionDoc = (n: string, pin: Record<string, string> = { fromEnv: "OMNIA_SECRET_DEMO_PIN" }) =>
  doc("Extension", { name: `hq-${n}`, tenant, pbx: "hq" }, { number: n, license: "start", pin });

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${controller.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as Json, text };
}

/** The stand-in's GETs (observe's reads) made while `run` runs. */
async function platformReads(run: () => Promise<unknown>): Promise<number> {
  const gets = () =>
    Object.entries(standin.stats.byRoute)
      .filter(([route]) => route.startsWith("GET "))
      .reduce((n, [, c]) => n + c, 0);
  const before = gets();
  await run();
  return gets() - before;
}

const customerOf = (code: string) =>
  [...standin.state.customers.values()].find((c) => c.customerCode === code);

beforeAll(async () => {
  standin = await startTestStandin();
  root = await mkdtemp(join(tmpdir(), "omnia-tf-scale-"));
  const account = {
    url: standin.url,
    domain: standin.settings.domain,
    username: standin.settings.username,
    password: { fromEnv: "OMNIA_SECRET_PLATFORM_PASSWORD" },
  };
  const policies = { ...defaultPolicies, prune: true, intervalMs: 600_000, driftIntervalMs: 600_000 };
  const config: ControllerConfig = {
    file: "(test)",
    listen: { host: "127.0.0.1", port: 0 },
    state: { dir: join(root, "state") },
    git: { allowedProtocols: ["https"] },
    sources: [{ id: "demo-api", partner: "demo", location: { type: "api" }, account, policies }],
    tokens: [{ name: "tf", partner: "demo", scopes: ["write"], secret: { fromEnv: "OMNIA_SECRET_TOKEN" } }],
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OMNIA_SECRET_PLATFORM_PASSWORD: standin.settings.password,
    OMNIA_SECRET_TOKEN: token,
    OMNIA_SECRET_DEMO_PIN: "583927",
  };
  delete env.DATABASE_URL;
  delete env.OMNIA_SECRET_KEY;
  delete env.OMNIA_SECRET_KEY_FILE;
  controller = await startControllerService({
    config,
    env,
    logger: pino({ level: "silent" }),
    scheduler: { pollMs: 50 },
  });
  const puts: [string, unknown][] = [
    [
      "Tenant/SCALE01",
      doc(
        "Tenant",
        { name: "scale01" },
        {
          businessName: "Scale S.r.l.",
          customerCode: tenant,
          vatNumber: "08712340150",
          fiscalCode: "08712340150",
        },
      ),
    ],
    ["Pbx/SCALE01%2Fhq", doc("Pbx", { name: "hq", tenant }, { kind: "single" })],
  ];
  // As the provider does: one PUT with ?wait=true per resource (a PUT without it queues a
  // run that the next PUT's reconcile would meet holding the tenant).
  for (let i = 0; i < extensions; i++)
    puts.push([`Extension/SCALE01%2Fhq%2F${numberOf(i)}`, extensionDoc(numberOf(i))]);
  for (const [path, body] of puts) {
    const res = await api("PUT", `/v1/tenants/${tenant}/resources/${path}?wait=true`, body);
    expect(res.status, res.text).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  await controller?.close({ graceMs: 0 });
  await standin?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe("Terraform at scale through the controller", () => {
  it("reads N objects of a tenant at once for the cost of one observe", async () => {
    const listed = await api("GET", `/v1/tenants/${tenant}/live?kind=Extension`);
    expect(listed.status, listed.text).toBe(200);
    expect(listed.json.items).toHaveLength(extensions);
    const one = await platformReads(() => api("GET", `/v1/tenants/${tenant}/live`));
    expect(one).toBeGreaterThan(0);
    // Latency makes the observe outlast the arrival of every request, as in a real refresh.
    standin.knobs.latencyMs = 40;
    try {
      let answers: { status: number; json: Json }[] = [];
      const many = await platformReads(async () => {
        answers = await Promise.all(
          Array.from({ length: extensions }, (_, i) =>
            api("GET", `/v1/tenants/${tenant}/live/Extension/${tenant}%2Fhq%2F${numberOf(i)}`),
          ),
        );
      });
      expect(answers.map((a) => a.status)).toEqual(Array(extensions).fill(200));
      expect(answers.map((a) => a.json.spec.number)).toEqual(
        Array.from({ length: extensions }, (_, i) => numberOf(i)),
      );
      expect(answers[0]?.json.owner).toEqual({ source: "demo-api" });
      expect(many, `${extensions} concurrent reads cost ${many} platform reads, one observe ${one}`).toBe(
        one,
      );
    } finally {
      standin.knobs.latencyMs = 0;
    }
    // Nothing is kept after the read: a hand edit shows in the next one.
    const ext = [...standin.state.extensions.values()].find(
      (x) => x.customerId === customerOf(tenant)?.id && String(x.number) === numberOf(0),
    );
    if (!ext) throw new Error("extension not on the stand-in");
    ext.license = "plus";
    const after = await api("GET", `/v1/tenants/${tenant}/live/Extension/${tenant}%2Fhq%2F${numberOf(0)}`);
    expect(after.json.spec.license).toBe("plus");
  });

  it("answers a reconcile whose documents do not load with each problem's place and message, no secret value", async () => {
    // Extension 398 names a stored secret; the secret is deleted afterwards, so the source no
    // longer loads. The next PUT (its own document fine) meets that at its reconcile.
    const secretValue = "918273";
    expect((await api("PUT", `/v1/tenants/${tenant}/secrets/pin-398`, { value: secretValue })).status).toBe(
      201,
    );
    const path398 = `/v1/tenants/${tenant}/resources/Extension/SCALE01%2Fhq%2F398`;
    const put398 = await api("PUT", `${path398}?wait=true`, extensionDoc("398", { fromSecret: "pin-398" }));
    expect(put398.status, put398.text).toBe(201);
    expect((await api("DELETE", `/v1/tenants/${tenant}/secrets/pin-398`)).status).toBe(204);
    const res = await api(
      "PUT",
      `/v1/tenants/${tenant}/resources/Extension/SCALE01%2Fhq%2F399?wait=true`,
      extensionDoc("399"),
    );
    expect(res.status, res.text).toBe(422);
    const place = `api:/v1/tenants/${tenant}/resources/Extension/SCALE01%2Fhq%2F398#/spec/pin/fromSecret`;
    expect(res.json.problems).toEqual([
      expect.stringMatching(new RegExp(`^${place.replaceAll(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: .*pin-398`)),
    ]);
    expect(res.json.detail).toContain(res.json.problems[0]);
    expect(res.text).not.toContain(secretValue);
    // Taken back, the source loads again.
    for (const path of [path398, `/v1/tenants/${tenant}/resources/Extension/SCALE01%2Fhq%2F399`])
      expect((await api("DELETE", `${path}?wait=true`)).status).toBe(204);
  });

  it("destroys every resource of the tenant, one DELETE at a time, past the mass-delete guard", async () => {
    const paths = [
      ...Array.from({ length: extensions }, (_, i) => `Extension/SCALE01%2Fhq%2F${numberOf(i)}`),
      "Pbx/SCALE01%2Fhq",
      "Tenant/SCALE01",
    ];
    for (const path of paths) {
      const res = await api("DELETE", `/v1/tenants/${tenant}/resources/${path}?wait=true`);
      expect(res.status, `${path}: ${res.text}`).toBe(204);
    }
    expect(customerOf(tenant)).toBeUndefined();
    const inventory = await controller.store.listInventory({ tenants: [tenant] });
    expect(inventory).toEqual([]);
  }, 120_000);
});
