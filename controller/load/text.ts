/**
 * Text as editors write it, read the one way: manifest and secret files decoded from
 * bytes (UTF-8 with or without a byte-order mark, UTF-16 with its mark; anything else that
 * is not UTF-8 refused with where it stops being UTF-8), and manifest strings refused
 * when they hold control characters or unpaired surrogates, which the platform and the
 * state store (Postgres `jsonb` refuses U+0000) cannot keep.
 *
 * Decoding uses the WHATWG `TextDecoder` built into Node (full ICU in official builds):
 * no library needed. Windows-1252 and other legacy encodings are not guessed: a manifest
 * is YAML, which is Unicode by definition (YAML 1.2 §5.2).
 */
/** A decoded text, or why the bytes are not text this loader reads. */
export type Decoded =
  | { text: string; encoding: "utf-8" | "utf-8-bom" | "utf-16le" | "utf-16be" }
  | { error: string; line: number; col: number };

/**
 * Decodes a file's bytes: a UTF-8 BOM is dropped, a UTF-16 BOM (either byte order)
 * selects UTF-16, anything else must be valid UTF-8. CRLF line ends become LF, so a file
 * checked out on Windows reads (and hashes) like the same file on Linux; lines and columns
 * are unchanged by that. An error names where the bytes stop being UTF-8 (1-based line
 * and column in characters).
 */
export function decodeText(bytes: Uint8Array): Decoded {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if (b0 === 0xff && b1 === 0xfe) return utf16(bytes.subarray(2), "utf-16le");
  if (b0 === 0xfe && b1 === 0xff) return utf16(bytes.subarray(2), "utf-16be");
  const bom = b0 === 0xef && b1 === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(body);
    return { text: lf(text), encoding: bom ? "utf-8-bom" : "utf-8" };
  } catch {
    const where = firstInvalid(body);
    const hint =
      bytes.length > 1 && (bytes[1] === 0 || bytes[0] === 0) ? "UTF-16 without a byte-order mark?" : "";
    return {
      error: `invalid byte 0x${where.byte}${hint ? `; ${hint}` : ""}`,
      line: where.line,
      col: where.col,
    };
  }
}

function utf16(body: Uint8Array, encoding: "utf-16le" | "utf-16be"): Decoded {
  try {
    return { text: lf(new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body)), encoding };
  } catch {
    return { error: `${encoding.toUpperCase()} with an invalid code unit`, line: 1, col: 1 };
  }
}

/** `text` with CRLF line ends made LF (a lone CR stays: YAML reads it as a line break too). */
export const lf = (text: string): string => (text.includes("\r\n") ? text.replace(/\r\n/g, "\n") : text);

/** Smallest code point of a sequence of 1-4 bytes (smaller is an overlong form), by continuation bytes. */
const MIN_CODE_POINT = [0, 0x80, 0x800, 0x10000];
/** Bits of the lead byte that carry the code point, by continuation bytes. */
const LEAD_BITS = [0x7f, 0x1f, 0x0f, 0x07];

/** Line, column (in characters) and value of the first byte that is not UTF-8. */
function firstInvalid(bytes: Uint8Array): { line: number; col: number; byte: string } {
  let line = 1;
  let col = 1;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    const need =
      b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    let ok = need >= 0 && i + need < bytes.length;
    for (let k = 1; ok && k <= need; k++) ok = ((bytes[i + k] as number) & 0xc0) === 0x80;
    if (ok && need > 0) {
      // Overlong forms and surrogates are refused by the decoder too.
      const cp = decodeAt(bytes, i, need);
      ok = cp >= (MIN_CODE_POINT[need] ?? 0) && (cp < 0xd800 || cp > 0xdfff) && cp <= 0x10ffff;
    }
    if (!ok) return { line, col, byte: b.toString(16).toUpperCase().padStart(2, "0") };
    if (b === 0x0a) {
      line++;
      col = 1;
    } else col++;
    i += need + 1;
  }
  return { line, col, byte: "??" };
}

function decodeAt(bytes: Uint8Array, i: number, need: number): number {
  let cp = (bytes[i] as number) & (LEAD_BITS[need] ?? 0);
  for (let k = 1; k <= need; k++) cp = (cp << 6) | ((bytes[i + k] as number) & 0x3f);
  return cp;
}

/** A string in a manifest that cannot be kept: where and why. */
export interface BadString {
  /** Path of the value (or of the key, with `key: true`): mapping keys and sequence indexes, as parse.ts's NodePath. */
  path: ReadonlyArray<string | number>;
  key: boolean;
  /** The offending UTF-16 code unit and its index in the string. */
  code: number;
  index: number;
  surrogate: boolean;
}

/**
 * Control characters other than tab and LF (C0 with CR, DEL and C1), and unpaired
 * surrogates. Tab and line feed are text (CRLF line ends were made LF when decoding); the
 * others are invisible, break terminals and logs, and U+0000 cannot be stored in Postgres
 * text or jsonb. Returns the first in `s`, or undefined (a loop over code units).
 */
function badCharOf(s: string): { code: number; index: number; surrogate: boolean } | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 ? c !== 0x09 && c !== 0x0a : c >= 0x7f && c <= 0x9f)
      return { code: c, index: i, surrogate: false };
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff)
        i++; // a pair: one code point
      else return { code: c, index: i, surrogate: true };
    }
  }
  return undefined;
}

/**
 * Every string (value or mapping key) of a parsed document that holds a control character
 * or an unpaired surrogate, with its path; at most `limit` (default 100) are listed.
 */
export function findBadStrings(value: unknown, limit = 100): BadString[] {
  const out: BadString[] = [];
  const path: (string | number)[] = []; // one stack, copied only for a hit: most strings are clean
  const walk = (v: unknown): void => {
    if (out.length >= limit) return;
    if (typeof v === "string") {
      const bad = badCharOf(v);
      if (bad) out.push({ path: [...path], key: false, ...bad });
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        walk(v[i]);
        path.pop();
      }
    } else if (v !== null && typeof v === "object") {
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        path.push(k);
        const bad = badCharOf(k);
        if (bad) out.push({ path: [...path], key: true, ...bad });
        walk((v as Record<string, unknown>)[k]);
        path.pop();
      }
    }
  };
  walk(value);
  return out;
}
