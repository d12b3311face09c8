/**
 * Issue 9, a git source end to end: the controller in-process (`startControllerService`,
 * embedded PGlite in a temp folder) follows a local bare repository (`file://`, allowed in
 * the config) and reconciles against the stand-in.
 *
 * - A commit that changes an extension's license is applied after its webhook (a GitHub
 *   `X-Hub-Signature-256` HMAC of the body), and not before: the interval is 10 minutes.
 * - A bad commit (a schema error) applies nothing: the tenant shows `Failed` with the
 *   `file:line:col` of the error through `GET /v1/sources/{id}/tenants/{tenant}`, and the
 *   platform keeps the last good state.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStandin, type TestStandin } from "../../platform/standin/testing.js";
import type { TenantStatus } from "../model/control.js";
import type { ControllerConfig } from "../runtime/controller-config.js";
import { testGit as git } from "../test-support/git.js";
import { defaultPolicies } from "./routes/sources.js";
import { errSourceFetch, type RunningController, startControllerService } from "./serve.js";
import { newToken } from "./tokens.js";

const made: string[] = [];
async function temp(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

const tenant = "GITW001";
const sourceId = "acme-git";
const tenantYaml = `apiVersion: omnia.kalliope.io/v1
kind: Tenant
metadata: {name: gitw}
spec: {businessName: GitW S.r.l., customerCode: ${tenant}, vatNumber: "08712340150", fiscalCode: "08712340150"}
---
apiVersion: omnia.kalliope.io/v1
kind: Pbx
metadata: {name: hq, tenant: ${tenant}}
spec: {kind: single}
`;
/** The extension file; its license is on line 4, column 36 (`license: ` ends at 35). */
const extensionYaml = (license: string) => `apiVersion: omnia.kalliope.io/v1
kind: Extension
metadata: {name: hq-201, tenant: ${tenant}, pbx: hq}
spec: {number: "201", pin: {fromFile: pin.txt}, license: ${license}}
`;

let standin: TestStandin;
let controller: RunningController;
let bare: string;
let work: string;
const hookSecret = randomBytes(24).toString("hex");
const token = newToken();

/** Writes `files` into the work tree, commits and pushes; returns the commit. */
async function commit(files: Record<string, string>, message: string): Promise<string> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await writeFile(join(work, path), text);
  }
  git(work, "add", "-A");
  git(work, "commit", "--quiet", "-m", message);
  git(work, "push", "--quiet", bare, "HEAD:refs/heads/main");
  return git(work, "rev-parse", "HEAD");
}

/** GitHub's push webhook for `after`, signed with `secret`. */
async function pushWebhook(
  after: string,
  secret = hookSecret,
  delivery = randomUUID(),
  source = sourceId,
): Promise<Response> {
  const body = JSON.stringify({ ref: "refs/heads/main", after });
  return fetch(`${controller.url}/v1/sources/${source}/webhook`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": delivery,
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    },
    body,
  });
}

