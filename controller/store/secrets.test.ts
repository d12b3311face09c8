import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { InventoryEntry } from "../model/inventory.js";
import { createSecretHasher, type SecretKey, secretKeyId } from "../runtime/secret-key.js";
import { loadMigrations, migrate } from "./migrate.js";
import type { Store } from "./store.js";
import { dumpTables, hashesIn, recoverPins, stringsOf } from "./test-support/pin-attack.js";
import { driverTargets } from "./test-support/targets.js";

/** The marker the engine reads as "take the declared value as the live one" (engine/run.ts). */
const unknownSecretHash = "unknown:adopted-by-export";

function newKey(): SecretKey {
  const key = randomBytes(32);
  return { key, id: secretKeyId(key), source: "test" };
}

function extension(n: number, secretHashes: Record<string, string>): InventoryEntry {
  return {
    key: `Extension/ACME/main/${n}`,
    kind: "Extension",
    tenant: "ACME",
    platformId: `e-${n}`,
    source: "repo:partner",
    state: "managed",
    secretHashes,
  };
}

// One PIN of each length the platform allows, and a trunk password.
const pins = ["2580", "13579", "024680"];

/** Writes what an apply of three extensions and a trunk writes: run, steps, inventory, status. */
async function applyLike(
  store: Store,
  hash: (field: string, value: string) => string,
  { withTrunk = true } = {},
): Promise<string> {
  const runId = await store.startRun({ mode: "apply", source: "repo:partner", tenants: ["ACME"] });
  const trunks: InventoryEntry[] = [
    {
      key: "SipTrunk/ACME/carrier",
      kind: "SipTrunk",
      tenant: "ACME",
      platformId: "t-1",
      source: "repo:partner",
      state: "managed",
      secretHashes: { "spec.password": hash("spec.password", "Tr0nk-pass!") },
    },
  ];
  const entries = [
    ...pins.map((pin, i) => extension(201 + i, { "spec.pin": hash("spec.pin", pin) })),
    ...(withTrunk ? trunks : []),
  ];
  for (const e of entries) {
    await store.markCreating(e);
    const seq = await store.startStep({ runId, action: "create", kind: e.kind, key: e.key, tenant: "ACME" });
    await store.upsertInventory(e);
    await store.finishStep({ runId, seq, state: "ok", platformId: e.platformId ?? undefined });
    await store.setResourceStatus(e.key, {
      kind: e.kind,
      tenant: "ACME",
      drift: "drifted",
      driftDiffs: [{ path: Object.keys(e.secretHashes)[0] as string, sensitive: true }],
    });
  }
  await store.finishRun({ id: runId, outcome: "changes", summary: { create: entries.length } });
  return runId;
}

const fields = ["spec.pin", "spec.password"];

describe.each(driverTargets)("secret hashes on $name", (target) => {
  it("the store alone does not reveal a 4-6 digit PIN: every table dumped, every PIN tried", async () => {
    const raw = await target.open();
    try {
      const key = newKey();
      await applyLike(await raw.openStore(), createSecretHasher(key));
      const dump = await dumpTables(raw.db);
      // The attack sees every hash written, and each names the key it needs.
      const found = hashesIn(stringsOf(dump));
      expect(found).toHaveLength(pins.length + 1);
      for (const h of found) expect(h.keyId).toBe(key.id);
      expect(recoverPins(dump, fields)).toEqual([]);
    } finally {
      await raw.dispose();
    }
  });

  it("the same attack recovers every PIN once the key sits in any row (it can see a leak)", async () => {
    const raw = await target.open();
    try {
      const key = newKey();
      const store = await raw.openStore();
      // No trunk: its password is no PIN, and the attack would try every PIN for it in vain.
      const runId = await applyLike(store, createSecretHasher(key), { withTrunk: false });
      await store.finishRun({ id: runId, outcome: "failed", error: `key ${key.key.toString("base64")}` });
      const got = recoverPins(await dumpTables(raw.db), fields);
      expect(got.map((r) => r.pin).sort()).toEqual([...pins].sort());
    } finally {
      await raw.dispose();
    }
  });

  it("migrating a salted store drops the salt and every hash nobody can check any more", async () => {
    const raw = await target.open();
    try {
      const migrations = await loadMigrations();
      await migrate(
        raw.db,
        migrations.filter((m) => m.version <= 2),
      );
      // A store as omnia wrote it before 0003: the salt in `installation`, hashes keyed by it.
      const salt = randomBytes(32).toString("base64url");
      const legacy = (field: string, pin: string) =>
        createHmac("sha256", Buffer.from(salt, "utf8")).update(`${field}\0${pin}`).digest("hex");
      await raw.db.query("INSERT INTO installation (salt) VALUES ($1)", [salt]);
      const key = newKey();
      const current = createSecretHasher(key)("spec.pin", "7777");
      const rows = [
        extension(1, { "spec.pin": legacy("spec.pin", "0042") }),
        extension(2, { "spec.pin": legacy("spec.pin", "0420") }),
        extension(3, { "spec.pin": current }),
        extension(4, { "spec.pin": unknownSecretHash }),
        extension(5, {}),
      ];
      for (const e of rows) {
        await raw.db.query(
          `INSERT INTO inventory (key, kind, tenant, platform_id, source, state, secret_hashes)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
          [e.key, e.kind, e.tenant, e.platformId, e.source, e.state, JSON.stringify(e.secretHashes)],
        );
      }
      // Before: the attack the issue describes works.
      const before = recoverPins(await dumpTables(raw.db));
      expect(before.map((r) => r.pin).sort()).toEqual(["0042", "0420"]);

      const store = await raw.openStore();
      const after = await dumpTables(raw.db);
      expect(Object.keys(after)).not.toContain("installation");
      expect(recoverPins(after)).toEqual([]);
      const hashes = Object.fromEntries(
        (await store.listInventory()).map((e) => [e.key, e.secretHashes["spec.pin"] ?? null]),
      );
      expect(hashes).toEqual({
        "Extension/ACME/main/1": unknownSecretHash,
        "Extension/ACME/main/2": unknownSecretHash,
        "Extension/ACME/main/3": current,
        "Extension/ACME/main/4": unknownSecretHash,
        "Extension/ACME/main/5": null,
      });
    } finally {
      await raw.dispose();
    }
  });
});
