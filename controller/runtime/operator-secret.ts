/**
 * Secrets of the controller's operator: the platform password of a source's account, a
 * webhook's HMAC key, a bootstrap token. They are named in the operator's configuration
 * as references (`{fromEnv}` or `{fromFile}`, controller/model/control.ts) and read only
 * when used, so no value is ever stored. Unlike a partner repository's secrets
 * (controller/load/build.ts, confined to the repository), these come from the operator's
 * own file and may name any variable or file; a source registered through the API is
 * limited by the service's own rule (controller/service/routes/sources.ts).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import type { SecretReference } from "../model/control.js";

/** Largest secret file read (bytes): a password or key, never a document. */
export const maxOperatorSecretBytes = 4096;

/** Error texts. */
export const errSecretUnset = "the secret's variable is unset or empty";
export const errSecretFile = "cannot read the secret file";

/** A reference could not be resolved; `where` names the variable or file, never a value. */
export class OperatorSecretError extends Error {
  override readonly name = "OperatorSecretError";
  constructor(
    readonly text: string,
    readonly where: string,
    options?: { cause?: unknown },
  ) {
    super(`${text}: ${where}`, options);
  }
}

/** Where a reference points, for messages (`env OMNIA_SECRET_X`, `file /etc/omnia/pw`). */
export function describeReference(ref: SecretReference): string {
  return "fromEnv" in ref ? `env ${ref.fromEnv}` : `file ${ref.fromFile}`;
}

/**
 * Reads a reference now: the variable from `env`, or the file (a regular file of at most
 * `maxOperatorSecretBytes`, opened without blocking so a FIFO cannot hang the
 * controller). A BOM and surrounding whitespace are stripped, as editors add them.
 * Throws `OperatorSecretError`.
 */
export function resolveOperatorSecret(ref: SecretReference, env: NodeJS.ProcessEnv = process.env): string {
  if ("fromEnv" in ref) {
    const value = clean(env[ref.fromEnv] ?? "");
    if (!value) throw new OperatorSecretError(errSecretUnset, describeReference(ref));
    return value;
  }
  let fd: number | undefined;
  try {
    fd = openSync(ref.fromFile, constants.O_RDONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error("not a regular file");
    if (st.size > maxOperatorSecretBytes) throw new Error(`larger than ${maxOperatorSecretBytes} bytes`);
    const buf = Buffer.alloc(maxOperatorSecretBytes + 1);
    const n = readSync(fd, buf, 0, buf.length, 0);
    if (n > maxOperatorSecretBytes) throw new Error(`larger than ${maxOperatorSecretBytes} bytes`);
    const value = clean(buf.subarray(0, n).toString("utf8"));
    if (!value) throw new Error("empty");
    return value;
  } catch (err) {
    if (err instanceof OperatorSecretError) throw err;
    throw new OperatorSecretError(
      errSecretFile,
      `${describeReference(ref)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      { cause: err },
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function clean(text: string): string {
  return text.replace(/^\uFEFF/, "").trim();
}
