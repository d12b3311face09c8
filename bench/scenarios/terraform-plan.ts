/**
 * `terraform plan` through the Kalliope provider against `omnia plan` of the same objects,
 * on the same platform state (issue 11): wall time (median of 3) and the stand-in's
 * requests per plan.
 *
 * World: the stand-in (in this process), the controller (`startControllerService`, in this
 * process, embedded PGlite in a temp folder) with partner demo's api source `demo-tf`, and
 * the provider installed by `installProvider` into a temp `filesystem_mirror` (Terraform
 * runs with `TF_CLI_CONFIG_FILE`, a temp `HOME`, `CHECKPOINT_DISABLE=1`, no network).
 *
 * - `example`: `examples/hcl` (3 tenants), applied first with `terraform apply`.
 * - `ext`: one tenant of `BENCH_EXTENSIONS` extensions (default 1,000) on two PBXs. The
 *   documents go in through the API (`PUT` per resource, one reconcile), then a generated
 *   `main.tf.json` with `import` blocks brings them into Terraform's state (`terraform
 *   apply` of imports only, no write), then the plans are measured.
 *
 * `omnia plan` side: the YAML folder of the very documents the api source holds (read
 * back with `GET /v1/tenants/{t}/resources`, same `fromEnv` secret names), planned by the
 * CLI (`node dist/controller/cli/main.js plan DIR --source demo-tf`) on the controller's
 * own state folder after the controller stopped: the same inventory owns the same objects,
 * so both sides must answer "no changes" (each plan's exit code is checked), and both pay
 * a process start. Figures: `*_terraform_plan_ms`, `*_omnia_plan_ms`,
 * `*_terraform_plan_standin_requests`, `*_omnia_plan_standin_requests`, `*_resources`,
 * `*_observe_standin_requests` (one observe of one tenant: a refresh that observed per
 * resource, as before issue 11's fix, cost about resources × this), and the first
 * validate's schema compile, all kinds (before) against the one kind asked (after).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import { installProvider, mirrorCliConfig, packageRoot } from "../../controller/cli/commands/provider.js";
import { renderManifestFile } from "../../controller/export/yaml.js";
import { kindNames } from "../../controller/model/registry.js";
import type { ControllerConfig } from "../../controller/runtime/controller-config.js";
import { defaultPolicies } from "../../controller/service/routes/sources.js";
import { type RunningController, startControllerService } from "../../controller/service/serve.js";
import { newToken } from "../../controller/service/tokens.js";
import { demoLogin } from "../../platform/standin/seeds/partners.js";
import { startStandin } from "../../platform/standin/server.js";
import type { Scenario } from "../scenario.js";

const terraform = process.env.TERRAFORM ?? "/usr/local/bin/terraform";
const repo = packageRoot();
const apiVersion = "omnia.kalliope.io/v1";
const source = "demo-tf";
const runs = 3;

/** The bench cannot run: what is missing. */
export const errBenchPrerequisite = "terraform-plan needs";

