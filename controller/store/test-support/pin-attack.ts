/**
 * What an attacker holding a copy of the store can do to its secret hashes: dump every
 * table, take every string in it as possible key material, and try every 4-6 digit PIN
 * against every hash. The secrets tests run it against stores written as apply writes them,
 * and against stores that do leak (an old salted store, a key written into a row), so a
 * leak is seen.
 */
import { createHash, createHmac, createSecretKey, type KeyObject } from "node:crypto";
import type { Queryable } from "../driver.js";

/** Every row of every table of the `public` schema, by table, as JSON. */
export async function dumpTables(db: Queryable): Promise<Record<string, unknown[]>> {
  const { rows } = await db.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  );
  const dump: Record<string, unknown[]> = {};
  for (const { name } of rows) {
    const got = await db.query<{ row: unknown }>(`SELECT to_jsonb(t) AS row FROM "${name}" t`);
    dump[name] = got.rows.map((r) => r.row);
  }
  return dump;
}

/** Every string leaf (and every key of every object) of a JSON value, numbers as text. */
export function stringsOf(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof value === "string") out.add(value);
  else if (typeof value === "number" || typeof value === "boolean") out.add(String(value));
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      stringsOf(v, out);
    }
  }
  return out;
}

/**
 * Every byte string a key could have been kept as: each string and its parts (see
 * `partsOf`), as UTF-8 and, where it decodes, from hex and base64.
 */
export function candidateKeys(strings: Iterable<string>): Buffer[] {
  const seen = new Map<string, Buffer>();
  const add = (b: Buffer) => {
    if (b.length > 0) seen.set(b.toString("hex"), b);
  };
  for (const s of strings) {
    for (const part of partsOf(s)) {
      add(Buffer.from(part, "utf8"));
      if (/^(?:[0-9a-fA-F]{2})+$/.test(part)) add(Buffer.from(part, "hex"));
      if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(part)) add(Buffer.from(part, "base64"));
    }
  }
  return [...seen.values()];
}

/**
 * `s`, its words (split at spaces and commas), their `:`-separated parts, and those parts'
 * `/`-separated parts. Each split is separate, so a base64 word holding `/` stays whole too.
 */
export function partsOf(s: string): Set<string> {
  const parts = new Set([s]);
  for (const word of s.split(/[\s,]+/)) {
    parts.add(word);
    for (const piece of word.split(":")) {
      parts.add(piece);
      for (const bit of piece.split("/")) parts.add(bit);
    }
  }
  return parts;
}

/** A hash found in the dump: its 64 hex digits, and the key id when it is `v2:<id>:<hex>`. */
export interface FoundHash {
  digest: string;
  keyId?: string;
}

/** Every HMAC-SHA256 digest (64 hex digits) in the strings. */
export function hashesIn(strings: Iterable<string>): FoundHash[] {
  const found = new Map<string, FoundHash>();
  for (const s of strings) {
    for (const m of s.matchAll(/(?:v2:([0-9a-f]{8}):)?([0-9a-f]{64})/g)) {
      const digest = m[2] as string;
      found.set(digest, m[1] ? { digest, keyId: m[1] } : { digest });
    }
  }
  return [...found.values()];
}

/** All PINs of 4 to 6 digits, shortest first: 1,110,000 of them. */
export function* allPins(): Generator<string> {
  for (const digits of [4, 5, 6]) {
    for (let n = 0; n < 10 ** digits; n++) yield String(n).padStart(digits, "0");
  }
}

/** A PIN recovered from the store. */
export interface Recovered {
  field: string;
  pin: string;
  digest: string;
}

/**
 * Tries every PIN against every hash, as HMAC-SHA256(key, field NUL pin) for each
 * candidate key. A `v2:<id>:` hash names the fingerprint of its key (the first 8 hex of
 * its SHA-256), so it is tried only with the candidates of that fingerprint, as an
 * attacker would: any other candidate is not its key. Stops when every hash is recovered.
 */
export function recoverPins(dump: unknown, fields: readonly string[] = ["spec.pin"]): Recovered[] {
  const strings = stringsOf(dump);
  const hashes = hashesIn(strings);
  const keys = candidateKeys(strings).map((bytes) => ({
    id: createHash("sha256").update(bytes).digest("hex").slice(0, 8),
    key: createSecretKey(bytes) as KeyObject,
  }));
  // Per candidate key, the digests it may have made.
  let work = keys
    .map(({ id, key }) => ({
      key,
      digests: new Set(hashes.filter((h) => h.keyId === undefined || h.keyId === id).map((h) => h.digest)),
    }))
    .filter((w) => w.digests.size > 0);
  const recovered: Recovered[] = [];
  for (const pin of allPins()) {
    if (work.length === 0) break;
    for (const field of fields) {
      for (const w of work) {
        const digest = createHmac("sha256", w.key).update(`${field}\0${pin}`).digest("hex");
        if (!w.digests.has(digest)) continue;
        recovered.push({ field, pin, digest });
        // A recovered hash needs no more tries with any key.
        for (const other of work) other.digests.delete(digest);
      }
      work = work.filter((w) => w.digests.size > 0);
    }
  }
  return recovered;
}
