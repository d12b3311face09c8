/**
 * A synthesized `cdk.tf.json` as a source of documents: the rules of cdktf-json.ts, each
 * bad input with its message and line:col (found in the text by a plain search, not by the
 * parser under test), and a real `cdktf synth` output equal to the YAML it was made from.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Terraform's templates are what these tests are about
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { comparable } from "../test-support/comparable-state.js";
import { errCopies, errUnknownAttribute, isCdktfJson } from "./cdktf-json.js";
import { errCycle, errKnownAfterApply, errNoSuchResource } from "./cdktf-resolve.js";
import { allResources, formatProblem, type LoadResult, loadDirectory, loadTexts } from "./index.js";

const file = "/repo/cdktf.out/stacks/partner/cdk.tf.json";
const env = { OMNIA_SECRET_PIN_201: "483920" };
type Attrs = Record<string, unknown>;
type Config = { resource: Record<string, Record<string, Attrs>> } & Record<string, unknown>;

const meta = (path: string) => ({ metadata: { path, uniqueId: path.replaceAll("/", "_") } });

/** A tenant, a PBX and one extension, as CDKTF writes them: children name parents through references. */
function base(): Config {
  return {
    "//": { metadata: { backend: "local", stackName: "partner", version: "0.21.0" } },
    provider: { kalliope: [{ controller_url: "http://127.0.0.1:8080" }] },
    terraform: { required_providers: { kalliope: { source: "omnia-iac/kalliope", version: "0.1.0" } } },
    resource: {
      kalliope_tenant: {
        acme: {
          "//": meta("partner/acme"),
          name: "acme",
          business_name: "ACME S.r.l.",
          customer_code: "ACME001",
          vat_number: "08712340150",
          fiscal_code: "08712340150",
          omnia_manager: true,
        },
      },
      kalliope_pbx: {
        acme_hq: {
          "//": meta("partner/acme/hq"),
          name: "hq",
          tenant: "${kalliope_tenant.acme.customer_code}",
          kind: "single",
        },
      },
      kalliope_extension: {
        acme_hq_201: {
          "//": meta("partner/acme/hq/ext-201"),
          tenant: "${kalliope_tenant.acme.customer_code}",
          pbx: "${kalliope_pbx.acme_hq.name}",
          number: "201",
          license: "plus",
          pin_from_env: "OMNIA_SECRET_PIN_201",
        },
      },
    },
  };
}

const ext = (c: Config) => c.resource.kalliope_extension?.acme_hq_201 as Attrs;
const text = (c: Config) => JSON.stringify(c, null, 2);
const load = (t: string, more: Record<string, string> = {}) =>
  loadTexts(new Map([[file, t], ...Object.entries(more)]), { env });

/** Line:col of the first `needle` at or after `after` in `t`, plus `shift` characters. */
function placeOf(t: string, needle: string, after = "", shift = 0): string {
  const offset = t.indexOf(needle, after ? t.indexOf(after) : 0) + shift;
  if (offset < shift) throw new Error(`test bug: ${needle} not in the text`);
  const before = t.slice(0, offset);
  return `${before.split("\n").length}:${offset - before.lastIndexOf("\n")}`;
}

