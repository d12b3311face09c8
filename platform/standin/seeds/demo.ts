/**
 * Seed `demo`: the customers of `examples/gitops-partner` on the `demo` partner, PARTLY
 * DRIFTED so that `omnia plan` against the stand-in has something to fix. The drift is
 * listed in `demoDrift` (one place; tests and the demo script read it from here).
 * Objects are created through the same platform rules as the API (ops/), then settled.
 */
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { findUp } from "../../contract.js";
import type { OpCtx } from "../ops/context.js";
import { createCustomer, setCustomerStatus } from "../ops/customers.js";
import { createExtension } from "../ops/extensions.js";
import { createNumber } from "../ops/numbers.js";
import { createPbx } from "../ops/pbxs.js";
import { createTrunk } from "../ops/trunks.js";
import { createUser, userByEmail } from "../ops/users.js";
import type { PartnerRec, StandinState } from "../state.js";

/** The example partner repository the demo seed reads (found from sources or build). */
export const defaultExamplesDir = findUp(
  join("examples", "gitops-partner"),
  dirname(fileURLToPath(import.meta.url)),
);

/** How the seeded platform differs from the example repository, on purpose. */
export const demoDrift = {
  /** Customer codes left out entirely (the engine must create them). */
  missingCustomers: ["CONTI-LEGAL"],
  /** Extensions left out, as `customerCode/pbx/number`. */
  missingExtensions: [
    "BRAMBILLA01/sede-milano/218",
    "BRAMBILLA01/sede-milano/219",
    "BRAMBILLA01/sede-milano/220",
  ],
  /** Extensions whose license is the other one. */
  flippedLicense: ["BRAMBILLA01/sede-milano/201"],
  /** Trunks whose endpoint differs, by `customerCode/name`. */
  trunkEndpoints: { "BRAMBILLA01/fastweb-milano": "sip-old.fastweb-voip.example:5060" } as Record<
    string,
    string
  >,
  /** PBXs whose hotel module is toggled, by `customerCode/name`. */
  hotelToggled: ["BRAMBILLA01/sede-milano"],
  /** PBXs whose call-center license is toggled (a drift-mode `warn` tenant: reported, not fixed). */
  callCenterToggled: ["HLM-STRESA/hotel-stresa"],
  /** Extensions made by hand on the platform, not in the repository. */
  extraExtensions: [
    { customer: "BRAMBILLA01", pbx: "sede-milano", number: "299", license: "start" as const },
  ],
};

interface Doc {
  kind: string;
  metadata: { name: string; tenant?: string; pbx?: string };
  spec: Record<string, unknown>;
  file: string;
}

async function yamlFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await yamlFiles(path)));
    else if (/\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** Reads every manifest document of the example repository. */
export async function readExampleDocs(dir: string = defaultExamplesDir): Promise<Doc[]> {
  const docs: Doc[] = [];
  for (const file of await yamlFiles(join(dir, "customers"))) {
    for (const d of parseAllDocuments(await readFile(file, "utf8"))) {
      const value = d.toJS() as Omit<Doc, "file"> | null;
      if (value?.kind) docs.push({ ...value, file });
    }
  }
  return docs;
}

/** A secret's value from `fromFile` (relative to its manifest), else a demo value. */
async function secret(ref: unknown, file: string, fallback: string): Promise<string> {
  const path = (ref as { fromFile?: string } | undefined)?.fromFile;
  if (!path) return fallback;
  try {
    return (await readFile(resolve(dirname(file), path), "utf8")).trim();
  } catch {
    return fallback;
  }
}

const monthsAgo = (now: Date, n: number) =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, 5)).toISOString();

