// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Terraform's templates are what these tests are about
/**
 * `omnia validate` and `omnia plan` on a synthesized `cdk.tf.json` (a real `cdktf synth` of
 * examples/gitops-partner's hotel-lago-maggiore): the plan against the stand-in equals the
 * plan of the YAML it was made from, and a bad stack is refused naming the construct.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { useStandinAndCli } from "../../test-support/cli.js";
import { runCli } from "../main.js";

const setup = useStandinAndCli();
const root = join(import.meta.dirname, "..", "..", "..");
const example = relative(process.cwd(), join(root, "examples", "gitops-partner"));
const hotelYaml = join(example, "customers", "hotel-lago-maggiore");
const stack = relative(
  process.cwd(),
  join(
    root,
    "controller",
    "load",
    "fixtures",
    "cdktf",
    "hotel",
    "cdktf.out",
    "stacks",
    "partner",
    "cdk.tf.json",
  ),
);
const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Runs `omnia validate` in-process with `env` added, capturing what it writes (validate takes no state folder). */
async function validate(path: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  let out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  const code = await runCli(["validate", path]);
  vi.restoreAllMocks();
  return { code, out };
}

/** The PINs of the YAML example's secret files, as the variables the stack names. */
async function pinsEnv(): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (let n = 1001; n <= 1014; n++) {
    const file = join(example, "secrets", "hotel-lago-maggiore", `pin-hotel-stresa-${n}.txt`);
    env[`OMNIA_SECRET_PIN_HOTEL_STRESA_${n}`] = (await readFile(file, "utf8")).trim();
  }
  return env;
}

describe("omnia on a synthesized cdk.tf.json", () => {
  it("validates the stack given by its path", async () => {
    const r = await validate(stack, await pinsEnv());
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^valid: /);
  });

  it("refuses a bad stack with file:line:col, the construct path and the message", async () => {
    const dir = await mkdtemp(join(tmpdir(), "omnia-cdktf-cli-"));
    made.push(dir);
    const text = await readFile(stack, "utf8");
    const file = join(dir, "cdk.tf.json");
    await writeFile(file, text.replace('"license": "plus"', '"license": "${var.license}"'));
    const r = await validate(file, await pinsEnv());
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `cdk.tf.json:27:20 (partner/hotel-lago-maggiore/hotel-stresa/hotel-stresa-1001): cannot resolve "\${var.license}": it reads an input variable;`,
    );
  });

  it("plans the same changes as the YAML it was synthesized from", async () => {
    const env = await pinsEnv();
    const fromYaml = await setup.cli.run(
      ["plan", hotelYaml, "--json", "--secrets-root", example, "--source", "yaml"],
      env,
    );
    expect(fromYaml.code, fromYaml.stderr).toBe(0);
    const fromJson = await setup.cli.run(["plan", stack, "--json", "--source", "cdktf"], env);
    expect(fromJson.code, fromJson.stderr).toBe(0);
    // Places differ by construction (a YAML line, a JSON line); everything else must not.
    const withoutPlaces = (out: string): unknown =>
      JSON.parse(out, (k, v: unknown) => (k === "source" || k === "file" ? undefined : v));
    const yamlPlan = withoutPlaces(fromYaml.stdout);
    // The hotel's driftMode is warn: its 24 missing objects are drift to report, not creates.
    expect((yamlPlan as { drift: unknown[] }).drift.length).toBeGreaterThanOrEqual(24);
    expect(withoutPlaces(fromJson.stdout)).toEqual(yamlPlan);
    expect(fromJson.stdout).not.toContain(env.OMNIA_SECRET_PIN_HOTEL_STRESA_1001);
  });
});
