import { createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { secretKeyId } from "./secret-key.js";
import {
  createSecretSealer,
  errStoredSecretCorrupt,
  errStoredSecretOtherKey,
  errStoredSecretSize,
  maxStoredSecretBytes,
  StoredSecretError,
  storedSecretKeyInfo,
  storedSecretsPort,
} from "./stored-secrets.js";

const newKey = () => {
  const key = randomBytes(32);
  return { key, id: secretKeyId(key) };
};
const at = { source: "acme-api", tenant: "ACME001", name: "hq-201-pin" };

/** The error `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): StoredSecretError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StoredSecretError);
    return err as StoredSecretError;
  }
  throw new Error("expected a StoredSecretError, got none");
}

describe("stored secret sealer", () => {
  it("opens what it sealed, for any value of 1 to 256 characters", () => {
    const sealer = createSecretSealer(newKey());
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 256, unit: "grapheme" }), (value) => {
        expect(sealer.open(at, sealer.seal(at, value))).toBe(value);
      }),
    );
  });

  it("never stores the value in clear and uses a fresh nonce each time", () => {
    const sealer = createSecretSealer(newKey());
    const a = sealer.seal(at, "2580");
    const b = sealer.seal(at, "2580");
    expect(Buffer.from(a.nonce).equals(Buffer.from(b.nonce))).toBe(false);
    expect(Buffer.from(a.ciphertext).equals(Buffer.from(b.ciphertext))).toBe(false);
    expect(Buffer.from(a.ciphertext).includes(Buffer.from("2580"))).toBe(false);
    expect(a.ciphertext.length).toBe(4 + 16); // value + GCM tag
    expect(a.nonce.length).toBe(12);
  });

  it("encrypts with AES-256-GCM under HKDF-SHA256(controller key, info), not the controller key itself", () => {
    const k = newKey();
    const sealed = createSecretSealer(k).seal(at, "2580");
    const data = Buffer.from(sealed.ciphertext);
    const openWith = (key: Buffer) => {
      const d = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.nonce));
      d.setAAD(Buffer.from(`${at.source}\0${at.tenant}\0${at.name}`));
      d.setAuthTag(data.subarray(-16));
      return Buffer.concat([d.update(data.subarray(0, -16)), d.final()]).toString("utf8");
    };
    const derived = Buffer.from(hkdfSync("sha256", k.key, Buffer.alloc(0), storedSecretKeyInfo, 32));
    expect(openWith(derived)).toBe("2580");
    expect(() => openWith(k.key)).toThrow(); // the HMAC key of secret hashes does not open it
  });

  it("refuses a value sealed under another key, naming both key ids", () => {
    const old = newKey();
    const current = newKey();
    const sealed = createSecretSealer(old).seal(at, "2580");
    const err = thrown(() => createSecretSealer(current).open(at, sealed));
    expect(err.reason).toBe(errStoredSecretOtherKey);
    expect(err.message).toContain(`key id ${old.id}`);
    expect(err.message).toContain(current.id);
    expect(err.message).not.toContain("2580");
  });

  it.each([
    ["another source", { ...at, source: "other-api" }],
    ["another tenant", { ...at, tenant: "ACME002" }],
    ["another name", { ...at, name: "hq-202-pin" }],
  ])("refuses a ciphertext moved to %s", (_case, moved) => {
    const sealer = createSecretSealer(newKey());
    expect(thrown(() => sealer.open(moved, sealer.seal(at, "2580"))).reason).toBe(errStoredSecretCorrupt);
  });

  it("refuses an altered ciphertext", () => {
    const sealer = createSecretSealer(newKey());
    const sealed = sealer.seal(at, "2580");
    const bytes = Buffer.from(sealed.ciphertext);
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    expect(thrown(() => sealer.open(at, { ...sealed, ciphertext: bytes })).reason).toBe(
      errStoredSecretCorrupt,
    );
  });

  it.each([
    ["empty", ""],
    ["too long", "x".repeat(maxStoredSecretBytes + 1)],
  ])("refuses to seal a value %s", (_case, value) => {
    expect(thrown(() => createSecretSealer(newKey()).seal(at, value)).reason).toBe(errStoredSecretSize);
  });
});

describe("storedSecretsPort", () => {
  it("opens a source's secrets by tenant and name, and fingerprints names and times only", async () => {
    const sealer = createSecretSealer(newKey());
    const rows = [
      {
        tenant: "ACME001",
        name: "pin",
        keyId: sealer.keyId,
        updatedAt: new Date(1000),
        sealed: sealer.seal({ source: "s", tenant: "ACME001", name: "pin" }, "2580"),
      },
    ];
    const port = storedSecretsPort({ readStoredSecrets: async () => rows }, sealer);
    const first = await port.open("s");
    expect(first.reader.read("ACME001", "pin")).toBe("2580");
    expect(first.reader.read("ACME002", "pin")).toBeUndefined();
    expect(first.fingerprint).not.toContain("2580");
    rows[0] = { ...rows[0], updatedAt: new Date(2000) } as (typeof rows)[0];
    expect((await port.open("s")).fingerprint).not.toBe(first.fingerprint);
  });
});
