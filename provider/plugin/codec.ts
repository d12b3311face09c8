/**
 * Terraform values on the wire (tfplugin6 `DynamicValue`) ↔ the contract's `TfValue`.
 * Encoding is type-driven, as cty's own msgpack encoder is: every object carries every
 * attribute of its type (null when absent), numbers go out as the narrowest exact form
 * (int, 64-bit int, float64, else a decimal string) and the unknown value is the
 * three bytes `d4 00 00` (fixext1, type 0, data 0).
 *
 * Sources: go-cty 1.16 `cty/msgpack` (marshal.go, unmarshal.go, unknown.go) and
 * ../shared/terraform-plugin-notes.md ("Values on the wire").
 */
import { Decoder, Encoder, ExtensionCodec } from "@msgpack/msgpack";
import { isInteger, isSafeNumber, parse as parseLossless } from "lossless-json";
import { type CtyType, type SchemaAttribute, type TfObject, type TfValue, unknown } from "./contract.js";

/** A tfplugin6 `DynamicValue` as proto-loader hands it over (either field may be empty). */
export interface DynamicValue {
  msgpack?: Uint8Array;
  json?: Uint8Array;
}

/** Error text: a value and its cty type disagree (followed by the path). */
export const errNotOfType = "value does not match its Terraform type";
/** Error text: a DynamicValue with neither encoding set. */
export const errNoValue = "DynamicValue holds neither msgpack nor json";