/** A finished child process. */
interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(cmd: string, args: string[], o: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Ran> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(cmd, args, { ...o, maxBuffer: 256 * 2 ** 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** Every `*_from_env` name of the HCL files, with a valid value (a PIN or a password). */
function exampleSecrets(texts: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  let n = 0;
  for (const text of texts)
    for (const m of text.matchAll(/(pin|password)_from_env\s*=\s*"(\w+)"/g)) {
      n++;
      env[m[2] as string] = m[1] === "pin" ? String(480_000 + n) : `bench-pw-${n}-x`;
    }
  return env;
}

/** The manifest documents of one tenant of `extensions` extensions on two PBXs. */
function extensionDocuments(tenant: string, extensions: number) {
  const docs: { kind: string; key: string; doc: Record<string, unknown> }[] = [];
  const code = tenant;
  docs.push({
    kind: "Tenant",
    key: code,
    doc: {
      apiVersion,
      kind: "Tenant",
      metadata: { name: code.toLowerCase() },
      spec: {
        businessName: `${code} S.r.l.`,
        customerCode: code,
        vatNumber: "01234560017",
        fiscalCode: "01234560017",
      },
    },
  });
  const perPbx = Math.ceil(extensions / 2);
  for (let p = 0; p < 2; p++) {
    const pbx = `pbx${p}`;
    docs.push({
      kind: "Pbx",
      key: `${code}/${pbx}`,
      doc: { apiVersion, kind: "Pbx", metadata: { name: pbx, tenant: code }, spec: { kind: "single" } },
    });
    for (let i = 0; i < perPbx && p * perPbx + i < extensions; i++) {
      const number = String(1000 + i);
      docs.push({
        kind: "Extension",
        key: `${code}/${pbx}/${number}`,
        doc: {
          apiVersion,
          kind: "Extension",
          metadata: { name: `${pbx}-${number}`, tenant: code, pbx },
          spec: { number, license: "start", pin: { fromEnv: "OMNIA_SECRET_DEMO_BENCH_PIN" } },
        },
      });
    }
  }
  return docs;
}

/** `main.tf.json` declaring the documents as resources, each with an `import` block. */
function terraformJson(docs: ReturnType<typeof extensionDocuments>): string {
  const resource: Record<string, Record<string, Record<string, unknown>>> = {};
  const imports: { to: string; id: string }[] = [];
  const label = (key: string) => `r_${key.replaceAll(/[^A-Za-z0-9]/g, "_")}`;
  for (const { kind, key, doc } of docs) {
    const meta = doc.metadata as Record<string, string>;
    const spec = doc.spec as Record<string, unknown>;
    let type: string;
    let attrs: Record<string, unknown>;
    if (kind === "Tenant") {
      type = "kalliope_tenant";
      attrs = {
        name: meta.name,
        business_name: spec.businessName,
        customer_code: spec.customerCode,
        vat_number: spec.vatNumber,
        fiscal_code: spec.fiscalCode,
      };
    } else if (kind === "Pbx") {
      type = "kalliope_pbx";
      attrs = { name: meta.name, tenant: meta.tenant, kind: spec.kind };
    } else {
      type = "kalliope_extension";
      attrs = {
        name: meta.name,
        tenant: meta.tenant,
        pbx: meta.pbx,
        number: spec.number,
        license: spec.license,
        pin_from_env: "OMNIA_SECRET_DEMO_BENCH_PIN",
      };
    }
    resource[type] ??= {};
    (resource[type] as Record<string, Record<string, unknown>>)[label(key)] = attrs;
    imports.push({ to: `${type}.${label(key)}`, id: key });
  }
  return JSON.stringify(
    {
      terraform: { required_providers: { kalliope: { source: "omnia-iac/kalliope", version: "0.1.0" } } },
      provider: { kalliope: {} },
      resource,
      import: imports,
    },
    null,
    1,
  );
}

const scenario: Scenario = {
  name: "terraform-plan",
  description:
    "terraform plan through the provider against omnia plan of the same objects and state: wall time (median of 3) and stand-in requests, for examples/hcl and BENCH_EXTENSIONS (1,000) extensions",
  async run() {
    const extensions = Number(process.env.BENCH_EXTENSIONS ?? 1000);
    const cliEntry = join(repo, "dist", "controller", "cli", "main.js");
    for (const [what, ok] of [
      [`terraform at ${terraform} (TERRAFORM=...)`, existsSync(terraform)],
      [
        "the build (npm run build)",
        existsSync(join(repo, "dist", "provider", "main.js")) && existsSync(cliEntry),
      ],
    ] as const)
      if (!ok) throw new Error(`${errBenchPrerequisite} ${what}`);
    const figures: Record<string, number | string> = { ext_extensions: extensions };

    // The provider's first validate, in a fresh process as Terraform starts it (module
    // import included): every kind's schema compiled (before) or the one asked (after).
    const schemaModule = join(repo, "dist", "controller", "load", "schema.js");
    const firstValidate = async (kinds: readonly string[]) => {
      const code = `const t0 = performance.now(); const { compileValidators } = await import(${JSON.stringify(schemaModule)}); const v = compileValidators(); for (const k of ${JSON.stringify(kinds)}) v[k](null); process.stdout.write(String(performance.now() - t0));`;
      const ms: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await run(process.execPath, ["--input-type=module", "-e", code], {
          cwd: repo,
          env: process.env,
        });
        if (r.code !== 0) throw new Error(`first validate: ${r.stderr}`);
        ms.push(Number(r.stdout));
      }
      return Math.round(median(ms));
    };
    figures.validate_first_all_kinds_ms = await firstValidate(kindNames);
    figures.validate_first_one_kind_ms = await firstValidate(["Extension"]);

    const root = await mkdtemp(join(tmpdir(), "omnia-bench-tf-"));
    const standin = await startStandin({ pendingDelayMs: 0 });
    let controller: RunningController | undefined;
    try {
      const mirror = join(root, "mirror");
      await installProvider({ dir: mirror });
      const cliConfig = join(root, "terraform.rc");
      await writeFile(cliConfig, mirrorCliConfig(mirror));
      await mkdir(join(root, "home"));
      const stateDir = join(root, "state");
      const token = newToken();
      const hclDir = join(repo, "examples", "hcl");
      const hclFiles = (await readdir(hclDir)).filter((f) => f.endsWith(".tf"));
      const hclTexts = await Promise.all(hclFiles.map((f) => readFile(join(hclDir, f), "utf8")));
      const exampleTenants = hclTexts.flatMap((t) =>
        [...t.matchAll(/customer_code\s*=\s*"([^"]+)"/g)].map((m) => m[1] as string),
      );
      const secrets = {
        ...exampleSecrets(hclTexts),
        OMNIA_SECRET_DEMO_BENCH_PIN: "583927",
      };
      const secretKey = Buffer.alloc(32, 0x5a).toString("base64");
      const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, LANG: "C.UTF-8" };
      const account = {
        url: standin.url,
        domain: demoLogin.domain,
        username: demoLogin.username,
        password: { fromEnv: "OMNIA_SECRET_DEMO_PASSWORD" },
        requestsPerSecond: 1000,
      };
      const config: ControllerConfig = {
        file: "(bench)",
        listen: { host: "127.0.0.1", port: 0 },
        state: { dir: stateDir },
        git: { allowedProtocols: ["https"] },
        sources: [
          {
            id: source,
            partner: "demo",
            location: { type: "api" },
            account,
            policies: { ...defaultPolicies, prune: true, intervalMs: 3_600_000, driftIntervalMs: 3_600_000 },
          },
        ],
        tokens: [
          { name: "tf", partner: "demo", scopes: ["write"], secret: { fromEnv: "OMNIA_SECRET_DEMO_TOKEN" } },
        ],
      };
      const c = await startControllerService({
        config,
        env: {
          ...base,
          ...secrets,
          OMNIA_SECRET_KEY: secretKey,
          OMNIA_SECRET_DEMO_PASSWORD: demoLogin.password,
          OMNIA_SECRET_DEMO_TOKEN: token,
        },
        logger: pino({ level: "silent" }),
        // The setup PUTs every document (1,000+ calls in seconds); the plans measured make a
        // few calls per tenant, far below the default 600 per token per minute.
        service: { rateLimitMax: 1_000_000 },
      });
      controller = c;
      const tfEnv: NodeJS.ProcessEnv = {
        ...base,
        HOME: join(root, "home"),
        TF_CLI_CONFIG_FILE: cliConfig,
        CHECKPOINT_DISABLE: "1",
        TF_IN_AUTOMATION: "1",
        OMNIA_CONTROLLER_URL: c.url,
        OMNIA_TOKEN: token,
      };
      const api = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${c.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body ? { "content-type": "application/json" } : {}),
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        return { status: res.status, text: await res.text() };
      };
      const tf = async (dir: string, ...args: string[]) => {
        const r = await run(terraform, args, { cwd: dir, env: tfEnv });
        if (r.code !== 0 && !(args[0] === "plan" && r.code === 2))
          throw new Error(`terraform ${args.join(" ")}: exit ${r.code}\n${r.stderr.slice(-4000)}`);
        return r;
      };
      /** `terraform plan` 3 times: median ms, stand-in requests per plan (median), and no changes. */
      const terraformPlans = async (dir: string, label: string) => {
        const ms: number[] = [];
        const requests: number[] = [];
        for (let i = 0; i < runs; i++) {
          const before = standin.stats.requests;
          const r = await tf(dir, "plan", "-detailed-exitcode", "-input=false", "-lock=false");
          if (r.code !== 0)
            throw new Error(`${label}: terraform plan wants changes:\n${r.stdout.slice(-4000)}`);
          ms.push(r.ms);
          requests.push(standin.stats.requests - before);
        }
        figures[`${label}_terraform_plan_ms`] = Math.round(median(ms));
        figures[`${label}_terraform_plan_standin_requests`] = median(requests);
      };
      const observeCost = async (tenant: string) => {
        const before = standin.stats.requests;
        const r = await api("GET", `/v1/tenants/${tenant}/live`);
        if (r.status !== 200) throw new Error(`GET live ${tenant}: ${r.status} ${r.text}`);
        return standin.stats.requests - before;
      };
      /** The api source's documents of `tenants` as one YAML folder. */
      const yamlFolder = async (name: string, tenants: string[]) => {
        const dir = join(root, `${name}-yaml`);
        await mkdir(dir);
        for (const t of tenants) {
          const r = await api("GET", `/v1/tenants/${t}/resources`);
          const items = (JSON.parse(r.text) as { items: { document: object }[] }).items;
          await writeFile(
            join(dir, `${t}.yaml`),
            renderManifestFile(
              items.map((i) => i.document),
              "x",
            ),
          );
        }
        return dir;
      };

      // (a) examples/hcl, applied one resource at a time (each PUT reconciles its tenant).
      const exampleDir = join(root, "example");
      await mkdir(exampleDir);
      for (const f of hclFiles) await copyFile(join(hclDir, f), join(exampleDir, f));
      await tf(exampleDir, "init", "-input=false", "-backend=false");
      await tf(exampleDir, "apply", "-auto-approve", "-input=false", "-parallelism=1");
      await terraformPlans(exampleDir, "example");
      figures.example_resources = Number(
        ((await tf(exampleDir, "state", "list")).stdout.match(/^kalliope_/gm) ?? []).length,
      );
      figures.example_tenants = exampleTenants.length;

      // (b) one tenant of `extensions` extensions: documents through the API, imported into Terraform.
      const tenant = "BENCH01";
      const docs = extensionDocuments(tenant, extensions);
      for (const { kind, key, doc } of docs) {
        const r = await api("PUT", `/v1/tenants/${tenant}/resources/${kind}/${encodeURIComponent(key)}`, doc);
        if (r.status >= 300) throw new Error(`PUT ${kind}/${key}: ${r.status} ${r.text}`);
      }
      const last = docs[docs.length - 1] as (typeof docs)[number];
      const t0 = performance.now();
      for (let attempt = 0; ; attempt++) {
        const r = await api(
          "PUT",
          `/v1/tenants/${tenant}/resources/${last.kind}/${encodeURIComponent(last.key)}?wait=true`,
          last.doc,
        );
        if (r.status < 300) break;
        if (r.status !== 503 || attempt > 120) throw new Error(`apply ${tenant}: ${r.status} ${r.text}`);
        await sleep(1000);
      }
      figures.ext_setup_apply_s = Math.round((performance.now() - t0) / 100) / 10;
      const extDir = join(root, "ext");
      await mkdir(extDir);
      await writeFile(join(extDir, "main.tf.json"), terraformJson(docs));
      await tf(extDir, "init", "-input=false", "-backend=false");
      const imported = await tf(extDir, "apply", "-auto-approve", "-input=false");
      figures.ext_import_apply_ms = Math.round(imported.ms);
      await rm(join(extDir, "main.tf.json"));
      // Without the import blocks, as the configuration is kept after the import.
      await writeFile(
        join(extDir, "main.tf.json"),
        JSON.stringify({ ...JSON.parse(terraformJson(docs)), import: undefined }),
      );
      await terraformPlans(extDir, "ext");
      figures.ext_resources = docs.length;
      figures.ext_observe_standin_requests = await observeCost(tenant);
      figures.example_observe_standin_requests = await observeCost(exampleTenants[0] ?? "");

      // omnia plan of the same documents as YAML, on the controller's state (stopped first).
      const folders = {
        example: { dir: await yamlFolder("example", exampleTenants), tenants: exampleTenants },
        ext: { dir: await yamlFolder("ext", [tenant]), tenants: [tenant] },
      };
      await c.close({ graceMs: 0 });
      controller = undefined;
      const cliEnv: NodeJS.ProcessEnv = {
        ...base,
        ...secrets,
        HOME: join(root, "home"),
        OMNIA_SECRET_KEY: secretKey,
        OMNIA_URL: standin.url,
        OMNIA_DOMAIN: demoLogin.domain,
        OMNIA_USERNAME: demoLogin.username,
        OMNIA_PASSWORD: demoLogin.password,
      };
      // --tenant: the source's inventory owns both cases' tenants; each plan reads its own.
      for (const [label, { dir, tenants }] of Object.entries(folders)) {
        const ms: number[] = [];
        const requests: number[] = [];
        for (let i = 0; i < runs; i++) {
          const before = standin.stats.requests;
          const r = await run(
            process.execPath,
            [
              cliEntry,
              "plan",
              dir,
              "--source",
              source,
              "--state-dir",
              stateDir,
              "--log-file",
              join(root, "omnia.log"),
              "--detailed-exitcode",
              "--tenant",
              ...tenants,
            ],
            { cwd: root, env: cliEnv },
          );
          if (r.code !== 0)
            throw new Error(`${label}: omnia plan exit ${r.code}:\n${(r.stdout + r.stderr).slice(-4000)}`);
          ms.push(r.ms);
          requests.push(standin.stats.requests - before);
        }
        figures[`${label}_omnia_plan_ms`] = Math.round(median(ms));
        figures[`${label}_omnia_plan_standin_requests`] = median(requests);
        figures[`${label}_terraform_over_omnia_plan`] =
          Math.round(
            (Number(figures[`${label}_terraform_plan_ms`]) / Number(figures[`${label}_omnia_plan_ms`])) * 100,
          ) / 100;
      }
      return figures;
    } finally {
      await controller?.close({ graceMs: 0 });
      await standin.close();
      await rm(root, { recursive: true, force: true });
    }
  },
};

export default scenario;