/** Fills the state with the drifted demo data for `partner`. */
export async function seedDemo(
  state: StandinState,
  partner: PartnerRec,
  examplesDir = defaultExamplesDir,
): Promise<void> {
  const now = new Date();
  const ctx: OpCtx = {
    state,
    partner,
    actor: `seed@${partner.domain}`,
    ip: "127.0.0.1",
    now,
    pendingDelayMs: 0,
  };
  const docs = (await readExampleDocs(examplesDir)).filter(
    (d) =>
      !demoDrift.missingCustomers.includes(
        d.kind === "Tenant" ? String(d.spec.customerCode) : (d.metadata.tenant ?? ""),
      ),
  );
  const of = (kind: string) => docs.filter((d) => d.kind === kind);
  const customerIds = new Map<string, string>();
  const ids = new Map<string, string>();

  for (const [i, d] of of("Tenant").entries()) {
    const { status, ...spec } = d.spec;
    const c = createCustomer(ctx, spec as never);
    c.createdAt = monthsAgo(now, of("Tenant").length - i);
    if (status === "suspended") setCustomerStatus(ctx, c.id, "suspended");
    customerIds.set(c.customerCode, c.id);
  }
  const cid = (d: Doc) => customerIds.get(d.metadata.tenant ?? "") ?? "";
  for (const d of of("User")) createUser(ctx, cid(d), d.spec as never);
  for (const d of of("SipTrunk")) {
    const key = `${d.metadata.tenant}/${d.metadata.name}`;
    const { password, ...spec } = d.spec;
    const pw = password ? { password: await secret(password, d.file, "demo-password") } : {};
    const input = {
      ...spec,
      name: d.metadata.name,
      ...pw,
      endpoint: demoDrift.trunkEndpoints[key] ?? spec.endpoint,
    };
    const t = createTrunk(ctx, cid(d), input as never);
    ids.set(`SipTrunk/${key}`, t.id);
  }
  for (const d of of("Pbx")) {
    const key = `${d.metadata.tenant}/${d.metadata.name}`;
    const { status, ...spec } = d.spec as { status?: string; hotel?: boolean; callCenter?: boolean };
    const p = createPbx(ctx, cid(d), {
      ...spec,
      name: d.metadata.name,
      hotel: (spec.hotel ?? false) !== demoDrift.hotelToggled.includes(key),
      callCenter: (spec.callCenter ?? false) !== demoDrift.callCenterToggled.includes(key),
    } as never);
    if (status === "suspended") p.status = "suspended";
    ids.set(`Pbx/${key}`, p.id);
  }
  for (const d of of("Number")) {
    const s = d.spec as { number: string; blockDigits: 1 | 2 | 3; pbx: string; trunk: string };
    const trunkId = ids.get(`SipTrunk/${d.metadata.tenant}/${s.trunk}`) ?? "";
    const pbxId = ids.get(`Pbx/${d.metadata.tenant}/${s.pbx}`) ?? "";
    createNumber(ctx, cid(d), { number: s.number, blockDigits: s.blockDigits, trunkId, pbxId });
  }
  for (const d of of("Extension")) {
    const s = d.spec as {
      number: string;
      license: "start" | "plus";
      pin: unknown;
      status?: string;
      user?: { email: string; firstName?: string; lastName?: string };
    };
    const key = `${d.metadata.tenant}/${d.metadata.pbx}/${s.number}`;
    if (demoDrift.missingExtensions.includes(key)) continue;
    const license = demoDrift.flippedLicense.includes(key)
      ? s.license === "plus"
        ? "start"
        : "plus"
      : s.license;
    const existing = s.user ? userByEmail(ctx, cid(d), s.user.email) : undefined;
    const user = existing
      ? { userId: existing.id }
      : s.user?.firstName && s.user.lastName
        ? { newUser: { email: s.user.email, firstName: s.user.firstName, lastName: s.user.lastName } }
        : {};
    const pbxId = ids.get(`Pbx/${d.metadata.tenant}/${d.metadata.pbx}`) ?? "";
    const e = createExtension(ctx, cid(d), pbxId, {
      number: s.number,
      license,
      pin: await secret(s.pin, d.file, "0000"),
      ...user,
    });
    if (s.status === "suspended") e.status = "suspended";
  }
  for (const x of demoDrift.extraExtensions) {
    const pbxId = ids.get(`Pbx/${x.customer}/${x.pbx}`);
    if (pbxId)
      createExtension(ctx, customerIds.get(x.customer) ?? "", pbxId, {
        number: x.number,
        license: x.license,
        pin: "4321",
      });
  }
}
