/**
 * Turns the bytes of a text file as spreadsheet programs save it into a string, choosing the
 * encoding the way Excel writes them: "CSV UTF-8" (UTF-8 with a BOM), "Unicode text"
 * (UTF-16 LE with a BOM), plain UTF-8 from other tools, and "CSV" in a Western locale
 * (the ANSI code page, Windows-1252). Never returns U+FFFD: a byte that does not decode is
 * an error naming the line and the byte, since a replacement character written into a
 * manifest is a name lost for good (issue 8, case 06).
 */
import iconv from "iconv-lite";

/** Encodings `decodeText` recognises, by the names iconv-lite uses. */
export type TextEncoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1252";

/** A decoded file: its text (without BOM) and the encoding it was read with. */
export interface DecodedText {
  text: string;
  encoding: TextEncoding;
  /** True when the file started with a byte order mark. */
  bom: boolean;
}

/** Bytes that cannot be read as text; `line` is 1-based, `offset` is the 0-based byte offset. */
export class TextDecodeError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly offset: number,
  ) {
    super(message);
    this.name = "TextDecodeError";
  }
}

export const errNotUtf8 = "is not valid UTF-8";
export const errNotUtf16 = "is not valid UTF-16";
export const errOddUtf16 = "a UTF-16 file has an even number of bytes; this one ends in half a character";
export const errNotCp1252 =
  "is neither UTF-8 nor Windows-1252 (Excel's 'CSV' in Western locales); save the sheet as 'CSV UTF-8'";
export const errNulByte =
  "is a NUL byte: the file looks like UTF-16 without a byte order mark; save the sheet as 'CSV UTF-8'";
export const errMixedEncodings =
  "is not UTF-8 while other text in the file is (the file mixes two encodings); save the sheet as 'CSV UTF-8'";
export const errReplacementChar =
  "holds U+FFFD, the mark of a character already lost by an earlier conversion; fix the source file";

const boms: Array<{ bytes: number[]; encoding: TextEncoding }> = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: "utf-8" },
  { bytes: [0xff, 0xfe], encoding: "utf-16le" },
  { bytes: [0xfe, 0xff], encoding: "utf-16be" },
];

/** How U+FFFD itself is written in each encoding (Windows-1252 cannot write it). */
const replacementBytes: Record<TextEncoding, number[]> = {
  "utf-8": [0xef, 0xbf, 0xbd],
  "utf-16le": [0xfd, 0xff],
  "utf-16be": [0xff, 0xfd],
  "windows-1252": [],
};

/**
 * Decodes `bytes`: a BOM decides the encoding; without one, valid UTF-8 is UTF-8 and
 * anything else is Windows-1252. Throws `TextDecodeError` (message starts `LINE: byte 0xNN`)
 * for a byte the chosen encoding does not define, a NUL byte outside UTF-16, a file that
 * mixes UTF-8 with another encoding, or a U+FFFD already in the text.
 */
export function decodeText(bytes: Uint8Array): DecodedText {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bom = boms.find((b) => b.bytes.every((v, i) => buf[i] === v));
  if (bom) {
    const body = buf.subarray(bom.bytes.length);
    if (bom.encoding !== "utf-8" && body.length % 2 === 1) {
      throw at(body, bom.encoding, body.length - 1, bom.bytes.length, errOddUtf16);
    }
    const text = iconv.decode(body, bom.encoding, { stripBOM: false });
    checkNoReplacement(body, text, bom.encoding, bom.bytes.length);
    return { text, encoding: bom.encoding, bom: true };
  }
  const nul = buf.indexOf(0);
  if (nul >= 0) throw at(buf, "utf-8", nul, 0, errNulByte);
  const utf8 = buf.toString("utf8");
  const bad = firstBadUtf8(utf8);
  if (bad === undefined) return { text: utf8, encoding: "utf-8", bom: false };
  if (isReplacementAt(buf, bad, "utf-8")) throw at(buf, "utf-8", bad, 0, errReplacementChar);
  // A non-ASCII character other than U+FFFD in the lenient UTF-8 decoding came from a valid
  // multi-byte sequence: the file holds UTF-8 text too, and Windows-1252 would garble it ("Ã²").
  if (/[\u0080-\uFFFC\uFFFE\uFFFF]/.test(utf8)) throw at(buf, "utf-8", bad, 0, errMixedEncodings);
  const text = iconv.decode(buf, "windows-1252", { stripBOM: false });
  // Windows-1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined; iconv-lite gives U+FFFD
  // for them, one character per byte, so the index of U+FFFD is the byte offset.
  const undefinedByte = text.indexOf("\uFFFD");
  if (undefinedByte >= 0) throw at(buf, "windows-1252", undefinedByte, 0, errNotCp1252);
  return { text, encoding: "windows-1252", bom: false };
}

/** Byte offset of the first byte that is not valid UTF-8, or undefined when all are. */
function firstBadUtf8(decoded: string): number | undefined {
  const i = decoded.indexOf("\uFFFD");
  if (i < 0) return undefined;
  // Everything before the first U+FFFD decoded cleanly, so it re-encodes to the same bytes.
  return Buffer.byteLength(decoded.slice(0, i), "utf8");
}

// iconv-lite passes a lone UTF-16 surrogate through; it is no character and YAML cannot hold it.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkNoReplacement(body: Buffer, text: string, encoding: TextEncoding, bomLength: number): void {
  const lone = encoding === "utf-8" ? -1 : text.search(loneSurrogate);
  if (lone >= 0) throw at(body, encoding, lone * 2, bomLength, errNotUtf16);
  const i = text.indexOf("\uFFFD");
  if (i < 0) return;
  const offset = encoding === "utf-8" ? Buffer.byteLength(text.slice(0, i), "utf8") : i * 2; // UTF-16: 2 bytes per code unit
  const why = isReplacementAt(body, offset, encoding)
    ? errReplacementChar
    : encoding === "utf-8"
      ? errNotUtf8
      : errNotUtf16;
  throw at(body, encoding, offset, bomLength, why);
}

function isReplacementAt(buf: Buffer, offset: number, encoding: TextEncoding): boolean {
  const want = replacementBytes[encoding];
  return want.length > 0 && want.every((v, k) => buf[offset + k] === v);
}

/** A `TextDecodeError` for the byte at `offset` of `body` (file offset = offset + bomLength). */
function at(
  body: Buffer,
  encoding: TextEncoding,
  offset: number,
  bomLength: number,
  why: string,
): TextDecodeError {
  const line = lineOf(body, encoding, offset);
  const byte = (body[offset] ?? 0).toString(16).toUpperCase().padStart(2, "0");
  const fileOffset = offset + bomLength;
  return new TextDecodeError(`${line}: byte 0x${byte} at offset ${fileOffset} ${why}`, line, fileOffset);
}

/** 1-based line of the byte at `offset`: LF bytes before it, counted in the file's encoding. */
function lineOf(body: Buffer, encoding: TextEncoding, offset: number): number {
  let line = 1;
  if (encoding === "utf-16le" || encoding === "utf-16be") {
    const lo = encoding === "utf-16le" ? 0 : 1;
    for (let i = 0; i + 1 < offset; i += 2) if (body[i + lo] === 0x0a && body[i + 1 - lo] === 0) line++;
    return line;
  }
  for (let i = 0; i < offset; i++) if (body[i] === 0x0a) line++;
  return line;
}
