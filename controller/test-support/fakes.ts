/**
 * Builders of small desired and live states, and `FakePlatform`: in-memory adapters over
 * a map of live objects, with call counting, delays and injected failures. For the
 * engine's tests and benchmarks; nothing here talks to a network.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { KindAdapter } from "../engine/adapters/adapter.js";
import type { AdapterSet } from "../engine/apply/apply.js";
import { secretHashesOf } from "../engine/plan/diff.js";
import { parentKeys } from "../engine/plan/graph.js";
import type { SecretHashing } from "../engine/reconcile/secrets.js";
import {
  type AnyDesiredResource,
  type DesiredState,
  emptyDesiredState,
  type KindName,
  type ResourcePolicy,
  Secret,
} from "../model/desired-state.js";
import type { InventoryEntry } from "../model/inventory.js";
import { extensionKey, numberKey, pbxKey, sipTrunkKey, tenantKey, userKey } from "../model/keys.js";
import type { AnyLiveResource, LiveState, LiveStatus } from "../model/live-state.js";
import { createSecretHasher, secretKeyId } from "../runtime/secret-key.js";

/** The hash function tests plan with. */
/** The secret key of engine tests: 32 fixed bytes (runtime/secret-key.ts makes real ones). */
const testKey = Buffer.alloc(32, 0x5a);
export const testHash = createSecretHasher({ key: testKey, id: secretKeyId(testKey) });

/** The secret hashing reconcile tests run with: `testHash`, every hash made with the current key. */
export const testSecrets: SecretHashing = { hash: testHash, isCurrent: () => true };

const bucket: Record<KindName, keyof DesiredState> = {
  Tenant: "tenants",
  User: "users",
  SipTrunk: "trunks",
  Pbx: "pbxs",
  Number: "numbers",
  Extension: "extensions",
};

/** Per-resource overrides of the builders. */
export interface Overrides {
  policy?: Partial<ResourcePolicy>;
  spec?: Record<string, unknown>;
}

function resource<K extends KindName, S>(
  kind: K,
  key: string,
  name: string,
  tenant: string,
  spec: S,
  o: Overrides = {},
  pbx?: string,
) {
  return {
    kind,
    key,
    name,
    tenant,
    ...(pbx ? { pbx } : {}),
    labels: {},
    policy: { deletionPolicy: "delete", driftMode: "enforce", ignore: [], ...o.policy } as ResourcePolicy,
    spec: { ...spec, ...o.spec } as S,
    source: { file: `${kind.toLowerCase()}s.yaml`, line: 1, col: 1 },
  };
}

/** Builders of desired resources with schema defaults applied. */
export const make = {
  tenant: (code: string, o?: Overrides) =>
    resource(
      "Tenant",
      tenantKey(code),
      code.toLowerCase(),
      code,
      {
        businessName: `${code} S.r.l.`,
        customerCode: code,
        vatNumber: "01234560017",
        fiscalCode: "01234560017",
        omniaManager: true,
        status: "active" as "active" | "suspended",
      },
      o,
    ),
  user: (tenant: string, email: string, o?: Overrides) =>
    resource(
      "User",
      userKey(tenant, email),
      email.split("@")[0] ?? email,
      tenant,
      {
        firstName: "Ada",
        lastName: "Lovelace",
        email,
        adminConsoleRole: "none" as const,
        omniaManagerRole: "none" as const,
        mayManageCustomers: false,
      },
      o,
    ),
  trunk: (tenant: string, name: string, password?: string, o?: Overrides) =>
    resource(
      "SipTrunk",
      sipTrunkKey(tenant, name),
      name,
      tenant,
      {
        description: `trunk ${name}`,
        operator: "Op",
        endpoint: "sip.example.net:5060",
        authRequired: password !== undefined,
        ...(password !== undefined ? { username: "u", password: new Secret(password, "env:TRUNK_PW") } : {}),
      },
      o,
    ),
  pbx: (tenant: string, name: string, o?: Overrides) =>
    resource(
      "Pbx",
      pbxKey(tenant, name),
      name,
      tenant,
      {
        kind: "single" as const,
        callCenter: false,
        hotel: false,
        status: "active" as "active" | "suspended",
      },
      o,
    ),
  number: (tenant: string, e164: string, pbx: string, trunk: string, o?: Overrides) =>
    resource(
      "Number",
      numberKey(e164),
      `n${e164.slice(1)}`,
      tenant,
      { number: e164, blockDigits: 2 as 1 | 2 | 3, pbx, trunk },
      o,
    ),
  extension: (tenant: string, pbx: string, number: string, pin: string, user?: string, o?: Overrides) =>
    resource(
      "Extension",
      extensionKey(tenant, pbx, number),
      `ext-${number}`,
      tenant,
      {
        number,
        pin: new Secret(pin, "env:PIN"),
        ...(user ? { user: { email: user } } : {}),
        license: "start" as "start" | "plus",
        status: "active" as "active" | "suspended",
      },
      o,
      pbx,
    ),
};

/** A desired state holding the given resources. */
export function desiredStateOf(resources: readonly AnyDesiredResource[]): DesiredState {
  const s = emptyDesiredState();
  for (const r of resources) (s[bucket[r.kind]] as AnyDesiredResource[]).push(r);
  return s;
}