describe("cdk.tf.json as manifest documents", () => {
  it("recognises the file by its exact name", () => {
    expect(["cdk.tf.json", "a/cdktf.out/stacks/x/cdk.tf.json", "a\\cdk.tf.json"].map(isCdktfJson)).toEqual([
      true,
      true,
      true,
    ]);
    expect(["main.tf.json", "cdk.tf.json.bak", "xcdk.tf.json", "manifest.json"].map(isCdktfJson)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it("loads the resources, resolving references to other kalliope resources' attributes", () => {
    const r = load(text(base()));
    expect(r.problems.map((p) => formatProblem(p))).toEqual([]);
    const e = r.state.extensions[0];
    expect(e?.key).toBe("Extension/ACME001/hq/201");
    expect(e?.name).toBe("acme001-hq-201"); // derived from the import id, as the provider derives it
    expect(e?.spec.pin.reveal()).toBe("483920");
    const [line, col] = placeOf(text(base()), "{", '"acme_hq_201"').split(":").map(Number);
    expect(e?.source).toEqual({ file, line, col }); // the resource's object
    expect(r.state.pbxs.map((p) => p.key)).toEqual(["Pbx/ACME001/hq"]);
  });

  it("ignores provider, terraform, data, variable, output blocks, other providers' resources and pin_wo_version", () => {
    const c = base();
    Object.assign(c, {
      variable: { pin: { type: "string" } },
      output: { code: { value: "${kalliope_tenant.acme.customer_code}" } },
      data: { kalliope_tenant: { other: { customer_code: "X" } } },
      locals: { a: 1 },
    });
    c.resource.random_string = { r: { length: 8, keepers: { x: "${var.pin}" } } };
    Object.assign(ext(c), { pin_wo_version: 3, depends_on: ["kalliope_pbx.acme_hq"], lifecycle: {} });
    const r = load(text(c));
    expect(r.problems.map((p) => formatProblem(p))).toEqual([]);
    expect(allResources(r.state)).toHaveLength(3);
  });

  it("resolves id references, templates around references, $${ escapes and Terraform's primitive conversions", () => {
    const c = base();
    Object.assign(ext(c), {
      tenant: "${kalliope_tenant.acme.id}",
      number: 201,
      labels: { site: "sede-${kalliope_pbx.acme_hq.name}", raw: "$${not.a.ref}" },
    });
    const r = load(text(c));
    expect(r.problems.map((p) => formatProblem(p))).toEqual([]);
    const e = r.state.extensions[0];
    expect(e?.key).toBe("Extension/ACME001/hq/201");
    expect(e?.labels).toEqual({ site: "sede-hq", raw: "${not.a.ref}" });
  });

  /** Each bad input: the change, the message's text, where (a needle in the text), the construct. */
  const bad: {
    name: string;
    change: (c: Config) => void;
    message: string;
    at: [needle: string, after?: string, shift?: number];
    construct?: string;
  }[] = [
    {
      name: "a wrong kind of value",
      change: (c) => {
        ext(c).license = ["plus"];
      },
      message: "field 'spec.license' must be",
      at: ['[\n          "plus"', '"license"'],
      construct: "partner/acme/hq/ext-201",
    },
    {
      name: "an unknown attribute",
      change: (c) => {
        ext(c).colour = "red";
      },
      message: `${errUnknownAttribute} "colour" (allowed: name, tenant, pbx, labels, deletion_policy, drift_mode, ignore, number, pin, pin_wo_version, pin_from_env, user,`,
      at: ['"colour"'],
      construct: "partner/acme/hq/ext-201",
    },
    {
      name: "an unknown attribute of the nested user",
      change: (c) => {
        ext(c).user = { email: "a@acme.example", nick: "x" };
      },
      message: `${errUnknownAttribute} "user.nick" (allowed: email, first_name, last_name)`,
      at: ['"nick"'],
    },
    {
      name: "an interpolation of a variable",
      change: (c) => {
        ext(c).license = "${var.license}";
      },
      message: 'cannot resolve "${var.license}": it reads an input variable; the controller reads',
      at: ['"${var.license}"'],
      construct: "partner/acme/hq/ext-201",
    },
    {
      name: "a function call",
      change: (c) => {
        ext(c).number = '${format("%d", 201)}';
      },
      message: 'cannot resolve "${format("%d", 201)}": it reads a function call',
      at: ['"${format'],
    },
    {
      name: "a data source",
      change: (c) => {
        ext(c).tenant = "${data.kalliope_tenant.x.customer_code}";
      },
      message: "it reads a data source",
      at: ['"${data.'],
    },
    {
      name: "another provider's resource",
      change: (c) => {
        ext(c).tenant = "${random_string.x.result}";
      },
      message: "it reads a resource of another provider",
      at: ['"${random_string'],
    },
    {
      name: "a template directive",
      change: (c) => {
        ext(c).license = "%{if true}plus%{endif}";
      },
      message: "it reads a template directive (if/for)",
      at: ['"%{if'],
    },
    {
      name: "an unterminated interpolation",
      change: (c) => {
        ext(c).tenant = "${kalliope_tenant.acme.customer_code";
      },
      message: "an interpolation that is never closed",
      at: ['"${kalliope_tenant.acme.customer_code"'],
    },
    {
      name: "a reference to a computed attribute",
      change: (c) => {
        ext(c).pbx = "${kalliope_pbx.acme_hq.platform_id}";
      },
      message: `platform_id ${errKnownAfterApply}`,
      at: ['"${kalliope_pbx.acme_hq.platform_id}"'],
    },
    {
      name: "a reference to a resource the file lacks",
      change: (c) => {
        ext(c).pbx = "${kalliope_pbx.nope.name}";
      },
      message: `kalliope_pbx.nope: ${errNoSuchResource}`,
      at: ['"${kalliope_pbx.nope.name}"'],
    },
    {
      name: "references in a cycle",
      change: (c) => {
        (c.resource.kalliope_pbx?.acme_hq as Attrs).name = "${kalliope_extension.acme_hq_201.number}";
      },
      message: `${errCycle}: kalliope_pbx.acme_hq → kalliope_extension.acme_hq_201 → kalliope_pbx.acme_hq`,
      at: ['"${kalliope_pbx.acme_hq.name}"'],
    },
    {
      name: "count",
      change: (c) => {
        ext(c).count = 2;
      },
      message: `count ${errCopies}`,
      at: ['"count"'],
      construct: "partner/acme/hq/ext-201",
    },
    {
      name: "for_each",
      change: (c) => {
        ext(c).for_each = { a: 1 };
      },
      message: `for_each ${errCopies}`,
      at: ['"for_each"'],
    },
    {
      name: "a computed attribute given a value",
      change: (c) => {
        ext(c).platform_id = "e-1";
      },
      message: 'attribute "platform_id" is computed by the provider and cannot be set',
      at: ['"platform_id"'],
    },
    {
      name: "a PIN in clear",
      change: (c) => {
        delete ext(c).pin_from_env;
        ext(c).pin = "483920";
      },
      message: "a secret in clear cannot be read from here: use pin_from_env",
      at: ['"483920"'],
      construct: "partner/acme/hq/ext-201",
    },
    {
      name: "a missing required field",
      change: (c) => {
        delete ext(c).number;
      },
      message: "missing required field 'number'",
      at: ["{", '"acme_hq_201"'],
      construct: "partner/acme/hq/ext-201",
    },
    {
      name: "a value outside the enum",
      change: (c) => {
        ext(c).license = "gold";
      },
      message: `field 'spec.license' must be one of: "start", "plus" (got "gold")`,
      at: ['"gold"'],
      construct: "partner/acme/hq/ext-201",
    },
    {
      name: "an unknown kalliope resource type",
      change: (c) => {
        c.resource.kalliope_fax = { f: { number: "1" } };
      },
      message: 'unknown resource type "kalliope_fax" (allowed: kalliope_',
      at: ['"kalliope_fax"'],
    },
    {
      name: "a resource that is not an object",
      change: (c) => {
        (c.resource.kalliope_pbx as Record<string, unknown>).acme_hq = ["x"];
      },
      message: 'resource "kalliope_pbx.acme_hq" must be a JSON object of attributes',
      at: ["[", '"acme_hq": '],
    },
  ];

  it("derives no misleading name when a key field is missing: only the missing field is reported", () => {
    const c = base();
    delete ext(c).number;
    const r = load(text(c));
    expect(r.problems.map((p) => `${p.kind}/${p.name}: ${p.message}`)).toEqual([
      "Extension/acme-hq-201: missing required field 'number'",
    ]);
  });

  it.each(bad)("refuses $name with its place", ({ change, message, at, construct }) => {
    const c = base();
    change(c);
    const t = text(c);
    const r = load(t);
    const want = placeOf(t, ...at);
    const found = r.problems.find((p) => p.message.includes(message));
    expect(
      found,
      `want "${message}" at ${want}; got ${r.problems.map((p) => formatProblem(p)).join("\n")}`,
    ).toBeDefined();
    expect(`${found?.line}:${found?.col}`).toBe(want);
    if (construct) {
      expect(found?.construct).toBe(construct);
      expect(formatProblem(found as LoadResult["problems"][number])).toContain(
        `${file}:${want} (${construct}): `,
      );
    }
  });

  it("refuses text that is not strict JSON at the first error, and keys written twice", () => {
    const t = text(base()).replace('"kind": "single"', '"kind": "single",');
    const r = load(t);
    expect(r.problems.map((p) => [p.code, p.message, `${p.line}:${p.col}`])).toEqual([
      ["json-syntax", "JSON syntax error: property name expected", placeOf(t, "}", '"kind": "single",')],
    ]);
    const dup = text(base()).replace('"license": "plus"', '"license": "plus",\n          "license": "start"');
    const d = load(dup);
    expect(d.problems.map((p) => [p.message, `${p.line}:${p.col}`])).toEqual([
      ['duplicate key "license"', placeOf(dup, '"license": "start"')],
    ]);
    expect(load("[").problems[0]?.code).toBe("json-syntax");
    expect(load('"x"').problems[0]?.message).toBe("the file must be a JSON object");
  });

  it("never repeats a PIN written in clear, even inside a broken template", () => {
    for (const pin of [
      "9753${1864",
      "9753${kalliope_pbx.acme_hq.name}1864",
      "97531864${var.x}",
      '${"97531864"}',
    ]) {
      const c = base();
      delete ext(c).pin_from_env;
      ext(c).pin = pin;
      const r = load(text(c));
      expect(r.problems.length, pin).toBeGreaterThan(0);
      for (const p of r.problems) expect(formatProblem(p)).not.toMatch(/9753|1864/);
    }
  });

  it("refuses a cdk.tf.json above the file size cap unread, as it refuses a YAML file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "omnia-cdktf-cap-"));
    try {
      const t = text(base());
      await writeFile(join(dir, "cdk.tf.json"), t);
      const r = await loadDirectory(dir, { env, maxFileBytes: t.length - 1 });
      expect(r.problems.map((p) => [p.code, p.line, p.col])).toEqual([["file-too-large", 1, 1]]);
      expect(r.documents).toBe(0);
      expect((await loadDirectory(dir, { env, maxFileBytes: t.length })).problems).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses JSON nested beyond the parser's stack as a problem, not a crash", () => {
    const deep = `{"resource": ${"[".repeat(200_000)}${"]".repeat(200_000)}}`;
    const r = load(deep);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.code).toBe("json-syntax");
  });

  it("reports a key declared both in the JSON and in a YAML file of the same source at both places", () => {
    const t = text(base());
    const yaml = [
      "apiVersion: omnia.kalliope.io/v1",
      "kind: Extension",
      "metadata: {name: e201, tenant: ACME001, pbx: hq}",
      "spec: {number: '201', license: start, pin: {fromEnv: OMNIA_SECRET_PIN_201}}",
      "",
    ].join("\n");
    const r = load(t, { "/repo/extensions.yaml": yaml });
    const dup = r.problems.filter((p) => p.code === "duplicate-key");
    const at = placeOf(t, '"201"');
    expect(dup.map((p) => formatProblem(p))).toEqual([
      `/repo/extensions.yaml:${placeOf(yaml, "'201'")}: Extension/e201: duplicate Extension/ACME001/hq/201: already declared at ${file}:${at}`,
    ]);
  });
});

describe("a real cdktf synth output", () => {
  const example = join(import.meta.dirname, "..", "..", "examples", "gitops-partner");
  const synth = join(import.meta.dirname, "fixtures", "cdktf", "hotel");
  const pins: Record<string, string> = {};

  it("loads to the same desired state as the YAML it was made from (hotel-lago-maggiore)", async () => {
    const yaml = await loadDirectory(join(example, "customers", "hotel-lago-maggiore"), {
      operatorSecretRoots: [example],
    });
    expect(yaml.problems.map((p) => formatProblem(p))).toEqual([]);
    for (const e of yaml.state.extensions)
      pins[`OMNIA_SECRET_PIN_${e.name.toUpperCase().replaceAll("-", "_")}`] = e.spec.pin.reveal();
    const json = await loadDirectory(synth, { env: pins });
    expect(json.problems.map((p) => formatProblem(p))).toEqual([]);
    expect(json.files).toBe(1);
    expect(json.documents).toBe(yaml.documents);
    expect(comparable(json.state)).toEqual(comparable(yaml.state));
  });

  it("names the construct path in problems of the synthesized file", async () => {
    const r = await loadDirectory(synth, { env: {} });
    const first = r.problems[0];
    expect(first && formatProblem(first)).toMatch(
      /cdk\.tf\.json:\d+:\d+ \(partner\/hotel-lago-maggiore\/hotel-stresa\/hotel-stresa-1001\): Extension\/hotel-stresa-1001: .*OMNIA_SECRET_PIN_HOTEL_STRESA_1001/,
    );
  });
});
