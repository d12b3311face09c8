import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import {
  decodeText,
  errMixedEncodings,
  errNotCp1252,
  errNotUtf8,
  errNotUtf16,
  errNulByte,
  errOddUtf16,
  errReplacementChar,
  TextDecodeError,
} from "./decode-text.js";

const bytes = (...parts: Array<string | number[] | Buffer>): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));
const text = "Interno;Nome\r\n201;Niccolò Pelà €\r\n";

describe("decodeText picks the encoding Excel wrote", () => {
  it.each([
    ["UTF-8 without BOM", Buffer.from(text, "utf8"), "utf-8", false],
    [
      "UTF-8 with BOM",
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]),
      "utf-8",
      true,
    ],
    ["UTF-16LE with BOM", iconv.encode(text, "utf-16le", { addBOM: true }), "utf-16le", true],
    ["UTF-16BE with BOM", iconv.encode(text, "utf-16be", { addBOM: true }), "utf-16be", true],
    ["Windows-1252", iconv.encode(text, "windows-1252"), "windows-1252", false],
  ])("%s", (_case, input, encoding, bom) => {
    expect(decodeText(input)).toEqual({ text, encoding, bom });
  });

  it("reads ASCII as UTF-8", () => {
    const ascii = "Interno;Licenza\n201;start\n";
    expect(decodeText(Buffer.from(ascii))).toEqual({ text: ascii, encoding: "utf-8", bom: false });
  });
});

describe("decodeText refuses what it cannot decode, naming line and byte", () => {
  it.each([
    [
      "a byte Windows-1252 leaves undefined",
      bytes("Interno;Nome\r\n201;Niccol", [0xf2], "\r\n202;A", [0x81], "\r\n"),
      `3: byte 0x81 at offset 32 ${errNotCp1252}`,
    ],
    [
      "a NUL byte without BOM (UTF-16 saved without one)",
      iconv.encode("Interno;Nome\r\n", "utf-16le"),
      `1: byte 0x00 at offset 1 ${errNulByte}`,
    ],
    [
      "UTF-8 text followed by a Windows-1252 byte",
      Buffer.concat([Buffer.from("Interno;Nome\n201;Niccolò\n", "utf8"), bytes("202;Pel", [0xe0], "\n")]),
      `3: byte 0xE0 at offset 33 ${errMixedEncodings}`,
    ],
    [
      "a Windows-1252 byte followed by UTF-8 text",
      Buffer.concat([bytes("Interno;Nome\n202;Pel", [0xe0], "\n"), Buffer.from("201;Niccolò\n", "utf8")]),
      `2: byte 0xE0 at offset 20 ${errMixedEncodings}`,
    ],
    [
      "a U+FFFD already in a UTF-8 file",
      Buffer.from("Interno;Nome\n201;Niccol\uFFFD\n", "utf8"),
      `2: byte 0xEF at offset 23 ${errReplacementChar}`,
    ],
    [
      "a bad byte after a UTF-8 BOM",
      bytes([0xef, 0xbb, 0xbf], "Interno\n", [0xc3, 0x28], "\n"),
      `2: byte 0xC3 at offset 11 ${errNotUtf8}`,
    ],
    [
      "a lone surrogate in UTF-16LE",
      bytes([0xff, 0xfe], iconv.encode("Nome\nA", "utf-16le"), [0x00, 0xd8], iconv.encode("B", "utf-16le")),
      `2: byte 0x00 at offset 14 ${errNotUtf16}`,
    ],
    [
      "a UTF-16BE file cut in the middle of a character",
      bytes([0xfe, 0xff], iconv.encode("Nome", "utf-16be"), [0x00]),
      `1: byte 0x00 at offset 10 ${errOddUtf16}`,
    ],
  ])("%s", (_case, input, want) => {
    let got: unknown;
    try {
      decodeText(input);
    } catch (err) {
      got = err;
    }
    expect(got).toBeInstanceOf(TextDecodeError);
    expect((got as Error).message).toBe(want);
  });
});
