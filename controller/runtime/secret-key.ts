/**
 * The key of secret hashes, kept outside the state store. The engine records a PIN or trunk
 * password only as `v2:<key id>:<HMAC-SHA256(key, field \0 value)>`, so a backup of the
 * store (or read access to it) reveals nothing without this key: a 4-6 digit PIN cannot be
 * brute-forced from the store alone, as it could when the salt sat in the same database.
 *
 * Where the key comes from, first match wins:
 * 1. `OMNIA_SECRET_KEY`: the key itself, hex or base64 (base64url too), at least 32 bytes;
 * 2. `OMNIA_SECRET_KEY_FILE`: a file holding the key in the same encodings;
 * 3. `secret.key` in the parent folder of the embedded state folder (`.omnia/state` ->
 *    `.omnia/secret.key`), made with 32 random bytes and mode 0600 when missing.
 * A key file readable by group or others is refused, as ssh refuses such a private key.
 */
import { createHash, createHmac, createSecretKey, type KeyObject, randomBytes } from "node:crypto";
import { link, mkdir, open, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

/** Fewest key bytes accepted (HMAC-SHA256's block of security). */
export const minSecretKeyBytes = 32;
/** Name of the key file made beside the embedded state folder. */
export const secretKeyFileName = "secret.key";
/** Default embedded state folder (the store's `defaultDataDir`), relative to the working directory. */
export const defaultStateDir = ".omnia/state";
/** Prefix of the hashes `createSecretHasher` makes: `v2:<key id>:<hex>`. */
export const secretHashPrefix = "v2:";

/** The key is not hex or base64. */
export const errSecretKeyEncoding = "the secret key is not hex or base64";
/** The key decodes to fewer than `minSecretKeyBytes` bytes. */
export const errSecretKeyTooShort = "the secret key is too short";
/** The key file cannot be read (missing, a folder, no permission). */
export const errSecretKeyUnreadable = "cannot read the secret key file";
/** The key file can be read by its group or by others. */
export const errSecretKeyTooOpen = "the secret key file is readable by others";
/** The default key file cannot be made. */
export const errSecretKeyCreate = "cannot create the secret key file";
/** Both `OMNIA_SECRET_KEY` and `OMNIA_SECRET_KEY_FILE` are set. */
export const errSecretKeyAmbiguous = "both OMNIA_SECRET_KEY and OMNIA_SECRET_KEY_FILE are set";

/** A failure to resolve the key; `message` is `<constant>: <detail>`, never the key itself. */
export class SecretKeyError extends Error {
  constructor(
    /** One of the `errSecretKey*` constants of this module. */
    readonly reason: string,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(detail ? `${reason}: ${detail}` : reason, options);
    this.name = "SecretKeyError";
  }
}

/** The key of secret hashes. */
export interface SecretKey {
  /** The key bytes (at least `minSecretKeyBytes`). Never log it. */
  readonly key: Buffer;
  /** First 8 hex digits of the key's SHA-256: safe to show, names the key in stored hashes. */
  readonly id: string;
  /** Where the key came from: `env OMNIA_SECRET_KEY`, or `file <absolute path>`. */
  readonly source: string;
}

/** Options of `resolveSecretKey`. */
export interface ResolveSecretKeyOptions {
  /** Where `OMNIA_SECRET_KEY` and `OMNIA_SECRET_KEY_FILE` are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The embedded store's state folder; the default key file is in its parent. Default `.omnia/state`. */
  stateDir?: string;
}

/** The default key file of the state folder `stateDir`: `secret.key` in its parent folder. */
export function defaultSecretKeyPath(stateDir: string = defaultStateDir): string {
  return join(dirname(resolve(stateDir)), secretKeyFileName);
}

/**
 * Finds the key of secret hashes (see the module comment for the order), making the
 * default key file when none is given and it is missing. Throws `SecretKeyError`.
 */
export async function resolveSecretKey(options: ResolveSecretKeyOptions = {}): Promise<SecretKey> {
  const env = options.env ?? process.env;
  const inline = env.OMNIA_SECRET_KEY;
  const file = env.OMNIA_SECRET_KEY_FILE;
  if (inline && file) throw new SecretKeyError(errSecretKeyAmbiguous, "unset one of them");
  if (inline) return withId(decodeKey(inline, "OMNIA_SECRET_KEY"), "env OMNIA_SECRET_KEY");
  if (file) {
    const path = resolve(file);
    return withId(await readKeyFile(path, "OMNIA_SECRET_KEY_FILE"), `file ${path}`);
  }
  const path = defaultSecretKeyPath(options.stateDir);
  const where = "the default key file";
  const existing = await readKeyFile(path, where, { missingOk: true });
  if (existing) return withId(existing, `file ${path}`);
  await createKeyFile(path);
  return withId(await readKeyFile(path, where), `file ${path}`);
}

/** The key id of `key`: the first 8 hex digits of its SHA-256. */
export function secretKeyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}

