/**
 * Test helpers: write manifest files into a fresh temporary folder and load them.
 * Each test gets its own folder; `cleanupRepos()` removes them all.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type LoadOptions, type LoadResult, loadDirectory } from "../load/index.js";

const made: string[] = [];

/** Writes `files` (path in the repo -> text) into a new temporary folder and returns it. */
export async function writeRepo(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "omnia-load-"));
  made.push(dir);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

/** Writes `files` and loads them; problem paths are made relative to the repo for easy comparison. */
export async function loadRepo(
  files: Record<string, string>,
  options: LoadOptions = {},
): Promise<LoadResult & { dir: string }> {
  const dir = await writeRepo(files);
  const result = await loadDirectory(dir, { env: {}, ...options });
  const strip = (s: string) => s.split(`${dir}/`).join("");
  for (const p of result.problems) {
    p.file = strip(p.file);
    p.message = strip(p.message);
  }
  return { ...result, dir };
}

/** Removes every folder `writeRepo` made. */
export async function cleanupRepos(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/**
 * A small valid repository to build cases on: tenant ACME001 with PBXs `hq` (single) and
 * `north` (group `g1`), trunk `main`, user giulia.rossi@acme.example; tenant BETA002 with PBX
 * `south` (group `g1`).
 */
export const baseRepo: Record<string, string> = {
  "base/acme.yaml": `apiVersion: omnia.kalliope.io/v1
kind: Tenant
metadata: {name: acme}
spec: {businessName: ACME S.r.l., customerCode: ACME001, vatNumber: "08712340150", fiscalCode: "08712340150"}
---
apiVersion: omnia.kalliope.io/v1
kind: Pbx
metadata: {name: hq, tenant: ACME001}
spec: {kind: single}
---
apiVersion: omnia.kalliope.io/v1
kind: Pbx
metadata: {name: north, tenant: ACME001}
spec: {kind: group, group: g1}
---
apiVersion: omnia.kalliope.io/v1
kind: SipTrunk
metadata: {name: main, tenant: ACME001}
spec: {description: Main, operator: Fastweb, endpoint: sip.example.net}
---
apiVersion: omnia.kalliope.io/v1
kind: User
metadata: {name: giulia, tenant: ACME001}
spec: {firstName: Giulia, lastName: Rossi, email: giulia.rossi@acme.example}
`,
  "base/beta.yaml": `apiVersion: omnia.kalliope.io/v1
kind: Tenant
metadata: {name: beta, driftMode: warn}
spec: {businessName: Beta S.p.A., customerCode: BETA002, vatNumber: "01987650031", fiscalCode: "CNTMRC72C14H501E"}
---
apiVersion: omnia.kalliope.io/v1
kind: Pbx
metadata: {name: south, tenant: BETA002}
spec: {kind: group, group: g1}
`,
};

/** A document header for the test's own file. */
export const head = (kind: string, metadata: string) =>
  `apiVersion: omnia.kalliope.io/v1\nkind: ${kind}\nmetadata: ${metadata}\n`;
