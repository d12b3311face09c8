/**
 * Issue 11, the controller's side of Terraform, end to end: the controller in-process
 * (`startControllerService`, embedded PGlite) over the stand-in, with partner `demo`'s two
 * sources, `demo-api` (written through the API, as the Terraform provider does) and
 * `demo-yaml` (a folder of manifests).
 *
 * - A PIN stored through `PUT .../secrets/{name}` reaches the platform through a
 *   `{fromSecret}` reference, and is in clear nowhere: not in the database, not in answers.
 * - `PUT ...?wait=true` and `GET .../live/...` answer the live object with the PIN as a
 *   marker and the owning source; the live read also serves a key no source declares.
 * - Two claimants of one key: the API's PUT of a key the folder owns is a 409 naming the
 *   folder, storing and queuing nothing; the folder declaring a key the API owns ends its
 *   run Failed, naming the api source, and the platform keeps the API's values.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OmniaClient } from "../../platform/client/index.js";
import { startTestStandin, type TestStandin } from "../../platform/standin/testing.js";
import type { TenantStatus } from "../model/control.js";
import type { ControllerConfig } from "../runtime/controller-config.js";
import { errResourceConflict } from "./errors.js";
import { defaultPolicies } from "./routes/sources.js";
import { type RunningController, startControllerService } from "./serve.js";
import { newToken } from "./tokens.js";

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field with matchers
type Json = any;

const made: string[] = [];
async function temp(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

const pin = "583927";
const token = newToken();
let standin: TestStandin;
let controller: RunningController;
let folder: string;
let stateDir: string;

const doc = (kind: string, metadata: Record<string, unknown>, spec: Record<string, unknown>) => ({
  apiVersion: "omnia.kalliope.io/v1",
  kind,
  metadata,
  spec,
});
const apiTenant = doc(
  "Tenant",
  { name: "api001" },
  { businessName: "Api S.r.l.", customerCode: "API001", vatNumber: "08712340150", fiscalCode: "08712340150" },
);
const apiPbx = doc("Pbx", { name: "hq", tenant: "API001" }, { kind: "single" });
const apiExtension = doc(
  "Extension",
  { name: "hq-201", tenant: "API001", pbx: "hq" },
  { number: "201", license: "plus", pin: { fromSecret: "hq-201-pin" } },
);

/** A call of the controller API with the partner's token. */
async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Json; text: string }> {
  const res = await fetch(`${controller.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, text };
}

/** Polls a source's tenant status until `done` holds (or 60 s passed). */
async function until(source: string, tenant: string, done: (s: TenantStatus) => boolean) {
  const deadline = Date.now() + 60_000;
  let last: TenantStatus | undefined;
  while (Date.now() < deadline) {
    const res = await api("GET", `/v1/sources/${source}/tenants/${tenant}`);
    if (res.status === 200) {
      last = res.json.status as TenantStatus;
      if (done(last)) return last;
    }
    await sleep(100);
  }
  return last;
}

const customerOf = (code: string) =>
  [...standin.state.customers.values()].find((c) => c.customerCode === code);

/** Every file under `dir`, as bytes (the embedded database's files). */
async function filesUnder(dir: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(await readFile(join(entry.parentPath, entry.name)));
  }
  return out;
}

beforeAll(async () => {
  standin = await startTestStandin();
  folder = await temp("omnia-tf-yaml-");
  await writeFile(
    join(folder, "fold.yaml"),
    `apiVersion: omnia.kalliope.io/v1
kind: Tenant
metadata: {name: fold}
spec: {businessName: Fold S.p.A., customerCode: FOLD001, vatNumber: "01987650031", fiscalCode: "CNTMRC72C14H501E"}
---
apiVersion: omnia.kalliope.io/v1
kind: Pbx
metadata: {name: hq, tenant: FOLD001}
spec: {kind: single}
`,
  );
  stateDir = join(await temp("omnia-tf-state-"), "state");
  const account = {
    url: standin.url,
    domain: standin.settings.domain,
    username: standin.settings.username,
    password: { fromEnv: "OMNIA_SECRET_PLATFORM_PASSWORD" },
  };
  const policies = { ...defaultPolicies, intervalMs: 600_000, driftIntervalMs: 600_000 };
  const config: ControllerConfig = {
    file: "(test)",
    listen: { host: "127.0.0.1", port: 0 },
    state: { dir: stateDir },
    git: { allowedProtocols: ["https"] },
    sources: [
      { id: "demo-api", partner: "demo", location: { type: "api" }, account, policies },
      { id: "demo-yaml", partner: "demo", location: { type: "folder", path: folder }, account, policies },
    ],
    tokens: [{ name: "tf", partner: "demo", scopes: ["write"], secret: { fromEnv: "OMNIA_SECRET_TOKEN" } }],
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OMNIA_SECRET_PLATFORM_PASSWORD: standin.settings.password,
    OMNIA_SECRET_TOKEN: token,
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
});

afterAll(async () => {
  await controller?.close({ graceMs: 0 });
  await standin?.close();
  await Promise.all(made.map((d) => rm(d, { recursive: true, force: true })));
});

describe("Terraform's way in, end to end", () => {
  it("applies an extension whose PIN was stored through the API, and answers it live with markers only", async () => {
    const stored = await api("PUT", "/v1/tenants/API001/secrets/hq-201-pin", { value: pin });
    expect(stored.status, stored.text).toBe(201);
    // As the provider does: one PUT with ?wait=true per resource, in dependency order.
    for (const [path, body] of [
      ["Tenant/API001", apiTenant],
      ["Pbx/API001%2Fhq", apiPbx],
    ] as const) {
      const res = await api("PUT", `/v1/tenants/API001/resources/${path}?wait=true`, body);
      expect(res.status, res.text).toBe(201);
    }
    const put = await api(
      "PUT",
      "/v1/tenants/API001/resources/Extension/API001%2Fhq%2F201?wait=true",
      apiExtension,
    );
    expect(put.status, put.text).toBe(201);
    expect(put.json.apply).toMatchObject({
      outcome: "done",
      live: {
        kind: "Extension",
        key: "Extension/API001/hq/201",
        spec: { number: "201", license: "plus", pin: { sensitive: true } },
        status: { phase: "active", facts: { hasPin: true } },
        owner: { source: "demo-api" },
      },
    });
    const customer = customerOf("API001");
    const ext = [...standin.state.extensions.values()].find((e) => e.customerId === customer?.id);
    expect(ext?.pinHash.split(":")).toHaveLength(2);
    const [salt, hash] = (ext?.pinHash ?? ":").split(":");
    const { createHash } = await import("node:crypto");
    expect(
      createHash("sha256").update(`${salt}:${pin}`).digest("hex"),
      "the platform got the stored PIN",
    ).toBe(hash);

    const live = await api("GET", "/v1/tenants/API001/live/Extension/API001%2Fhq%2F201");
    expect(live.status, live.text).toBe(200);
    expect(live.json).toEqual(put.json.apply.live);

    // A key no source declares: an extension made by hand on the platform.
    const client = new OmniaClient(standin.settings, { requestsPerSecond: 1000, burst: 1000, maxRetries: 1 });
    try {
      const pbx = [...standin.state.pbxs.values()].find((p) => p.customerId === customer?.id);
      await client
        .extensions(customer?.id ?? "")
        .create(pbx?.id ?? "", { number: "299", pin: "4711", license: "start" });
    } finally {
      await client.close();
    }
    const byHand = await api("GET", "/v1/tenants/API001/live/Extension/API001%2Fhq%2F299");
    expect(byHand.status, byHand.text).toBe(200);
    expect(byHand.json).toMatchObject({ spec: { number: "299", pin: { sensitive: true } }, owner: null });
    expect((await api("GET", "/v1/tenants/API001/live/Extension/API001%2Fhq%2F298")).status).toBe(404);

    const everything = [
      stored.text,
      put.text,
      live.text,
      (await api("GET", "/v1/tenants/API001/secrets")).text,
    ];
    for (const text of everything) expect(text).not.toContain(pin);
    const events = await controller.store.listEvents({ partner: "demo" });
    expect(JSON.stringify(events)).not.toContain(pin);
    for (const file of await filesUnder(stateDir))
      expect(file.includes(Buffer.from(pin)), "PIN in a state file").toBe(false);
  });

  it("refuses the API's PUT of a key the folder owns with 409 naming the folder; nothing stored or queued", async () => {
    const owned = await until("demo-yaml", "FOLD001", (s) => s.phase === "InSync");
    expect(owned?.phase, JSON.stringify(owned)).toBe("InSync");
    const before = await controller.store.listStoredResources("demo-api");
    const put = await api(
      "PUT",
      "/v1/tenants/FOLD001/resources/Pbx/FOLD001%2Fhq?wait=true",
      doc("Pbx", { name: "hq", tenant: "FOLD001" }, { kind: "group", group: "g1" }),
    );
    expect(put.status, put.text).toBe(409);
    expect(put.json.detail).toBe(
      `${errResourceConflict}: Pbx/FOLD001/hq is managed by source "demo-yaml" (folder ${folder}); remove it there first, or import it into that source instead`,
    );
    expect(await controller.store.listStoredResources("demo-api")).toEqual(before);
    expect(await controller.store.listRequests({ source: "demo-api" })).toEqual([]);
    const pbx = [...standin.state.pbxs.values()].find((p) => p.customerId === customerOf("FOLD001")?.id);
    expect(pbx?.kind).toBe("single");
  });

  it("fails the folder's run that declares a key the API owns, naming the api source; the platform keeps the API's values", async () => {
    await mkdir(folder, { recursive: true });
    await writeFile(
      join(folder, "api001.yaml"),
      `apiVersion: omnia.kalliope.io/v1
kind: Tenant
metadata: {name: api001}
spec: {businessName: Taken Over S.r.l., customerCode: API001, vatNumber: "08712340150", fiscalCode: "08712340150"}
`,
    );
    const queued = await api("POST", "/v1/sources/demo-yaml/tenants/API001/reconcile", {});
    expect(queued.status, queued.text).toBeLessThan(300);
    const failed = await until("demo-yaml", "API001", (s) => s.phase === "Failed");
    expect(failed?.phase, JSON.stringify(failed)).toBe("Failed");
    expect(failed?.reason ?? "").toContain('Tenant/API001 is owned by source "demo-api"');
    expect(failed?.reason ?? "").toContain('also declared by source "demo-yaml"');
    expect(customerOf("API001")?.businessName).toBe("Api S.r.l.");
    expect((await controller.store.getInventory("Tenant/API001"))?.source).toBe("demo-api");
  });
});
