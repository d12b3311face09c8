/**
 * Property: any valid repository, written as YAML files, loads back into exactly the
 * resources it declares (keys, specs with defaults, policies, secrets), with no problem.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { AnyDesiredResource } from "../model/desired-state.js";
import { fiscalCodeCheckChar, vatCheckDigit } from "./formats.js";
import { allResources, loadDirectory } from "./index.js";

const nameArb = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
const textArb = fc.string({ minLength: 1, maxLength: 30 });
const statusArb = fc.constantFrom("active", "suspended");
const metaArb = fc.record(
  {
    labels: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), fc.string({ maxLength: 20 }), {
      maxKeys: 2,
    }),
    deletionPolicy: fc.constantFrom("delete", "orphan"),
    driftMode: fc.constantFrom("enforce", "warn", "observe"),
    ignore: fc.uniqueArray(fc.constantFrom("spec.department", "spec.status", "spec.description"), {
      maxLength: 2,
    }),
  },
  { requiredKeys: [] },
);
type Meta = {
  labels?: Record<string, string>;
  deletionPolicy?: string;
  driftMode?: string;
  ignore?: string[];
};

const extensionArb = fc.record({
  license: fc.constantFrom("start", "plus"),
  status: statusArb,
  meta: metaArb,
  user: fc.oneof(
    fc.constant({ type: "none" as const }),
    fc.record({ type: fc.constant("declared" as const), index: fc.nat() }),
    fc.record({ type: fc.constant("inline" as const), firstName: textArb, lastName: textArb }),
  ),
  pinFromFile: fc.boolean(),
});
const pbxArb = fc.record({
  name: nameArb,
  kind: fc.constantFrom("single", "shared", "group"),
  group: fc.constantFrom("g1", "g2"),
  callCenter: fc.boolean(),
  hotel: fc.boolean(),
  status: statusArb,
  meta: metaArb,
  extensions: fc.array(extensionArb, { maxLength: 4 }),
});
const trunkArb = fc.record({
  name: nameArb,
  description: textArb,
  operator: textArb,
  host: nameArb,
  port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  authRequired: fc.boolean(),
  username: fc.option(textArb, { nil: undefined }),
  password: fc.boolean(),
  meta: metaArb,
});
const userArb = fc.record({
  local: fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/),
  firstName: textArb,
  lastName: textArb,
  department: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  adminConsoleRole: fc.constantFrom("admin", "viewer", "none"),
  omniaManagerRole: fc.constantFrom("pbxAdmin", "viewer", "none"),
  mayManageCustomers: fc.boolean(),
  meta: metaArb,
});
const numberArb = fc.record({
  blockDigits: fc.constantFrom(1, 2, 3),
  pbx: fc.nat(),
  trunk: fc.nat(),
  meta: metaArb,
});
const tenantArb = fc.record({
  code: fc.stringMatching(/^[A-Z][A-Z0-9]{2,7}$/),
  name: nameArb,
  businessName: textArb,
  // A company number (not all zero) and an office code the agency gives (formats.ts).
  vat10: fc
    .tuple(
      fc.stringMatching(/^[0-9]{7}$/).filter((c) => c !== "0000000"),
      fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(120, 121, 888, 999)),
    )
    .map(([company, office]) => company + String(office).padStart(3, "0")),
  // A person's code with a birth date that exists (days 1-28 in any month, +40 for women).
  person: fc.option(
    fc
      .tuple(
        fc.stringMatching(/^[A-Z]{6}[0-9]{2}[ABCDEHLMPRST]$/),
        fc.integer({ min: 1, max: 28 }),
        fc.boolean(),
        fc.stringMatching(/^[A-Z][0-9]{3}$/),
      )
      .map(([head, day, woman, town]) => head + String(woman ? day + 40 : day).padStart(2, "0") + town),
    { nil: undefined },
  ),
  /** Whether the fiscal code is written in lower case (read as upper case). */
  lowerCase: fc.boolean(),
  omniaManager: fc.boolean(),
  status: statusArb,
  meta: metaArb,
  pbxs: fc.uniqueArray(pbxArb, { selector: (p) => p.name, maxLength: 3 }),
  trunks: fc.uniqueArray(trunkArb, { selector: (t) => t.name, maxLength: 2 }),
  users: fc.uniqueArray(userArb, { selector: (u) => u.local, maxLength: 3 }),
  numbers: fc.array(numberArb, { maxLength: 3 }),
});
const repoArb = fc.uniqueArray(tenantArb, { selector: (t) => t.code, minLength: 1, maxLength: 3 });
type Repo = typeof repoArb extends fc.Arbitrary<infer T> ? T : never;

