// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the scenario writes Terraform templates
/**
 * Loading a synthesized `cdk.tf.json` against the same resources as YAML, in the same
 * run: one tenant, one PBX and 1k / 10k extensions whose tenant and PBX are `${...}`
 * references (as CDKTF writes them), PINs from the environment. Figures: wall time of
 * `loadTexts` (parse, resolve, schema and cross checks), best of 3, in ms, for each form,
 * and their ratio; the YAML load is the baseline.
 */
import { stringify } from "yaml";
import { loadTexts } from "../../controller/load/index.js";
import type { Scenario } from "../scenario.js";

const env = { OMNIA_SECRET_PIN: "483920" };

/** The two texts for `n` extensions. */
function texts(n: number): { json: string; yaml: string } {
  const doc = (kind: string, metadata: object, spec: object) =>
    stringify({ apiVersion: "omnia.kalliope.io/v1", kind, metadata, spec });
  const tenantSpec = {
    businessName: "ACME S.r.l.",
    customerCode: "ACME001",
    vatNumber: "08712340150",
    fiscalCode: "08712340150",
    omniaManager: true,
  };
  const yaml = [
    doc("Tenant", { name: "acme" }, tenantSpec),
    doc("Pbx", { name: "hq", tenant: "ACME001" }, { kind: "single" }),
  ];
  const extensions: Record<string, object> = {};
  for (let i = 0; i < n; i++) {
    const number = String(100000 + i);
    extensions[`ext_${number}`] = {
      "//": { metadata: { path: `partner/acme/hq/ext-${number}`, uniqueId: `ext_${number}` } },
      tenant: "${kalliope_tenant.acme.customer_code}",
      pbx: "${kalliope_pbx.hq.name}",
      number,
      license: "start",
      pin_from_env: "OMNIA_SECRET_PIN",
    };
    yaml.push(
      doc(
        "Extension",
        { name: `e${number}`, tenant: "ACME001", pbx: "hq" },
        { number, license: "start", pin: { fromEnv: "OMNIA_SECRET_PIN" } },
      ),
    );
  }
  const json = JSON.stringify(
    {
      resource: {
        kalliope_tenant: {
          acme: {
            name: "acme",
            business_name: "ACME S.r.l.",
            customer_code: "ACME001",
            vat_number: "08712340150",
            fiscal_code: "08712340150",
            omnia_manager: true,
          },
        },
        kalliope_pbx: { hq: { name: "hq", tenant: "${kalliope_tenant.acme.customer_code}", kind: "single" } },
        kalliope_extension: extensions,
      },
    },
    null,
    2,
  );
  return { json, yaml: yaml.join("---\n") };
}

/** Best of three loads of `path` holding `text`, in ms; throws on any problem. */
function bestOf3(path: string, text: string): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const r = loadTexts(new Map([[path, text]]), { env });
    best = Math.min(best, performance.now() - start);
    if (r.problems.length > 0) throw new Error(`bench input has problems: ${r.problems[0]?.message}`);
  }
  return best;
}

const scenario: Scenario = {
  name: "load-cdktf",
  description: "load N extensions from a synthesized cdk.tf.json and from YAML, same run (best of 3)",
  async run() {
    const figures: Record<string, number> = {};
    for (const n of [1000, 10000]) {
      const { json, yaml } = texts(n);
      const yamlMs = bestOf3("/bench/all.yaml", yaml);
      const jsonMs = bestOf3("/bench/cdktf.out/stacks/partner/cdk.tf.json", json);
      const k = `${n / 1000}k`;
      figures[`yaml_${k}_ms`] = Math.round(yamlMs);
      figures[`cdktf_${k}_ms`] = Math.round(jsonMs);
      figures[`cdktf_over_yaml_${k}`] = Math.round((jsonMs / yamlMs) * 100) / 100;
    }
    return figures;
  },
};
export default scenario;