/** The live object a platform would show for a desired resource: no secrets, the given id. */
export function liveOf(d: AnyDesiredResource, id: string, status?: LiveStatus): AnyLiveResource {
  const { pin: _pin, password: _password, ...spec } = d.spec as Record<string, unknown>;
  const declared = (spec.status as LiveStatus | undefined) ?? "active";
  return {
    kind: d.kind,
    key: d.key,
    id,
    tenant: d.tenant,
    ...(d.pbx ? { pbx: d.pbx } : {}),
    ...(d.kind === "Pbx" || d.kind === "SipTrunk" ? { name: d.name } : {}),
    spec,
    status: status ?? declared,
    facts: {},
  } as AnyLiveResource;
}

/** A live state holding the given objects, observed for `scope`. */
export function liveStateOf(objects: Iterable<AnyLiveResource>, scope: string[]): LiveState {
  const s: LiveState = { scope, tenants: [], users: [], trunks: [], pbxs: [], numbers: [], extensions: [] };
  for (const o of objects) (s[bucket[o.kind]] as AnyLiveResource[]).push(o);
  return s;
}

/** The inventory entry of a resource this source manages, with its secrets as applied. */
export function managedEntry(d: AnyDesiredResource, id: string, source = "repo"): InventoryEntry {
  return {
    key: d.key,
    kind: d.kind,
    tenant: d.tenant,
    platformId: id,
    source,
    state: "managed",
    secretHashes: secretHashesOf(d.kind, d.spec, testHash),
    deletionPolicy: d.policy.deletionPolicy,
  };
}

/** A platform call, as `FakePlatform` saw it. */
export interface FakeCall {
  verb: "create" | "update" | "delete" | "find";
  key: string;
}

/** Options of `FakePlatform`. */
export interface FakePlatformOptions {
  /** Objects on the platform at the start. */
  live?: Iterable<AnyLiveResource>;
  /** Time each call takes. Default 0 (still asynchronous). */
  delayMs?: number;
  /** Throw before the call changes anything, when it returns an error. */
  failBefore?: (call: FakeCall) => Error | undefined;
  /** Throw after the call changed the platform (a crash between call and record). */
  failAfter?: (call: FakeCall) => Error | undefined;
}

/**
 * An in-memory platform with one adapter per kind. Like the real one it refuses to create
 * a child whose parent is missing, and to delete a parent that still has children, so
 * ordering mistakes fail loudly; creates of an existing key adopt.
 */
export class FakePlatform {
  readonly objects = new Map<string, AnyLiveResource>();
  readonly calls: FakeCall[] = [];
  inFlight = 0;
  maxInFlight = 0;
  #next = 1;
  readonly #o: FakePlatformOptions;

  constructor(options: FakePlatformOptions = {}) {
    this.#o = options;
    for (const l of options.live ?? []) this.objects.set(l.key, l);
  }

  /** What observe would report for `scope`. */
  liveState(scope: string[]): LiveState {
    return liveStateOf(
      [...this.objects.values()].filter((o) => scope.includes(o.tenant)),
      scope,
    );
  }

  /** The adapters apply calls. */
  adapters(): AdapterSet {
    const one = <K extends KindName>(kind: K): KindAdapter<K, unknown, AnyLiveResource> => ({
      kind,
      create: (_ctx, d) =>
        this.#call({ verb: "create", key: d.key }, () => {
          const have = this.objects.get(d.key);
          if (have) return { id: have.id, adopted: true };
          const missing = parentKeys(d).find((p) => !this.objects.has(p));
          if (missing) throw new Error(`fake platform: ${d.key} needs ${missing} first`);
          const id = `id-${this.#next++}`;
          this.objects.set(d.key, liveOf(d as AnyDesiredResource, id));
          return { id, adopted: false };
        }),
      update: (_ctx, d, live) =>
        this.#call({ verb: "update", key: d.key }, () => {
          this.objects.set(d.key, liveOf(d as AnyDesiredResource, live.id));
        }),
      delete: (_ctx, live) =>
        this.#call({ verb: "delete", key: live.key }, () => {
          const child = [...this.objects.values()].find(
            (o) => o.key !== live.key && parentKeys(o).includes(live.key),
          );
          if (child) throw new Error(`fake platform: ${live.key} still has ${child.key}`);
          this.objects.delete(live.key);
        }),
      find: (_ctx, d) => this.#call({ verb: "find", key: d.key }, () => this.objects.get(d.key)),
    });
    return {
      Tenant: one("Tenant"),
      User: one("User"),
      SipTrunk: one("SipTrunk"),
      Pbx: one("Pbx"),
      Number: one("Number"),
      Extension: one("Extension"),
    };
  }

  async #call<T>(call: FakeCall, body: () => T): Promise<T> {
    this.calls.push(call);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await sleep(this.#o.delayMs ?? 0);
      const before = this.#o.failBefore?.(call);
      if (before) throw before;
      const result = body();
      const after = this.#o.failAfter?.(call);
      if (after) throw after;
      return result;
    } finally {
      this.inFlight--;
    }
  }
}