function withId(key: Buffer, source: string): SecretKey {
  return { key, id: secretKeyId(key), source };
}

const hexKey = /^(?:[0-9a-fA-F]{2})+$/;
const base64Key = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Decodes a key written as hex (tried first: a hex string is also valid base64) or as
 * base64/base64url. `where` names the setting in errors; the text itself is never shown.
 */
export function decodeKey(text: string, where: string): Buffer {
  const t = text.trim();
  let key: Buffer;
  if (hexKey.test(t)) key = Buffer.from(t, "hex");
  else if (base64Key.test(t)) key = Buffer.from(t.replaceAll("-", "+").replaceAll("_", "/"), "base64");
  else {
    throw new SecretKeyError(
      errSecretKeyEncoding,
      `${where} (${t.length} characters): write ${minSecretKeyBytes} or more random bytes as hex or base64, e.g. \`openssl rand -base64 32\``,
    );
  }
  if (key.length < minSecretKeyBytes) {
    throw new SecretKeyError(
      errSecretKeyTooShort,
      `${where} decodes to ${key.length} bytes; want at least ${minSecretKeyBytes} (\`openssl rand -base64 32\`)`,
    );
  }
  return key;
}

/**
 * Reads and decodes a key file, refusing one that its group or others may read. With
 * `missingOk`, a missing file gives undefined instead of an error.
 */
async function readKeyFile(
  path: string,
  where: string,
  opts: { missingOk: true },
): Promise<Buffer | undefined>;
async function readKeyFile(path: string, where: string): Promise<Buffer>;
async function readKeyFile(
  path: string,
  where: string,
  opts?: { missingOk: true },
): Promise<Buffer | undefined> {
  let text: string;
  try {
    // The mode is checked on the open file, so it is the mode of the bytes read.
    const handle = await open(path, "r");
    try {
      const info = await handle.stat();
      const mode = info.mode;
      if (!info.isFile()) {
        throw new SecretKeyError(errSecretKeyUnreadable, `${path} (${where}) is not a regular file`);
      }
      if (process.platform !== "win32" && (mode & 0o077) !== 0) {
        throw new SecretKeyError(
          errSecretKeyTooOpen,
          `${path} has mode ${(mode & 0o777).toString(8).padStart(4, "0")}; run \`chmod 600 ${path}\``,
        );
      }
      text = await handle.readFile("utf8");
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof SecretKeyError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    // ENOTDIR: a file where the folder should be; making the key file reports it.
    if ((code === "ENOENT" || code === "ENOTDIR") && opts?.missingOk) return undefined;
    throw new SecretKeyError(errSecretKeyUnreadable, `${path} (${where}): ${code}`, { cause: err });
  }
  return decodeKey(text, `${path}`);
}

/**
 * Makes the key file at `path` with 32 random bytes (base64) and mode 0600, unless it
 * exists. Written to a temporary file first and linked into place: `link` fails when the
 * name exists, so racing processes never make two keys and nobody reads a half-written one.
 */
async function createKeyFile(path: string): Promise<void> {
  const folder = dirname(path);
  const temp = join(folder, `.${secretKeyFileName}.${process.pid}.${randomBytes(6).toString("hex")}`);
  try {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(`${randomBytes(minSecretKeyBytes).toString("base64")}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temp, path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err;
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new SecretKeyError(
      errSecretKeyCreate,
      `${path}: ${code}; make the folder writable, or give a key in OMNIA_SECRET_KEY or OMNIA_SECRET_KEY_FILE`,
      { cause: err },
    );
  } finally {
    await rm(temp, { force: true }).catch(() => {});
  }
}

/** `(field path, secret value) -> "v2:<key id>:<hex>"`. */
export type SecretHasher = (field: string, value: string) => string;

/**
 * The hash of secrets the engine records: `v2:<id>:` then HMAC-SHA256 keyed by `key.key`
 * over the field path, a NUL, and the value (so equal secrets in two fields differ).
 */
export function createSecretHasher(key: Pick<SecretKey, "key" | "id">): SecretHasher {
  if (key.key.length < minSecretKeyBytes) {
    throw new SecretKeyError(
      errSecretKeyTooShort,
      `${key.key.length} bytes; want at least ${minSecretKeyBytes}`,
    );
  }
  const hmacKey: KeyObject = createSecretKey(key.key);
  const prefix = `${secretHashPrefix}${key.id}:`;
  return (field, value) =>
    prefix + createHmac("sha256", hmacKey).update(field).update("\0").update(value).digest("hex");
}

/**
 * Whether `hash` was made by `createSecretHasher` with the key `keyId`. Any other stored
 * hash (an older scheme, another key after a rotation, the export marker) cannot be
 * compared with a declared value: the engine takes the declared value as the live one and
 * records its hash under the current key.
 */
export function isCurrentSecretHash(hash: string, keyId: string): boolean {
  return hash.startsWith(`${secretHashPrefix}${keyId}:`);
}