/** What the loader must give for one resource, secrets as their values. */
interface Expected {
  kind: string;
  name: string;
  tenant: string;
  labels: Record<string, string>;
  policy: { deletionPolicy: string; driftMode: string; ignore: string[] };
  spec: Record<string, unknown>;
}

/** Renders a generated repository as files, the environment its secrets need, and the resources it declares. */
function render(repo: Repo) {
  const files: Record<string, string> = {};
  const env: Record<string, string> = {};
  const expected = new Map<string, Expected>();
  let ext = 0;
  let block = 0;
  const doc = (kind: string, metadata: Record<string, unknown>, spec: Record<string, unknown>) =>
    stringify({ apiVersion: "omnia.kalliope.io/v1", kind, metadata, spec });
  for (const t of repo) {
    const vat = t.vat10 + vatCheckDigit(t.vat10);
    const fiscalCode = t.person ? t.person + fiscalCodeCheckChar(t.person) : vat;
    const tenantDrift = t.meta.driftMode ?? "enforce";
    const policy = (m: Meta) => ({
      deletionPolicy: m.deletionPolicy ?? "delete",
      driftMode: m.driftMode ?? tenantDrift,
      ignore: m.ignore ?? [],
    });
    const expect = (key: string, kind: string, name: string, m: Meta, spec: Record<string, unknown>) =>
      expected.set(key, { kind, name, tenant: t.code, labels: m.labels ?? {}, policy: policy(m), spec });
    const docs: string[] = [];
    const emit = (
      kind: string,
      name: string,
      m: Meta & { pbx?: string },
      spec: Record<string, unknown>,
      tenant = true,
    ) => docs.push(doc(kind, { name, ...(tenant ? { tenant: t.code } : {}), ...m }, spec));

    const tenantSpec = {
      businessName: t.businessName,
      customerCode: t.code,
      vatNumber: vat,
      fiscalCode,
      // The manual's rule: PBXs, trunks, numbers and extensions need Omnia Manager enabled.
      omniaManager: t.omniaManager || t.pbxs.length + t.trunks.length > 0,
      status: t.status,
    };
    const written = { ...tenantSpec, fiscalCode: t.lowerCase ? fiscalCode.toLowerCase() : fiscalCode };
    emit("Tenant", t.name, t.meta, written, false);
    expect(`Tenant/${t.code}`, "Tenant", t.name, t.meta, tenantSpec);

    const emails = t.users.map((u) => `${u.local}@${t.code.toLowerCase()}.example`);
    t.users.forEach((u, i) => {
      const spec = {
        firstName: u.firstName,
        lastName: u.lastName,
        email: emails[i],
        ...(u.department === undefined ? {} : { department: u.department }),
        adminConsoleRole: u.adminConsoleRole,
        omniaManagerRole: u.omniaManagerRole,
        mayManageCustomers: u.mayManageCustomers,
      };
      emit("User", `u${i}`, u.meta, spec);
      expect(`User/${t.code}/${emails[i]}`, "User", `u${i}`, u.meta, spec);
    });
    for (const tr of t.trunks) {
      const spec: Record<string, unknown> = {
        description: tr.description,
        operator: tr.operator,
        endpoint: `${tr.host}.example.net${tr.port ? `:${tr.port}` : ""}`,
        authRequired: tr.authRequired,
        ...(tr.username === undefined ? {} : { username: tr.username }),
      };
      const variable = `OMNIA_SECRET_TRUNK_${t.code}_${tr.name.toUpperCase()}`;
      emit("SipTrunk", tr.name, tr.meta, tr.password ? { ...spec, password: { fromEnv: variable } } : spec);
      if (tr.password) env[variable] = `pw-${variable}`;
      expect(
        `SipTrunk/${t.code}/${tr.name}`,
        "SipTrunk",
        tr.name,
        tr.meta,
        tr.password ? { ...spec, password: env[variable] } : spec,
      );
    }
    for (const p of t.pbxs) {
      const spec = {
        kind: p.kind,
        ...(p.kind === "single" ? {} : { group: p.group }),
        callCenter: p.callCenter,
        hotel: p.hotel,
        status: p.status,
      };
      emit("Pbx", p.name, p.meta, spec);
      expect(`Pbx/${t.code}/${p.name}`, "Pbx", p.name, p.meta, spec);
      for (const e of p.extensions) {
        const number = String(100 + ext++);
        const pinValue = `9${number}`; // the platform's PIN: 4 to 10 digits
        let pin: Record<string, string> = { fromEnv: `OMNIA_SECRET_PIN_${number}` };
        if (e.pinFromFile) {
          // Paths start at the manifest's folder: odd documents go to more/b.yml (see below).
          pin = { fromFile: `${docs.length % 2 === 1 ? "../" : ""}pins/${number}.txt` };
          files[`${t.code}/pins/${number}.txt`] = `${pinValue}\n`;
        } else {
          env[`OMNIA_SECRET_PIN_${number}`] = pinValue;
        }
        let user: Record<string, string> | undefined;
        if (e.user.type === "declared" && emails.length > 0)
          user = { email: emails[e.user.index % emails.length] as string };
        if (e.user.type === "inline") {
          user = {
            email: `new${number}@${t.code.toLowerCase()}.example`,
            firstName: e.user.firstName,
            lastName: e.user.lastName,
          };
          const inlineSpec = {
            ...user,
            adminConsoleRole: "none",
            omniaManagerRole: "none",
            mayManageCustomers: false,
          };
          expected.set(`User/${t.code}/${user.email}`, {
            kind: "User",
            name: `new${number}`,
            tenant: t.code,
            labels: {},
            policy: policy({}),
            spec: inlineSpec,
          });
        }
        const extSpec = { number, license: e.license, ...(user ? { user } : {}), status: e.status };
        emit("Extension", `e${number}`, { pbx: p.name, ...e.meta }, { ...extSpec, pin });
        expect(`Extension/${t.code}/${p.name}/${number}`, "Extension", `e${number}`, e.meta, {
          ...extSpec,
          pin: pinValue,
        });
      }
    }
    if (t.pbxs.length > 0 && t.trunks.length > 0) {
      for (const n of t.numbers) {
        const number = `+3902${String(block++).padStart(4, "0")}000`;
        const spec = {
          number,
          blockDigits: n.blockDigits,
          pbx: t.pbxs[n.pbx % t.pbxs.length]?.name,
          trunk: t.trunks[n.trunk % t.trunks.length]?.name,
        };
        emit("Number", `n${number.slice(1)}`, n.meta, spec);
        expect(`Number/${number}`, "Number", `n${number.slice(1)}`, n.meta, spec);
      }
    }
    // Split each tenant over two files in two folders, even documents in one, odd in the other.
    files[`${t.code}/a.yaml`] = docs.filter((_, i) => i % 2 === 0).join("---\n");
    files[`${t.code}/more/b.yml`] = docs.filter((_, i) => i % 2 === 1).join("---\n");
  }
  return { files, env, expected };
}

/** A loaded resource in the shape of `Expected`. */
function actual(r: AnyDesiredResource): Expected {
  const spec: Record<string, unknown> = { ...r.spec };
  if (r.kind === "Extension") spec.pin = r.spec.pin.reveal();
  if (r.kind === "SipTrunk" && r.spec.password) spec.password = r.spec.password.reveal();
  return { kind: r.kind, name: r.name, tenant: r.tenant, labels: r.labels, policy: r.policy, spec };
}

describe("round trip", () => {
  it("loads any valid generated repository back into exactly what it declares", async () => {
    await fc.assert(
      fc.asyncProperty(repoArb, async (repo) => {
        const { files, env, expected } = render(repo);
        const dir = await mkdtemp(join(tmpdir(), "omnia-prop-"));
        try {
          for (const [path, text] of Object.entries(files)) {
            await mkdir(join(dir, path, ".."), { recursive: true });
            await writeFile(join(dir, path), text);
          }
          const { state, problems } = await loadDirectory(dir, { env });
          expect(problems).toEqual([]);
          const got = new Map(allResources(state).map((r) => [r.key, actual(r)]));
          expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected));
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  });
});
