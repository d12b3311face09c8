import { execFile } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultDataDir } from "../store/index.js";
import {
  createSecretHasher,
  decodeKey,
  defaultSecretKeyPath,
  defaultStateDir,
  errSecretKeyAmbiguous,
  errSecretKeyCreate,
  errSecretKeyEncoding,
  errSecretKeyTooOpen,
  errSecretKeyTooShort,
  errSecretKeyUnreadable,
  isCurrentSecretHash,
  minSecretKeyBytes,
  resolveSecretKey,
  SecretKeyError,
} from "./secret-key.js";

const run = promisify(execFile);

let scratch: string;
let n = 0;
/** A new empty folder under the scratch folder. */
async function folder(): Promise<string> {
  const dir = join(scratch, `case-${n++}`);
  await mkdir(dir, { recursive: true });
  return dir;
}
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "omnia-key-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const key32 = Buffer.from("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "hex");
const idOf = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 8);

/** The error `p` rejects with, checked to be a SecretKeyError that does not show `secret`. */
async function failure(p: Promise<unknown>, secret?: string): Promise<SecretKeyError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SecretKeyError);
  if (secret) expect((err as Error).message).not.toContain(secret);
  return err as SecretKeyError;
}

describe("resolveSecretKey from OMNIA_SECRET_KEY", () => {
  it.each([
    { name: "hex", text: key32.toString("hex") },
    { name: "upper-case hex", text: key32.toString("hex").toUpperCase() },
    { name: "base64", text: key32.toString("base64") },
    { name: "base64url", text: key32.toString("base64url") },
    { name: "base64 with a trailing newline", text: `${key32.toString("base64")}\n` },
  ])("reads a key written as $name", async ({ text }) => {
    const got = await resolveSecretKey({ env: { OMNIA_SECRET_KEY: text }, stateDir: join(scratch, "never") });
    expect(got.key.equals(key32)).toBe(true);
    expect(got.id).toBe(idOf(key32));
    expect(got.source).toBe("env OMNIA_SECRET_KEY");
  });

  it.each([
    { name: "31 bytes of hex", text: randomBytes(31).toString("hex"), reason: errSecretKeyTooShort },
    { name: "16 bytes of base64", text: randomBytes(16).toString("base64"), reason: errSecretKeyTooShort },
    { name: "a passphrase", text: "correct horse battery staple!!", reason: errSecretKeyEncoding },
  ])("refuses $name without showing it", async ({ text, reason }) => {
    const err = await failure(resolveSecretKey({ env: { OMNIA_SECRET_KEY: text } }), text);
    expect(err.reason).toBe(reason);
    expect(err.message).toContain("OMNIA_SECRET_KEY");
  });

  it("refuses both OMNIA_SECRET_KEY and OMNIA_SECRET_KEY_FILE", async () => {
    const env = { OMNIA_SECRET_KEY: key32.toString("hex"), OMNIA_SECRET_KEY_FILE: "/k" };
    expect((await failure(resolveSecretKey({ env }))).reason).toBe(errSecretKeyAmbiguous);
  });

  it("decodes every key of 32 to 64 bytes from hex and from base64 to the same bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: minSecretKeyBytes, maxLength: 64 }), (bytes) => {
        const key = Buffer.from(bytes);
        expect(decodeKey(key.toString("hex"), "t").equals(key)).toBe(true);
        expect(decodeKey(key.toString("base64"), "t").equals(key)).toBe(true);
        expect(decodeKey(key.toString("base64url"), "t").equals(key)).toBe(true);
      }),
    );
  });
});

describe("resolveSecretKey from OMNIA_SECRET_KEY_FILE", () => {
  it("reads a key file of mode 0600", async () => {
    const path = join(await folder(), "k");
    await writeFile(path, `${key32.toString("base64")}\n`, { mode: 0o600 });
    const got = await resolveSecretKey({ env: { OMNIA_SECRET_KEY_FILE: path } });
    expect(got).toEqual({ key: key32, id: idOf(key32), source: `file ${path}` });
  });

  it.each([0o640, 0o604, 0o644, 0o660, 0o610])(
    "refuses a key file of mode %o, as ssh does, naming the fix",
    async (mode) => {
      const path = join(await folder(), "k");
      const text = key32.toString("hex");
      await writeFile(path, text);
      await chmod(path, mode);
      const err = await failure(resolveSecretKey({ env: { OMNIA_SECRET_KEY_FILE: path } }), text);
      expect(err.reason).toBe(errSecretKeyTooOpen);
      expect(err.message).toContain(`chmod 600 ${path}`);
    },
  );

  it.each([
    { name: "a missing file", make: async (_p: string) => {} },
    { name: "a folder", make: (p: string) => mkdir(p) },
  ])("reports $name as unreadable", async ({ make }) => {
    const path = join(await folder(), "k");
    await make(path);
    const err = await failure(resolveSecretKey({ env: { OMNIA_SECRET_KEY_FILE: path } }));
    expect(err.reason).toBe(errSecretKeyUnreadable);
    expect(err.message).toContain(path);
  });

  it("refuses a key file holding too short a key without showing it", async () => {
    const path = join(await folder(), "k");
    const text = randomBytes(20).toString("hex");
    await writeFile(path, text, { mode: 0o600 });
    const err = await failure(resolveSecretKey({ env: { OMNIA_SECRET_KEY_FILE: path } }), text);
    expect(err.reason).toBe(errSecretKeyTooShort);
  });
});

