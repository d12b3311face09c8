/**
 * Small random repositories for end-to-end properties: one tenant with a few users, at
 * most one trunk, one or two PBXs, number blocks and extensions, as manifest documents
 * (held in memory as a `MemorySource`, or written to a folder like a partner repository
 * for the CLI's tests) plus the environment their PINs and passwords come from. Tenant
 * codes are given by the caller so runs never collide.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { renderManifestFile } from "../export/yaml.js";
import { MemorySource } from "../sources/memory.js";

/** The shape of one random repository, independent of its tenant code. */
export interface WorldShape {
  users: { first: string; last: string; role: "admin" | "viewer" | "none"; department?: string }[];
  trunk?: { operator: string; password: boolean };
  pbxs: { callCenter: boolean; hotel: boolean; suspended: boolean }[];
  numbers: { pbx: number; block: number }[];
  extensions: { pbx: number; number: number; license: "start" | "plus"; user?: number; suspended: boolean }[];
}

const name = fc.constantFrom("Ada", "Grace", "Linus", "Barbara", "Alan", "Edsger");

/** Arbitrary world shapes, small enough to apply in well under a second. */
export const worldShape: fc.Arbitrary<WorldShape> = fc
  .record({
    users: fc.array(
      fc.record({
        first: name,
        last: name,
        role: fc.constantFrom("admin" as const, "viewer" as const, "none" as const),
        department: fc.option(fc.constantFrom("Sales", "IT"), { nil: undefined }),
      }),
      { maxLength: 3 },
    ),
    trunk: fc.option(fc.record({ operator: fc.constantFrom("Fastweb", "WindTre"), password: fc.boolean() }), {
      nil: undefined,
    }),
    pbxs: fc.array(fc.record({ callCenter: fc.boolean(), hotel: fc.boolean(), suspended: fc.boolean() }), {
      minLength: 1,
      maxLength: 2,
    }),
    numbers: fc.uniqueArray(fc.record({ pbx: fc.nat(1), block: fc.nat(3) }), {
      maxLength: 2,
      selector: (n) => n.block,
    }),
    extensions: fc.uniqueArray(
      fc.record({
        pbx: fc.nat(1),
        number: fc.integer({ min: 200, max: 205 }),
        license: fc.constantFrom("start" as const, "plus" as const),
        user: fc.option(fc.nat(2), { nil: undefined }),
        suspended: fc.boolean(),
      }),
      { maxLength: 4, selector: (x) => `${x.pbx}/${x.number}` },
    ),
  })
  .map((w) => ({
    ...w,
    users: w.users.map((u) =>
      u.department === undefined ? { first: u.first, last: u.last, role: u.role } : u,
    ),
  }));

/** A world made concrete for one tenant: documents and the secrets' environment. */
export interface World {
  tenant: string;
  docs: object[];
  env: Record<string, string>;
}

const apiVersion = "omnia.kalliope.io/v1";

/**
 * Documents of `shape` for tenant `code`; `serial` (0..999) keeps number blocks of different
 * worlds on one platform from overlapping.
 */
export function worldOf(shape: WorldShape, code: string, serial: number): World {
  const lower = code.toLowerCase();
  const env: Record<string, string> = {};
  const docs: object[] = [
    {
      apiVersion,
      kind: "Tenant",
      metadata: { name: lower },
      spec: {
        businessName: `${code} S.r.l.`,
        customerCode: code,
        vatNumber: "01234560017",
        fiscalCode: "01234560017",
      },
    },
  ];
  const emails = shape.users.map((_u, i) => `user${i}@${lower}.example`);
  shape.users.forEach((u, i) => {
    docs.push({
      apiVersion,
      kind: "User",
      metadata: { name: `user${i}`, tenant: code },
      spec: {
        firstName: u.first,
        lastName: u.last,
        email: emails[i],
        adminConsoleRole: u.role,
        ...(u.department ? { department: u.department } : {}),
      },
    });
  });
  if (shape.trunk) {
    const spec: Record<string, unknown> = {
      description: "Main trunk",
      operator: shape.trunk.operator,
      endpoint: "sip.example.net:5060",
    };
    if (shape.trunk.password) {
      const v = `OMNIA_SECRET_PW_${code}`.replace(/-/g, "_");
      env[v] = `pw-${serial}`;
      Object.assign(spec, { authRequired: true, username: "u", password: { fromEnv: v } });
    }
    docs.push({ apiVersion, kind: "SipTrunk", metadata: { name: "main", tenant: code }, spec });
  }
  const pbxName = (i: number) => `pbx${Math.min(i, shape.pbxs.length - 1)}`;
  shape.pbxs.forEach((p, i) => {
    docs.push({
      apiVersion,
      kind: "Pbx",
      metadata: { name: `pbx${i}`, tenant: code },
      spec: {
        kind: "single",
        callCenter: p.callCenter,
        hotel: p.hotel,
        ...(p.suspended ? { status: "suspended" } : {}),
      },
    });
  });
  if (shape.trunk) {
    for (const n of shape.numbers) {
      const e164 = `+3902${String(serial).padStart(3, "0")}${n.block}00`;
      docs.push({
        apiVersion,
        kind: "Number",
        metadata: { name: `did-${n.block}`, tenant: code },
        spec: { number: e164, blockDigits: 2, pbx: pbxName(n.pbx), trunk: "main" },
      });
    }
  }
  const seen = new Set<string>();
  for (const x of shape.extensions) {
    const pbx = pbxName(x.pbx);
    if (seen.has(`${pbx}/${x.number}`)) continue;
    seen.add(`${pbx}/${x.number}`);
    const v = `OMNIA_SECRET_PIN_${code}_${pbx}_${x.number}`.toUpperCase().replace(/-/g, "_");
    env[v] = String(1000 + x.number);
    const user = x.user !== undefined ? emails[x.user] : undefined;
    docs.push({
      apiVersion,
      kind: "Extension",
      metadata: { name: `${pbx}-${x.number}`, tenant: code, pbx },
      spec: {
        number: String(x.number),
        license: x.license,
        pin: { fromEnv: v },
        ...(user ? { user: { email: user } } : {}),
        ...(x.suspended ? { status: "suspended" } : {}),
      },
    });
  }
  return { tenant: code, docs, env };
}

/** The one manifest file a world is rendered to, in a folder or a `MemorySource`. */
export const worldFile = "world.yaml";

/** The world as source files: `{ [worldFile]: its documents as one YAML text }`. */
export function worldFiles(world: World): Record<string, string> {
  return { [worldFile]: renderManifestFile(world.docs, "x") };
}

/**
 * The world as a `MemorySource` (nothing is written to disk), named `name` (default: the
 * tenant code, so worlds sharing a store never own each other's objects), whose
 * `fromEnv` secrets read the world's environment.
 */
export function worldSource(world: World, name: string = world.tenant): MemorySource {
  return new MemorySource(worldFiles(world), { name, load: { env: world.env } });
}

/** Writes `world` to a fresh folder as one manifest file; returns the folder. */
export async function writeWorld(world: World, dir?: string): Promise<string> {
  const out = dir ?? (await mkdtemp(join(tmpdir(), `omnia-world-${world.tenant}-`)));
  await mkdir(out, { recursive: true });
  for (const [file, text] of Object.entries(worldFiles(world))) await writeFile(join(out, file), text);
  return out;
}
