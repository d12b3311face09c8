/**
 * `omnia export`: the live platform written as manifests, so that an existing customer can
 * be adopted into a GitOps repository. One folder per tenant (its customer code), one file
 * per kind. Loading the files gives back the live state as a desired state.
 *
 * Secrets: the platform never returns PINs or trunk passwords, so each is written as a
 * `fromEnv` reference the user must provide before `omnia apply`:
 *   extension PIN   OMNIA_SECRET_PIN_<TENANT>_<PBX>_<NUMBER>        (as `omnia import-sheet` names them)
 *   trunk password  OMNIA_SECRET_TRUNK_PASSWORD_<TENANT>_<TRUNK>    (only for trunks that have one)
 * upper-case, every character other than A-Z, 0-9 and `_` as `_`.
 */
import { join } from "node:path";
import type { KindName } from "../model/desired-state.js";
import type { AnyLiveResource, LiveState } from "../model/live-state.js";
import { currentApiVersion, exportPath } from "../model/registry.js";
import { pinEnvName } from "../sheet/extensions-from-sheet.js";
import { renderManifestFile, schemaRefFrom } from "./yaml.js";

/** One file to write: its path relative to the output folder, and its text. */
export interface ManifestFile {
  path: string;
  content: string;
  /** Environment variables the documents of this file read their secrets from. */
  secretVariables: string[];
}

/** Options of `liveToManifests`. */
export interface ExportOptions {
  /** Output folder; only used to point each file's schema comment at schemas/. Default ".". */
  outDir?: string;
  /** Schema file to point at (tests); default this package's schemas/omnia-manifest.schema.json. */
  schemaPath?: string;
}

/** The environment variable of a trunk's password: `OMNIA_SECRET_TRUNK_PASSWORD_<TENANT>_<TRUNK>`. */
export function trunkPasswordEnvName(tenant: string, trunk: string): string {
  return `OMNIA_SECRET_TRUNK_PASSWORD_${tenant}_${trunk}`.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
}

/** A valid metadata.name made from any text: lower-case, `-` between words, at most 63 characters. */
export function toDocName(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 63)
    .replace(/^-+|-+$/g, "");
  return name === "" ? "unnamed" : name;
}

const apiVersion = currentApiVersion;

/** Writes each tenant of `live` as manifest files under `<customerCode>/`. */
export function liveToManifests(live: LiveState, options: ExportOptions = {}): ManifestFile[] {
  const files: ManifestFile[] = [];
  for (const tenant of [...live.tenants].sort((a, b) => a.tenant.localeCompare(b.tenant))) {
    const code = tenant.tenant;
    const dir = code;
    const schemaRef = schemaRefFrom(join(options.outDir ?? ".", dir), options.schemaPath);
    const of = <R extends AnyLiveResource>(list: R[]): R[] => list.filter((r) => r.tenant === code);
    const names = new UniqueNames();
    const add = (kind: KindName, docs: object[], secretVariables: string[] = [], header: string[] = []) => {
      if (docs.length === 0) return;
      files.push({
        path: exportPath(kind, dir),
        content: renderManifestFile(docs, schemaRef, header),
        secretVariables,
      });
    };
    const meta = (kind: KindName, name: string, extra: Record<string, string> = {}) => ({
      name: names.take(kind, name),
      tenant: code,
      ...extra,
    });

    const { status, ...tenantSpec } = tenant.spec;
    add("Tenant", [
      {
        apiVersion,
        kind: "Tenant",
        metadata: { name: names.take("Tenant", toDocName(code)) },
        spec: { ...tenantSpec, ...suspended(status) },
      },
    ]);

    const users = of(live.users).sort(byKey);
    add(
      "User",
      users.map((u) => ({
        apiVersion,
        kind: "User",
        metadata: meta("User", toDocName(u.spec.email.split("@")[0] ?? "")),
        spec: u.spec,
      })),
    );

    const trunks = of(live.trunks).sort(byKey);
    const trunkVars: string[] = [];
    add(
      "SipTrunk",
      trunks.map((t) => {
        const name = t.name ?? toDocName(t.key);
        const spec: Record<string, unknown> = { ...t.spec };
        if (t.facts.hasPassword === true) {
          const variable = trunkPasswordEnvName(code, name);
          trunkVars.push(variable);
          spec.password = { fromEnv: variable };
        }
        return { apiVersion, kind: "SipTrunk", metadata: meta("SipTrunk", name), spec };
      }),
      trunkVars,
      trunkVars.length > 0
        ? [
            "Trunk passwords are read from OMNIA_SECRET_TRUNK_PASSWORD_<TENANT>_<TRUNK>; set them before omnia apply.",
          ]
        : [],
    );

    const pbxs = of(live.pbxs).sort(byKey);
    add(
      "Pbx",
      pbxs.map((p) => {
        const { status: pbxStatus, ...spec } = p.spec;
        return {
          apiVersion,
          kind: "Pbx",
          metadata: meta("Pbx", p.name ?? toDocName(p.key)),
          spec: { ...spec, ...suspended(pbxStatus) },
        };
      }),
    );

    const numbers = of(live.numbers).sort(byKey);
    add(
      "Number",
      numbers.map((n) => ({
        apiVersion,
        kind: "Number",
        metadata: meta("Number", toDocName(`did-${n.spec.number}`)),
        spec: n.spec,
      })),
    );

    const extensions = of(live.extensions).sort(
      (a, b) =>
        (a.pbx ?? "").localeCompare(b.pbx ?? "") ||
        a.spec.number.localeCompare(b.spec.number, undefined, { numeric: true }),
    );
    const pinVars: string[] = [];
    add(
      "Extension",
      extensions.map((e) => {
        const pbx = e.pbx ?? "";
        const variable = pinEnvName(code, pbx, e.spec.number);
        pinVars.push(variable);
        const { status: extStatus, user, ...rest } = e.spec;
        const spec: Record<string, unknown> = { ...rest, pin: { fromEnv: variable } };
        if (user) spec.user = { email: user.email };
        Object.assign(spec, suspended(extStatus));
        return {
          apiVersion,
          kind: "Extension",
          metadata: meta("Extension", toDocName(`${pbx}-${e.spec.number}`), { pbx }),
          spec,
        };
      }),
      pinVars,
      [
        "PINs are read from OMNIA_SECRET_PIN_<TENANT>_<PBX>_<NUMBER>; the platform never returns them: set them before omnia apply.",
      ],
    );
  }
  return files;
}

/** `status: suspended` when suspended; nothing for active (the schema's default). */
const suspended = (status: string | undefined): { status?: "suspended" } =>
  status === "suspended" ? { status: "suspended" } : {};

const byKey = (a: AnyLiveResource, b: AnyLiveResource): number => a.key.localeCompare(b.key);

/** Document names unique per kind within a tenant: a clash gets `-2`, `-3`, ... */
class UniqueNames {
  readonly #taken = new Map<KindName, Set<string>>();
  take(kind: KindName, wanted: string): string {
    const taken = this.#taken.get(kind) ?? new Set<string>();
    this.#taken.set(kind, taken);
    let name = wanted;
    for (let i = 2; taken.has(name); i++) {
      const suffix = `-${i}`;
      name = `${wanted.slice(0, 63 - suffix.length).replace(/-+$/, "")}${suffix}`;
    }
    taken.add(name);
    return name;
  }
}