/** Thrown when a value and its cty type disagree; `path` says where (`.user.email`, `[2]`). */
export class CodecError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${message} at ${path || "(root)"}`);
    this.name = "CodecError";
  }
}

/** The bytes cty writes for an unknown value: msgpack fixext1, extension type 0, data 0. */
export const unknownBytes: Uint8Array = Uint8Array.of(0xd4, 0x00, 0x00);

const extensions = new ExtensionCodec();
// cty writes type 0 for a plain unknown and type 12 for a refined one ("known after
// apply, but not null"); every extension type is an unknown to us.
for (let type = 0; type <= 127; type++) {
  extensions.register({
    type,
    encode: (input: unknown) => (type === 0 && input === unknown ? Uint8Array.of(0) : null),
    decode: () => unknown,
  });
}
const encoder = new Encoder({ extensionCodec: extensions, useBigInt64: true });
const decoder = new Decoder({ extensionCodec: extensions, useBigInt64: true });

const int64Min = -(2n ** 63n);
const uint64Max = 2n ** 64n - 1n;

/** The object type of a block's attributes, nested attributes included (tfplugin6 `Schema.Object`). */
export function attributesType(attributes: readonly SchemaAttribute[]): CtyType {
  const fields: Record<string, CtyType> = {};
  for (const attribute of attributes) fields[attribute.name] = attributeType(attribute);
  return ["object", fields];
}

/** The cty type of one schema attribute: its `type`, or the type its `nestedType` implies. */
export function attributeType(attribute: SchemaAttribute): CtyType {
  if (attribute.type !== undefined) return attribute.type;
  if (attribute.nestedType === undefined)
    throw new CodecError(`attribute has neither type nor nestedType`, attribute.name);
  const object = attributesType(attribute.nestedType.attributes);
  const nesting = attribute.nestedType.nesting;
  return nesting === "single" ? object : [nesting, object];
}

/** Encodes `value` of cty type `type` as msgpack, as cty does. Throws `CodecError` on a mismatch. */
export function encodeMsgpack(value: TfValue, type: CtyType): Uint8Array {
  return encoder.encode(toWire(value, type, ""));
}

/** Decodes a `DynamicValue` (msgpack, else json) of type `type`. Throws `CodecError`. */
export function decodeDynamicValue(dynamic: DynamicValue | null | undefined, type: CtyType): TfValue {
  if (dynamic?.msgpack && dynamic.msgpack.length > 0)
    return fromWire(decoder.decode(dynamic.msgpack), type, "", false);
  if (dynamic?.json && dynamic.json.length > 0) {
    return fromWire(parseJson(Buffer.from(dynamic.json).toString("utf8")), type, "", true);
  }
  throw new CodecError(errNoValue, "");
}

/**
 * Parses Terraform's JSON (a stored state, a JSON DynamicValue) without losing digits:
 * an integer beyond 2^53 becomes a `bigint`, like a 64-bit msgpack integer; every other
 * number a `number`. `JSON.parse` would round a stored 64-bit id on every refresh.
 * Throws `SyntaxError` on malformed JSON.
 */
export function parseJson(text: string): unknown {
  return parseLossless(text, undefined, (digits: string) =>
    isInteger(digits) && !isSafeNumber(digits) ? BigInt(digits) : Number.parseFloat(digits),
  );
}

/** Like `decodeDynamicValue` for an object type; null (no object) stays null. */
export function decodeObject(dynamic: DynamicValue | null | undefined, type: CtyType): TfObject | null {
  if (!dynamic || ((dynamic.msgpack?.length ?? 0) === 0 && (dynamic.json?.length ?? 0) === 0)) return null;
  const value = decodeDynamicValue(dynamic, type);
  if (value === null) return null;
  if (value === unknown || typeof value !== "object" || Array.isArray(value))
    throw new CodecError(errNotOfType, "");
  return value as TfObject;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/** A JS value the msgpack encoder writes exactly as cty would. */
function toWire(value: TfValue, type: CtyType, path: string): unknown {
  if (value === null || value === unknown) return value;
  if (type === "dynamic") {
    // cty writes a dynamic value as [type JSON, value].
    const actual = inferType(value, path);
    return [Buffer.from(JSON.stringify(actual)), toWire(value, actual, path)];
  }
  if (type === "string") return expect(typeof value === "string", value, path);
  if (type === "bool") return expect(typeof value === "boolean", value, path);
  if (type === "number") return numberToWire(value, path);
  const [kind, inner] = type;
  if (kind === "list" || kind === "set") {
    if (!Array.isArray(value)) throw new CodecError(errNotOfType, path);
    return value.map((element, i) => toWire(element, inner, `${path}[${i}]`));
  }
  if (kind === "tuple") {
    if (!Array.isArray(value) || value.length !== inner.length) throw new CodecError(errNotOfType, path);
    return value.map((element, i) => toWire(element, inner[i] as CtyType, `${path}[${i}]`));
  }
  if (!isObject(value)) throw new CodecError(errNotOfType, path);
  const out: Record<string, unknown> = Object.create(null);
  if (type[0] === "map") {
    for (const key of Object.keys(value).sort())
      out[key] = toWire(value[key] as TfValue, type[1], `${path}[${JSON.stringify(key)}]`);
    return out;
  }
  const fields = type[1] as { readonly [name: string]: CtyType }; // the only kind left: object
  for (const name of Object.keys(fields).sort()) {
    out[name] = toWire((value[name] ?? null) as TfValue, fields[name] as CtyType, `${path}.${name}`);
  }
  for (const name of Object.keys(value))
    if (!(name in fields)) throw new CodecError(`attribute ${name} is not in the schema`, path);
  return out;
}

function expect(ok: boolean, value: unknown, path: string): unknown {
  if (!ok) throw new CodecError(errNotOfType, path);
  return value;
}

function numberToWire(value: TfValue, path: string): unknown {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new CodecError("a Terraform number is finite", path);
    return value;
  }
  if (typeof value === "bigint") {
    if (value >= int64Min && value <= uint64Max)
      return Number.isSafeInteger(Number(value)) ? Number(value) : value;
    return value.toString(); // cty writes numbers beyond 64 bits as a decimal string.
  }
  throw new CodecError(errNotOfType, path);
}

function inferType(value: TfValue, path: string): CtyType {
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number" || typeof value === "bigint") return "number";
  if (Array.isArray(value))
    return [
      "tuple",
      value.map((v, i) => (v === null || v === unknown ? "dynamic" : inferType(v, `${path}[${i}]`))),
    ];
  if (isObject(value)) {
    const fields: Record<string, CtyType> = {};
    for (const [k, v] of Object.entries(value))
      fields[k] = v === null || v === unknown ? "dynamic" : inferType(v, `${path}.${k}`);
    return ["object", fields];
  }
  throw new CodecError(errNotOfType, path);
}

/** Checks and normalizes a decoded msgpack/JSON value against its cty type. */
function fromWire(raw: unknown, type: CtyType, path: string, json: boolean): TfValue {
  if (raw === null || raw === undefined) return null;
  if (raw === unknown) return unknown; // JSON has no unknowns: only msgpack gets here.
  if (type === "dynamic") {
    if (json) {
      if (!isObject(raw) || !("type" in raw)) throw new CodecError(errNotOfType, path);
      return fromWire(raw.value, raw.type as CtyType, path, json);
    }
    if (!Array.isArray(raw) || raw.length !== 2 || !(raw[0] instanceof Uint8Array))
      throw new CodecError(errNotOfType, path);
    const actual = JSON.parse(Buffer.from(raw[0]).toString("utf8")) as CtyType;
    return fromWire(raw[1], actual, path, json);
  }
  if (type === "string") return expect(typeof raw === "string", raw, path) as string;
  if (type === "bool") return expect(typeof raw === "boolean", raw, path) as boolean;
  if (type === "number") return numberFromWire(raw, path);
  const [kind, inner] = type;
  if (kind === "list" || kind === "set" || kind === "tuple") {
    if (!Array.isArray(raw)) throw new CodecError(errNotOfType, path);
    if (kind === "tuple" && raw.length !== inner.length) throw new CodecError(errNotOfType, path);
    return raw.map((element, i) =>
      fromWire(element, kind === "tuple" ? (inner[i] as CtyType) : inner, `${path}[${i}]`, json),
    );
  }
  if (!isObject(raw)) throw new CodecError(errNotOfType, path);
  const out: TfObject = {};
  if (type[0] === "map") {
    for (const [key, element] of Object.entries(raw))
      out[key] = fromWire(element, type[1], `${path}[${JSON.stringify(key)}]`, json);
    return out;
  }
  const fields = type[1] as { readonly [name: string]: CtyType }; // the only kind left: object
  for (const name of Object.keys(fields))
    out[name] = fromWire(raw[name], fields[name] as CtyType, `${path}.${name}`, json);
  return out;
}

function numberFromWire(raw: unknown, path: string): number | bigint {
  if (typeof raw === "number") return raw;
  if (typeof raw === "bigint") return Number.isSafeInteger(Number(raw)) ? Number(raw) : raw;
  if (typeof raw === "string" && /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) {
    // cty writes a number that is neither an exact int64 nor an exact float64 as a decimal string.
    if (/^-?\d+$/.test(raw)) {
      const big = BigInt(raw);
      return Number.isSafeInteger(Number(big)) ? Number(big) : big;
    }
    return Number(raw);
  }
  throw new CodecError(errNotOfType, path);
}
