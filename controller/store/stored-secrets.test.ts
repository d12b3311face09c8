import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredSecretAddress } from "../model/control.js";
import { secretKeyId } from "../runtime/secret-key.js";
import { createSecretSealer, type SecretSealer } from "../runtime/stored-secrets.js";
import { errStoredSecretArgs } from "./errors.js";
import type { Store } from "./store.js";
import { type ManualClock, manualClock } from "./test-support/clock.js";
import { dumpTables, stringsOf } from "./test-support/pin-attack.js";
import { driverTargets, type RawDatabase } from "./test-support/targets.js";

const at = (over: Partial<StoredSecretAddress> = {}): StoredSecretAddress => ({
  source: "acme-api",
  tenant: "ACME001",
  name: "hq-201-pin",
  ...over,
});

describe.each(driverTargets)("stored secrets on $name", (target) => {
  let raw: RawDatabase;
  let store: Store;
  let clock: ManualClock;
  let sealer: SecretSealer;
  beforeEach(async () => {
    clock = manualClock();
    raw = await target.open();
    store = await raw.openStore({ clock: clock.now });
    const key = randomBytes(32);
    sealer = createSecretSealer({ key, id: secretKeyId(key) });
  });
  afterEach(async () => {
    await raw.dispose();
  });

  it("creates a secret, then replaces it, and reads back what opens to the new value", async () => {
    expect(await store.putStoredSecret(at(), sealer.seal(at(), "2580"))).toEqual({ created: true });
    clock.advance(1_000);
    expect(await store.putStoredSecret(at(), sealer.seal(at(), "13579"))).toEqual({ created: false });
    const [row, ...rest] = await store.readStoredSecrets("acme-api");
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      ...at(),
      keyId: sealer.keyId,
      createdAt: clock.in(-1_000),
      updatedAt: clock.now(),
    });
    expect(sealer.open(at(), row?.sealed as NonNullable<typeof row>["sealed"])).toBe("13579");
  });

  it("lists names and times by tenant then name, never a value, and one tenant's when asked", async () => {
    for (const a of [
      at({ name: "b" }),
      at({ name: "a" }),
      at({ tenant: "BETA", name: "a" }),
      at({ source: "x" }),
    ])
      await store.putStoredSecret(a, sealer.seal(a, "2580"));
    const all = await store.listStoredSecrets("acme-api");
    expect(all.map((s) => `${s.tenant}/${s.name}`)).toEqual(["ACME001/a", "ACME001/b", "BETA/a"]);
    expect(Object.keys(all[0] ?? {}).sort()).toEqual([
      "createdAt",
      "keyId",
      "name",
      "source",
      "tenant",
      "updatedAt",
    ]);
    expect((await store.listStoredSecrets("acme-api", { tenant: "BETA" })).map((s) => s.name)).toEqual(["a"]);
  });

  it("deletes a secret once, and every secret of a deleted source", async () => {
    await store.putStoredSecret(at(), sealer.seal(at(), "2580"));
    expect(await store.deleteStoredSecret(at())).toBe(true);
    expect(await store.deleteStoredSecret(at())).toBe(false);
    await store.upsertSource({
      id: "acme-api",
      partner: "acme",
      location: { type: "api" },
      account: { url: "https://omnia.example.it", domain: "d", username: "u", password: { fromEnv: "P" } },
      policies: {
        intervalMs: 60_000,
        driftIntervalMs: 60_000,
        prune: false,
        driftMode: "enforce",
        parallelism: 1,
        suspended: false,
      },
    });
    await store.putStoredSecret(at(), sealer.seal(at(), "2580"));
    await store.deleteSource("acme-api");
    expect(await store.listStoredSecrets("acme-api")).toEqual([]);
  });

  it("keeps no value in clear anywhere in the database", async () => {
    const values = ["258013", "Tr0mb0ne-Passw0rd!"];
    for (const [i, v] of values.entries())
      await store.putStoredSecret(at({ name: `s${i}` }), sealer.seal(at({ name: `s${i}` }), v));
    const dump = JSON.stringify(await dumpTables(raw.db));
    for (const v of values) {
      expect(dump).not.toContain(v);
      expect(dump).not.toContain(Buffer.from(v).toString("hex"));
    }
    expect([...stringsOf(await dumpTables(raw.db))].some((s) => s.includes("hq-201-pin") || s === "s0")).toBe(
      true,
    );
  });

  it.each([
    ["an empty source", at({ source: "" }), "source is empty"],
    ["an empty tenant", at({ tenant: "" }), "tenant is empty"],
    ["a name with capitals", at({ name: "PIN" }), "name"],
  ])("refuses %s", async (_case, address, want) => {
    await expect(store.putStoredSecret(address, sealer.seal(at(), "2580"))).rejects.toThrow(
      `${errStoredSecretArgs}: ${want}`,
    );
  });

  it("refuses a nonce that is not 12 bytes", async () => {
    const sealed = sealer.seal(at(), "2580");
    await expect(
      store.putStoredSecret(at(), { ...sealed, nonce: sealed.nonce.subarray(0, 8) }),
    ).rejects.toThrow(`${errStoredSecretArgs}: nonce is 8 bytes; want 12`);
  });
});