describe("the default key file", () => {
  it("lives in the parent of the state folder, by default the store's", () => {
    expect(defaultSecretKeyPath()).toBe(join(process.cwd(), ".omnia", "secret.key"));
    expect(defaultStateDir).toBe(defaultDataDir);
    expect(defaultSecretKeyPath("/x/.omnia/state")).toBe("/x/.omnia/secret.key");
    expect(defaultSecretKeyPath("/x/.omnia/state/")).toBe("/x/.omnia/secret.key");
  });

  it("is made once with 32 random bytes and mode 0600, then read back", async () => {
    const stateDir = join(await folder(), ".omnia", "state");
    const first = await resolveSecretKey({ env: {}, stateDir });
    const path = defaultSecretKeyPath(stateDir);
    expect(first.source).toBe(`file ${path}`);
    expect(first.key.length).toBe(32);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(decodeKey(await readFile(path, "utf8"), "file").equals(first.key)).toBe(true);
    const again = await resolveSecretKey({ env: {}, stateDir });
    expect(again.key.equals(first.key)).toBe(true);
  });

  it("is one key when many callers make it at once", async () => {
    for (let trial = 0; trial < 5; trial++) {
      const stateDir = join(await folder(), ".omnia", "state");
      const keys = await Promise.all(
        Array.from({ length: 20 }, () => resolveSecretKey({ env: {}, stateDir })),
      );
      expect(new Set(keys.map((k) => k.id)).size).toBe(1);
    }
  });

  it("is one key when many processes make it at once", async () => {
    const stateDir = join(await folder(), ".omnia", "state");
    const script = `import { resolveSecretKey } from ${JSON.stringify(new URL("./secret-key.ts", import.meta.url).href)};
      const k = await resolveSecretKey({ env: {}, stateDir: process.argv[1] }); console.log(k.id);`;
    const outs = await Promise.all(
      Array.from({ length: 6 }, () =>
        run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, stateDir]),
      ),
    );
    const ids = new Set(outs.map((o) => o.stdout.trim()));
    expect(ids.size, [...ids].join(", ")).toBe(1);
    const key = decodeKey(await readFile(defaultSecretKeyPath(stateDir), "utf8"), "file");
    expect([...ids]).toEqual([idOf(key)]);
  });

  it("reports a file where the .omnia folder should be, saying what to do", async () => {
    const root = await folder();
    await writeFile(join(root, ".omnia"), "not a folder");
    const err = await failure(resolveSecretKey({ env: {}, stateDir: join(root, ".omnia", "state") }));
    expect(err.reason).toBe(errSecretKeyCreate);
    expect(err.message).toContain("OMNIA_SECRET_KEY");
  });
});

describe("createSecretHasher", () => {
  const hash = createSecretHasher({ key: key32, id: idOf(key32) });

  it("writes v2:<key id>:HMAC-SHA256(key, field NUL value)", () => {
    const want = createHmac("sha256", key32).update("spec.pin\u00001234").digest("hex");
    expect(hash("spec.pin", "1234")).toBe(`v2:${idOf(key32)}:${want}`);
  });

  it("tells apart fields, values and keys", () => {
    const other = randomBytes(32);
    const otherHash = createSecretHasher({ key: other, id: idOf(other) });
    const all = [
      hash("spec.pin", "1234"),
      hash("spec.password", "1234"),
      hash("spec.pin", "12345"),
      // The NUL keeps ("spec.pin1", "234") apart from ("spec.pin", "1234").
      hash("spec.pin1", "234"),
      otherHash("spec.pin", "1234"),
    ];
    expect(new Set(all).size).toBe(all.length);
  });

  it("says which hashes were made with the current key", () => {
    const current = hash("spec.pin", "1234");
    expect(isCurrentSecretHash(current, idOf(key32))).toBe(true);
    expect(isCurrentSecretHash(current, "00000000")).toBe(false);
    expect(isCurrentSecretHash("unknown:adopted-by-export", idOf(key32))).toBe(false);
    expect(isCurrentSecretHash(current.slice(current.lastIndexOf(":") + 1), idOf(key32))).toBe(false);
  });

  it("refuses a key shorter than 32 bytes", () => {
    expect(() => createSecretHasher({ key: Buffer.alloc(16), id: "x" })).toThrow(errSecretKeyTooShort);
  });
});
