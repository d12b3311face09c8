import { decode, Encoder, ExtData } from "@msgpack/msgpack";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  attributesType,
  CodecError,
  decodeDynamicValue,
  decodeObject,
  encodeMsgpack,
  errNotOfType,
  errNoValue,
  parseJson,
  unknownBytes,
} from "./codec.js";
import { type CtyType, type TfValue, unknown } from "./contract.js";

const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
const primitive = fc.constantFrom<CtyType>("string", "number", "bool", "dynamic");

/** Every cty type shape, nested up to a few levels. */
const ctyType: fc.Arbitrary<CtyType> = fc.letrec<{ type: CtyType }>((tie) => ({
  type: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    primitive,
    fc.tuple(fc.constantFrom("list" as const, "set" as const, "map" as const), tie("type")),
    fc.dictionary(name, tie("type"), { maxKeys: 4 }).map((fields) => ["object", fields] as const),
    fc.array(tie("type"), { maxLength: 3 }).map((items) => ["tuple", items] as const),
  ),
})).type;

// cty has one zero: -0 and 0 are the same number (and msgpack writes both as int 0).
const double = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x));
const number: fc.Arbitrary<number | bigint> = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  double,
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }), // int64 / uint64 on the wire
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), // beyond 64 bits: a decimal string on the wire
);

/** A value of `type`, with null and unknown possible at any depth. */
function arbitraryValue(type: CtyType, depth = 0): fc.Arbitrary<TfValue> {
  const known = arbitraryKnown(type, depth);
  return fc.oneof(
    { weight: 6, arbitrary: known },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant(unknown) },
  );
}

function arbitraryKnown(type: CtyType, depth: number): fc.Arbitrary<TfValue> {
  if (type === "string") return fc.string();
  if (type === "bool") return fc.boolean();
  if (type === "number") return number;
  if (type === "dynamic")
    return depth > 2
      ? fc.string()
      : ctyType.chain((t) => (t === "dynamic" ? fc.string() : arbitraryKnown(t, depth + 1)));
  const [kind, inner] = type;
  if (kind === "list" || kind === "set") return fc.array(arbitraryValue(inner, depth + 1), { maxLength: 3 });
  if (kind === "tuple") return fc.tuple(...inner.map((t) => arbitraryValue(t, depth + 1)));
  if (kind === "map") return fc.dictionary(name, arbitraryValue(inner, depth + 1), { maxKeys: 3 });
  return fc.record(
    Object.fromEntries(Object.entries(inner).map(([k, t]) => [k, arbitraryValue(t, depth + 1)])),
  );
}

/** What a value decodes to: integers that fit 2^53 come back as numbers. */
function normalized(value: TfValue): TfValue {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (Array.isArray(value)) return value.map(normalized);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalized(v)]));
  }
  return value;
}

describe("msgpack codec", () => {
  it("round-trips every cty type, with unknowns and nulls at any depth", () => {
    fc.assert(
      fc.property(
        ctyType.chain((type) => fc.tuple(fc.constant(type), arbitraryValue(type))),
        ([type, value]) => {
          const decoded = decodeDynamicValue({ msgpack: encodeMsgpack(value, type) }, type);
          expect(decoded).toEqual(normalized(value));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("writes an unknown as cty does: d4 00 00, at the root and inside an object", () => {
    expect([...encodeMsgpack(unknown, "string")]).toEqual([0xd4, 0x00, 0x00]);
    const bytes = Buffer.from(
      encodeMsgpack({ id: unknown, n: 1 }, ["object", { id: "string", n: "number" }]),
    );
    // fixmap(2) "id" → d4 00 00, "n" → 1: byte for byte what go-cty's msgpack.Marshal writes.
    expect(bytes.toString("hex")).toBe(`82a26964${Buffer.from(unknownBytes).toString("hex")}a16e01`);
  });

  it("writes every attribute of an object type, null for the absent ones, and nothing else", () => {
    const type: CtyType = ["object", { a: "string", b: ["list", "number"], c: ["object", { d: "bool" }] }];
    expect(decode(encodeMsgpack({ a: "x" }, type))).toEqual({ a: "x", b: null, c: null });
    expect(() => encodeMsgpack({ a: "x", z: 1 }, type)).toThrow(/attribute z is not in the schema/);
  });

  it.each([
    ["a refined unknown (extension 12)", new ExtData(12, Uint8Array.of(0x81, 0x01, 0xc3)), "string", unknown],
    ["any other extension type", new ExtData(5, Uint8Array.of(1)), ["list", "string"], unknown],
    ["a 64-bit integer above 2^53", 2n ** 60n + 1n, "number", 2n ** 60n + 1n],
    ["a 64-bit integer that fits 2^53", 7n, "number", 7],
    ["a float64", 1.25, "number", 1.25],
    ["a decimal string", "0.1", "number", 0.1],
    ["a huge integer string", "123456789012345678901234567890", "number", 123456789012345678901234567890n],
  ] as const)("decodes %s", (_case, wire, type, want) => {
    const bytes = new Encoder({ useBigInt64: true }).encode(wire);
    expect(decodeDynamicValue({ msgpack: bytes }, type as CtyType)).toEqual(want);
  });

  it("writes a dynamic value as [type JSON, value], as cty does", () => {
    const raw = decode(encodeMsgpack({ a: [1, "x"] }, "dynamic")) as [Uint8Array, unknown];
    expect(JSON.parse(Buffer.from(raw[0]).toString())).toEqual([
      "object",
      { a: ["tuple", ["number", "string"]] },
    ]);
    expect(raw[1]).toEqual({ a: [1, "x"] });
  });

  it("accepts JSON as a fallback and refuses what JSON cannot say", () => {
    const type = attributesType([
      { name: "n", type: "number", description: "" },
      { name: "s", type: ["set", "string"], description: "" },
    ]);
    const json = Buffer.from(JSON.stringify({ n: 3, s: ["a"] }));
    expect(decodeObject({ json }, type)).toEqual({ n: 3, s: ["a"] });
    expect(decodeObject({ json: Buffer.from("null") }, type)).toBeNull();
  });

  it.each([
    ["a string for a number", "x", "number", errNotOfType],
    ["a number for a string", 1, "string", errNotOfType],
    ["a list for an object", [1], ["object", {}], errNotOfType],
    ["a tuple of the wrong length", [1], ["tuple", ["number", "number"]], errNotOfType],
  ] as const)("refuses %s, saying where", (_case, value, type, message) => {
    expect(() => encodeMsgpack({ field: value } as TfValue, ["object", { field: type as CtyType }])).toThrow(
      new CodecError(message, ".field"),
    );
  });

  it("parses JSON without losing the digits of a 64-bit integer", () => {
    expect(
      parseJson('{"big":1152921504606846977,"small":3,"decimal":0.1,"list":[-9007199254740993]}'),
    ).toEqual({
      big: 2n ** 60n + 1n,
      small: 3,
      decimal: 0.1,
      list: [-(2n ** 53n) - 1n],
    });
    const json = Buffer.from('{"n":1152921504606846977,"s":null}');
    expect(decodeObject({ json }, ["object", { n: "number", s: ["set", "string"] }])).toEqual({
      n: 2n ** 60n + 1n,
      s: null,
    });
  });

  it("refuses a DynamicValue that holds nothing", () => {
    expect(() => decodeDynamicValue({ msgpack: new Uint8Array() }, "string")).toThrow(
      new CodecError(errNoValue, ""),
    );
  });
});
