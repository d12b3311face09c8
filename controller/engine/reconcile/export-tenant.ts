/**
 * `omnia export` without the command line: observe one tenant, write it as manifests, and
 * (unless told not to) record its objects in the inventory as managed by the source, so
 * that planning the written folder right away shows no change. Secrets the platform holds
 * are recorded as `unknownSecretHash`: the next run takes the declared values as the live
 * ones (see run.ts), since the platform never returns them.
 */
import { mkdir, readdir, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { liveToManifests, toDocName } from "../../export/manifests-from-live.js";
import type { InventoryEntry } from "../../model/inventory.js";
import type { AnyLiveResource } from "../../model/live-state.js";
import { heldSecretPaths } from "../../model/registry.js";
import { collect } from "../adapters/common.js";
import type { PlatformPort } from "../adapters/platform-port.js";
import { EngineError } from "../errors.js";
import { observe } from "../observe/observe.js";
import { unknownSecretHash } from "./secrets.js";

export const errTenantNotFound = "no customer on the platform has this code or name";
/** The name given matches more than one customer. */
export const errTenantAmbiguous = "more than one customer has this name; give its customer code";

/** Most customers listed in a not-found message. */
const maxListed = 20;

/**
 * The customer code `asked` names: a customer code (any letter case), or the name a
 * person sees in the Tenant manifest or on the platform (`ferramenta-brambilla`, or
 * "Ferramenta Brambilla S.r.l."), compared as metadata names are written. Throws
 * `EngineError(errTenantNotFound)` listing the codes that exist, or
 * `EngineError(errTenantAmbiguous)` listing the candidates.
 */
export function resolveTenantCode(
  customers: readonly { customerCode: string; businessName: string }[],
  asked: string,
): string {
  const exact = customers.find((c) => c.customerCode === asked);
  if (exact) return exact.customerCode;
  const upper = customers.filter((c) => c.customerCode.toUpperCase() === asked.toUpperCase());
  if (upper.length === 1) return (upper[0] as { customerCode: string }).customerCode;
  const name = toDocName(asked);
  const byName = customers.filter((c) => {
    const business = toDocName(c.businessName);
    return business === name || business.startsWith(`${name}-`);
  });
  const list = (cs: readonly { customerCode: string; businessName: string }[]) =>
    cs
      .slice(0, maxListed)
      .map((c) => `${c.customerCode} (${c.businessName})`)
      .join(", ") + (cs.length > maxListed ? `, and ${cs.length - maxListed} more` : "");
  if (byName.length === 1) return (byName[0] as { customerCode: string }).customerCode;
  if (byName.length > 1) throw new EngineError(errTenantAmbiguous, `${asked}: ${list(byName)}`);
  const codes = [...customers].sort((a, b) => (a.customerCode < b.customerCode ? -1 : 1));
  throw new EngineError(
    errTenantNotFound,
    codes.length === 0
      ? `${asked}; the platform has no customer yet`
      : `${asked}; the platform has: ${list(codes)}`,
  );
}
export const errOutNotEmpty =
  "the output folder already holds this tenant; pass --force to overwrite its files";

/** What export records in the store. */
export interface ExportStore {
  listInventory(): Promise<InventoryEntry[]>;
  upsertInventory(entry: InventoryEntry): Promise<void>;
}

/** Options of `exportTenant`. */
export interface ExportTenantOptions {
  tenant: string;
  /** Folder the tenant's folder goes into. */
  out: string;
  /** Source that adopts the objects (its inventory name). */
  source: string;
  /** Record the objects in the inventory. Default true. */
  adopt?: boolean;
  /** Overwrite an existing tenant folder. Default false. */
  force?: boolean;
}

/** What export wrote and recorded. */
export interface ExportResult {
  /** The customer code exported (the one asked for, or the one its name resolved to). */
  tenant: string;
  files: string[];
  /** Environment variables the manifests read secrets from. */
  secretVariables: string[];
  adopted: number;
  warnings: string[];
}

/** Exports one tenant. */
export async function exportTenant(
  client: PlatformPort,
  store: ExportStore | undefined,
  options: ExportTenantOptions,
): Promise<ExportResult> {
  const code = resolveTenantCode(await collect(client.customers.list()), options.tenant);
  const live = await observe(client, { tenants: [code] });
  if (live.tenants.length === 0) throw new EngineError(errTenantNotFound, code);
  const tenantDir = join(options.out, code);
  if (!options.force && (await nonEmpty(tenantDir))) throw new EngineError(errOutNotEmpty, tenantDir);

  const manifests = liveToManifests(live, { outDir: options.out });
  const secretVariables = manifests.flatMap((m) => m.secretVariables);
  const files: string[] = [];
  const write = async (path: string, content: string) => {
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, content, "utf8");
    await rename(tmp, path);
    files.push(path);
  };
  for (const m of manifests) await write(join(options.out, m.path), m.content);
  if (secretVariables.length > 0) {
    const example = [
      "# Secrets of the exported manifests: the platform never returns PINs or trunk passwords.",
      "# Set each variable (e.g. from your CI secret store) before omnia apply; never commit values.",
      ...secretVariables.map((v) => `${v}=`),
    ];
    await write(join(tenantDir, "secrets.env.example"), `${example.join("\n")}\n`);
  }

  const warnings: string[] = [];
  let adopted = 0;
  if (store && options.adopt !== false) {
    const source = options.source;
    const existing = new Map<string, InventoryEntry>();
    for (const e of await store.listInventory()) existing.set(e.key, e);
    const all: AnyLiveResource[] = [
      ...live.tenants,
      ...live.users,
      ...live.trunks,
      ...live.pbxs,
      ...live.numbers,
      ...live.extensions,
    ];
    for (const r of all) {
      const had = existing.get(r.key);
      if (had && had.source !== source) {
        warnings.push(`${r.key} is managed by source "${had.source}": not adopted by "${source}"`);
        continue;
      }
      await store.upsertInventory({
        key: r.key,
        kind: r.kind,
        tenant: r.tenant,
        platformId: r.id,
        source,
        state: "managed",
        secretHashes: had?.state === "managed" ? had.secretHashes : unknownSecrets(r),
        deletionPolicy: had?.deletionPolicy ?? "delete",
      });
      adopted++;
    }
  }
  return { tenant: code, files, secretVariables, adopted, warnings };
}

/** The secrets a live object holds, as unknown hashes. */
function unknownSecrets(r: AnyLiveResource): Record<string, string> {
  return Object.fromEntries(heldSecretPaths(r.kind, r.facts).map((path) => [path, unknownSecretHash]));
}

async function nonEmpty(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch {
    return false;
  }
}
