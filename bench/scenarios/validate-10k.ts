/**
 * Loads and validates a generated partner repository of 10,000 extensions (50 tenants,
 * 200 PBXs, 400 number blocks, inline and declared users), as `omnia validate` does.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vatCheckDigit } from "../../controller/load/formats.js";
import { loadDirectory } from "../../controller/load/index.js";
import type { Scenario } from "../scenario.js";

/** Sizes of the generated repository. */
export interface RepoShape {
  tenants: number;
  pbxsPerTenant: number;
  extensionsPerPbx: number;
}

/**
 * Writes a valid repository of `shape` under `dir` (a folder per tenant, a file per PBX)
 * and returns the environment its PINs and trunk passwords come from.
 */
export async function writeLargeRepo(dir: string, shape: RepoShape): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const head = (kind: string, meta: string) =>
    `apiVersion: omnia.kalliope.io/v1\nkind: ${kind}\nmetadata: ${meta}\n`;
  let extSeq = 0;
  for (let t = 0; t < shape.tenants; t++) {
    const code = `CUST${String(t).padStart(4, "0")}`;
    // A company number and office code 001 (formats.ts refuses office codes the agency never gives).
    const vat10 = `${String(1000000 + t * 7919).slice(0, 7)}001`;
    const vat = vat10 + vatCheckDigit(vat10);
    const domain = `${code.toLowerCase()}.example`;
    const folder = join(dir, "customers", code.toLowerCase());
    await mkdir(folder, { recursive: true });
    env[`OMNIA_SECRET_TRUNK_${code}`] = `trunk-secret-${t}`;
    const base = [
      `${head("Tenant", `{name: ${code.toLowerCase()}${t % 5 === 0 ? ", driftMode: warn" : ""}}`)}spec:\n  businessName: Cliente ${t} S.r.l.\n  customerCode: ${code}\n  vatNumber: "${vat}"\n  fiscalCode: "${vat}"\n`,
      `${head("User", `{name: admin, tenant: ${code}}`)}spec: {firstName: Anna, lastName: Admin, email: admin@${domain}, adminConsoleRole: admin, omniaManagerRole: pbxAdmin}\n`,
      `${head("User", `{name: desk, tenant: ${code}}`)}spec: {firstName: Dario, lastName: Desk, email: desk@${domain}}\n`,
      `${head("SipTrunk", `{name: main, tenant: ${code}}`)}spec: {description: Main trunk, operator: Fastweb, endpoint: "sip.fastweb.example:5060", authRequired: true, username: ${code}, password: {fromEnv: OMNIA_SECRET_TRUNK_${code}}}\n`,
    ];
    await writeFile(join(folder, "tenant.yaml"), base.join("---\n"));
    const numbers: string[] = [];
    for (let p = 0; p < shape.pbxsPerTenant; p++) {
      const pbx = `pbx-${p}`;
      const group = p % 2 === 1;
      const docs = [
        `${head("Pbx", `{name: ${pbx}, tenant: ${code}}`)}spec: {kind: ${group ? `group, group: ring-${t % 10}` : "single"}, callCenter: ${p === 0}}\n`,
      ];
      for (let e = 0; e < shape.extensionsPerPbx; e++) {
        // Group PBXs share numbering across tenants: give their extensions globally unique numbers.
        const number = group ? String(100000 + extSeq) : String(200 + e);
        const pinVar = `OMNIA_SECRET_PIN_${code}_${p}_${number}`;
        env[pinVar] = String(100000 + ((extSeq * 7919) % 900000));
        let user = "";
        if (e % 5 === 0)
          user = `  user: {email: u${extSeq}@${domain}, firstName: Nome${e}, lastName: Cognome${e}}\n`;
        else if (e % 7 === 0) user = `  user: {email: desk@${domain}}\n`;
        docs.push(
          `${head("Extension", `{name: ${pbx}-${number}, tenant: ${code}, pbx: ${pbx}}`)}spec:\n  number: "${number}"\n  license: ${e % 3 === 0 ? "plus" : "start"}\n  pin: {fromEnv: ${pinVar}}\n${user}`,
        );
        extSeq++;
      }
      await writeFile(join(folder, `${pbx}.yaml`), docs.join("---\n"));
      for (let b = 0; b < 2; b++) {
        const block = `+390${String(2000000 + t * 100 + p * 2 + b).padStart(7, "0")}00`;
        numbers.push(
          `${head("Number", `{name: n${block.slice(1)}, tenant: ${code}}`)}spec: {number: "${block}", blockDigits: 2, pbx: ${pbx}, trunk: main}\n`,
        );
      }
    }
    await writeFile(join(folder, "numbers.yaml"), numbers.join("---\n"));
  }
  return env;
}

const scenario: Scenario = {
  name: "validate-10k",
  description: "loadDirectory on a generated repository of 10,000 extensions (50 tenants, 200 PBXs)",
  async run() {
    const dir = await mkdtemp(join(tmpdir(), "omnia-bench-validate-"));
    try {
      const genStart = performance.now();
      const env = await writeLargeRepo(dir, { tenants: 50, pbxsPerTenant: 4, extensionsPerPbx: 50 });
      const generateMs = Math.round(performance.now() - genStart);
      const start = performance.now();
      const cold = await loadDirectory(dir, { env });
      const loadMs = Math.round(performance.now() - start);
      const warmStart = performance.now();
      await loadDirectory(dir, { env });
      const warmLoadMs = Math.round(performance.now() - warmStart);
      if (cold.problems.length > 0) {
        throw new Error(`generated repository has problems: ${JSON.stringify(cold.problems.slice(0, 3))}`);
      }
      return {
        files: cold.files,
        documents: cold.documents,
        extensions: cold.state.extensions.length,
        users: cold.state.users.length,
        problems: cold.problems.length,
        generateMs,
        loadMs,
        warmLoadMs,
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export default scenario;