/** The tenant's status through the API. */
async function status(): Promise<TenantStatus | undefined> {
  const res = await fetch(`${controller.url}/v1/sources/${sourceId}/tenants/${tenant}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status === 404) return undefined;
  expect(res.status).toBe(200);
  return ((await res.json()) as { status: TenantStatus }).status;
}

/** Polls the status until `done` holds (or 60 s passed); returns the last one. */
async function until(done: (s: TenantStatus) => boolean): Promise<TenantStatus | undefined> {
  const deadline = Date.now() + 60_000;
  let last: TenantStatus | undefined;
  while (Date.now() < deadline) {
    last = await status();
    if (last && done(last)) return last;
    await sleep(100);
  }
  return last;
}

/** The licenses of the tenant's extensions on the stand-in. */
function licensesOnPlatform(): string[] {
  const customer = [...standin.state.customers.values()].find((c) => c.customerCode === tenant);
  if (!customer) return [];
  return [...standin.state.extensions.values()]
    .filter((x) => x.customerId === customer.id)
    .map((x) => x.license);
}

beforeAll(async () => {
  standin = await startTestStandin();
  const root = await temp("omnia-webhook-git-");
  bare = join(root, "remote.git");
  work = join(root, "work");
  git(root, "init", "--bare", "--quiet", "-b", "main", bare);
  git(root, "init", "--quiet", "-b", "main", work);
  await commit(
    {
      "tenants/gitw.yaml": tenantYaml,
      "tenants/ext.yaml": extensionYaml("start"),
      "tenants/pin.txt": "4711\n",
    },
    "first",
  );
  const stateDir = join(await temp("omnia-webhook-state-"), "state");
  const config: ControllerConfig = {
    file: "(test)",
    listen: { host: "127.0.0.1", port: 0 },
    state: { dir: stateDir },
    git: { allowedProtocols: ["file"] },
    sources: [
      {
        id: sourceId,
        partner: "demo",
        location: { type: "git", url: `file://${bare}`, branch: "main" },
        account: {
          url: standin.url,
          domain: standin.settings.domain,
          username: standin.settings.username,
          password: { fromEnv: "OMNIA_SECRET_PLATFORM_PASSWORD" },
        },
        // Only the start and the webhook trigger a reconcile during the test.
        policies: { ...defaultPolicies, intervalMs: 600_000, driftIntervalMs: 600_000 },
        webhookSecret: { fromEnv: "OMNIA_SECRET_WEBHOOK" },
      },
      {
        // A remote that does not exist: its webhook must say so, not answer 500.
        id: "gone-git",
        partner: "demo",
        location: { type: "git", url: `file://${join(root, "no-such-repository.git")}`, branch: "main" },
        account: {
          url: standin.url,
          domain: standin.settings.domain,
          username: standin.settings.username,
          password: { fromEnv: "OMNIA_SECRET_PLATFORM_PASSWORD" },
        },
        policies: { ...defaultPolicies, intervalMs: 600_000, driftIntervalMs: 600_000 },
        webhookSecret: { fromEnv: "OMNIA_SECRET_WEBHOOK" },
      },
    ],
    tokens: [{ name: "ops", partner: "demo", scopes: ["read"], secret: { fromEnv: "OMNIA_SECRET_TOKEN" } }],
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OMNIA_SECRET_PLATFORM_PASSWORD: standin.settings.password,
    OMNIA_SECRET_WEBHOOK: hookSecret,
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

describe("a git source driven by its webhook", () => {
  it("applies a commit that changes a license after its webhook, and a bad commit applies nothing and shows Failed at file:line:col", async () => {
    const first = await until((s) => s.phase === "InSync");
    expect(first?.phase, JSON.stringify(first)).toBe("InSync");
    expect(licensesOnPlatform()).toEqual(["start"]);

    const plus = await commit({ "tenants/ext.yaml": extensionYaml("plus") }, "license plus");
    // The interval is 10 min: without the webhook the new commit is not even fetched.
    await sleep(1_000);
    expect(licensesOnPlatform(), "applied before its webhook").toEqual(["start"]);
    const bad = await pushWebhook(plus, "not the secret");
    expect(bad.status, "a webhook signed with another secret").toBe(401);
    await sleep(500);
    expect(licensesOnPlatform(), "applied after a badly signed webhook").toEqual(["start"]);

    const accepted = await pushWebhook(plus);
    expect(accepted.status).toBe(202);
    const applied = await until((s) => s.phase === "InSync" && s.observedRevision === plus);
    expect(applied?.observedRevision, JSON.stringify(applied)).toBe(plus);
    expect(licensesOnPlatform()).toEqual(["plus"]);

    const broken = await commit(
      { "tenants/ext.yaml": extensionYaml("gold") },
      "a license that does not exist",
    );
    expect((await pushWebhook(broken)).status).toBe(202);
    const failed = await until((s) => s.phase === "Failed");
    expect(failed?.phase, JSON.stringify(failed)).toBe("Failed");
    expect(failed?.reason ?? "").toMatch(/tenants\/ext\.yaml:4:\d+: .*license/);
    // The place is the license value's: line 4, at the column where `gold` starts.
    const col = extensionYaml("gold").split("\n")[3]?.indexOf("gold") ?? -1;
    expect(failed?.reason ?? "").toContain(`tenants/ext.yaml:4:${col + 1}`);
    // Nothing applied: the platform keeps the last good state.
    expect(licensesOnPlatform()).toEqual(["plus"]);
    const source = await controller.store.getSource(sourceId);
    expect(source?.lastRevision).toBe(broken);
    expect(source?.lastGoodRevision).toBe(plus);
  });

  it("answers a webhook whose remote cannot be fetched with 502 and git's reason, not 500", async () => {
    const res = await pushWebhook("0".repeat(40), hookSecret, randomUUID(), "gone-git");
    expect(res.status).toBe(502);
    expect(((await res.json()) as { detail: string }).detail).toContain(errSourceFetch);
  });

  it("answers a plan for a tenant the source does not have with 404, not 500", async () => {
    const res = await fetch(`${controller.url}/v1/tenants/NOPE999/plan?source=${sourceId}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { detail: string }).detail).toContain("NOPE999");
  });
});
