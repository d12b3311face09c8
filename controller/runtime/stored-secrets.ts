/**
 * Encryption of the secrets stored through the controller API (`{fromSecret}`): the
 * runtime seals a value before the store sees it and opens it when the `api` source loads
 * its resources. AES-256-GCM with a fresh 12-byte random nonce per value; the key is
 * derived from the controller's secret key (`OMNIA_SECRET_KEY`, secret-key.ts) with HKDF-
 * SHA256 and the info `omnia stored secrets v1`, so it differs from the HMAC key of secret
 * hashes (a leak of one use's key says nothing of the other). The secret's address
 * (source, tenant, name) is the associated data: a ciphertext moved to another address
 * does not open. Values are sealed under the key id of the controller key; one sealed
 * under another key (after a rotation) is refused with an error naming both ids.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { SealedSecret, StoredSecretAddress } from "../model/control.js";
import { minSecretKeyBytes, type SecretKey } from "./secret-key.js";

/** HKDF info of the stored-secret key: a different derived key from the HMAC one. */
export const storedSecretKeyInfo = "omnia stored secrets v1";
/** Longest stored secret value, in UTF-8 bytes (a PIN or trunk password is a line). */
export const maxStoredSecretBytes = 1024;

/** The value was sealed under a controller key other than the current one. */
export const errStoredSecretOtherKey = "the stored secret was encrypted under another controller key";
/** The ciphertext does not open with the current key (altered, or moved to another address). */
export const errStoredSecretCorrupt = "the stored secret cannot be decrypted (altered or moved)";
/** The value to seal is empty or longer than `maxStoredSecretBytes`. */
export const errStoredSecretSize = `a stored secret must be 1 to ${maxStoredSecretBytes} bytes`;

/** A failure to seal or open; `message` never holds the value. */
export class StoredSecretError extends Error {
  constructor(
    /** One of the `errStoredSecret*` constants of this module. */
    readonly reason: string,
    detail?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.name = "StoredSecretError";
  }
}

/** Seals and opens stored secrets with one controller key. */
export interface SecretSealer {
  /** Id of the controller key values are sealed under (secret-key.ts `SecretKey.id`). */
  readonly keyId: string;
  /** Encrypts `value` for `address`. Throws `StoredSecretError(errStoredSecretSize)`. */
  seal(address: StoredSecretAddress, value: string): SealedSecret;
  /**
   * Decrypts a sealed value of `address`. Throws `StoredSecretError` with
   * `errStoredSecretOtherKey` (naming the stored and the current key id) or
   * `errStoredSecretCorrupt`.
   */
  open(address: StoredSecretAddress, sealed: SealedSecret): string;
}

/** The associated data: the address, NUL-separated (no part may hold a NUL). */
const aad = (a: StoredSecretAddress) => Buffer.from(`${a.source}\0${a.tenant}\0${a.name}`, "utf8");

/** A sealer over `key`; throws `StoredSecretError` when the key is shorter than 32 bytes. */
export function createSecretSealer(key: Pick<SecretKey, "key" | "id">): SecretSealer {
  if (key.key.length < minSecretKeyBytes)
    throw new StoredSecretError(
      errStoredSecretCorrupt,
      `controller key of ${key.key.length} bytes; want ${minSecretKeyBytes}`,
    );
  const aesKey = Buffer.from(hkdfSync("sha256", key.key, Buffer.alloc(0), storedSecretKeyInfo, 32));
  return {
    keyId: key.id,
    seal(address, value) {
      const bytes = Buffer.from(value, "utf8");
      if (bytes.length === 0 || bytes.length > maxStoredSecretBytes)
        throw new StoredSecretError(errStoredSecretSize, `got ${bytes.length} bytes`);
      const nonce = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", aesKey, nonce);
      cipher.setAAD(aad(address));
      const ciphertext = Buffer.concat([cipher.update(bytes), cipher.final(), cipher.getAuthTag()]);
      return { ciphertext, nonce, keyId: key.id };
    },
    open(address, sealed) {
      if (sealed.keyId !== key.id)
        throw new StoredSecretError(
          errStoredSecretOtherKey,
          `key id ${sealed.keyId}, the controller's key is ${key.id}; put the secret again (PUT /v1/tenants/${address.tenant}/secrets/${address.name}) or start the controller with the key ${sealed.keyId}`,
        );
      const data = Buffer.from(sealed.ciphertext);
      if (data.length < 16 || sealed.nonce.length !== 12)
        throw new StoredSecretError(errStoredSecretCorrupt, `key id ${sealed.keyId}`);
      try {
        const decipher = createDecipheriv("aes-256-gcm", aesKey, Buffer.from(sealed.nonce));
        decipher.setAAD(aad(address));
        decipher.setAuthTag(data.subarray(data.length - 16));
        return Buffer.concat([
          decipher.update(data.subarray(0, data.length - 16)),
          decipher.final(),
        ]).toString("utf8");
      } catch {
        throw new StoredSecretError(errStoredSecretCorrupt, `key id ${sealed.keyId}`);
      }
    },
  };
}

/** What `storedSecretsPort` reads: the store's sealed secrets of a source (`Store.readStoredSecrets`). */
export interface SealedSecretsReader {
  readStoredSecrets(
    source: string,
  ): Promise<{ tenant: string; name: string; keyId: string; updatedAt: Date; sealed: SealedSecret }[]>;
}

/**
 * The `api` sources' `StoredSecretsPort` (controller/sources/stored.ts) over the store and
 * a sealer: each `open` reads the source's sealed secrets once; `reader.read(tenant, name)`
 * decrypts on demand (throwing `StoredSecretError`), so a value sealed under an old key
 * fails only the documents that name it. The fingerprint lists tenant, name, update time
 * and key id of each secret, never a value.
 */
export function storedSecretsPort(store: SealedSecretsReader, sealer: SecretSealer) {
  return {
    async open(source: string, signal?: AbortSignal) {
      const rows = await store.readStoredSecrets(source);
      signal?.throwIfAborted();
      const byAddress = new Map(rows.map((r) => [`${r.tenant}\0${r.name}`, r]));
      const fingerprint = rows
        .map((r) => `${r.tenant}\0${r.name}\0${r.updatedAt.toISOString()}\0${r.keyId}`)
        .sort()
        .join("\n");
      return {
        fingerprint,
        reader: {
          read(tenant: string, name: string): string | undefined {
            const row = byAddress.get(`${tenant}\0${name}`);
            return row && sealer.open({ source, tenant, name }, row.sealed);
          },
        },
      };
    },
  };
}
