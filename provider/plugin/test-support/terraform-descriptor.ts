/**
 * Test-only: finds the serialized `FileDescriptorProto` of a .proto file embedded in a Go
 * binary (protoc-gen-go keeps each file's raw descriptor as one byte string), so tests can
 * check our hand-written .proto against the one Terraform itself was built with.
 *
 * The descriptor starts with field 1 (name): the bytes `0a <len> <name>`. Its end is found
 * by walking top-level fields while they are FileDescriptorProto's (numbers 1-14, wire
 * type 0 or 2); the slice is then decoded with protobufjs's descriptor support.
 */
import { accessSync, constants, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join } from "node:path";
import type * as descriptorTypes from "protobufjs/ext/descriptor/index.js";

const require = createRequire(import.meta.url);
/** protobufjs's descriptor messages (a CommonJS extension without ESM entry). */
const descriptor: typeof descriptorTypes = require("protobufjs/ext/descriptor/index.js");

/** `FieldDescriptorProto`, enums as names (`TYPE_STRING`, `LABEL_REPEATED`). */
export interface FieldDescriptor {
  name: string;
  number: number;
  label?: string;
  type?: string;
  typeName?: string;
  oneofIndex?: number;
}
/** `EnumDescriptorProto`. */
export interface EnumDescriptor {
  name: string;
  value?: { name: string; number: number }[];
}
/** `DescriptorProto` (a message). */
export interface MessageDescriptor {
  name: string;
  field?: FieldDescriptor[];
  nestedType?: MessageDescriptor[];
  enumType?: EnumDescriptor[];
  oneofDecl?: { name: string }[];
  options?: { mapEntry?: boolean };
}
/** `FileDescriptorProto`, the parts the checks read. */
export interface FileDescriptor {
  name: string;
  package: string;
  messageType?: MessageDescriptor[];
  enumType?: EnumDescriptor[];
  service?: {
    name: string;
    method?: { name: string; inputType: string; outputType: string; serverStreaming?: boolean }[];
  }[];
}

/** Error text: the binary holds no descriptor of that file. */
export const errNotFound = "no embedded FileDescriptorProto named";

function varint(bytes: Uint8Array, start: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let position = start;
  for (;;) {
    const byte = bytes[position++];
    if (byte === undefined || shift > 49) return [-1, position];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return [value, position];
  }
}

/** The end of a FileDescriptorProto starting at `start`: the first byte that is not one of its fields. */
function descriptorEnd(bytes: Uint8Array, start: number): number {
  let position = start;
  for (;;) {
    const [tag, afterTag] = varint(bytes, position);
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (tag < 0 || field < 1 || field > 14) return position;
    let next: number;
    if (wireType === 2) {
      const [length, afterLength] = varint(bytes, afterTag);
      next = afterLength + length;
    } else if (wireType === 0) next = varint(bytes, afterTag)[1];
    else return position;
    if (next > bytes.length) return position;
    position = next;
  }
}

/**
 * Decodes the `FileDescriptorProto` named `fileName` (e.g. "tfplugin6.proto") embedded in
 * the binary at `binaryPath`. Throws when none decodes.
 */
export function embeddedFileDescriptor(binaryPath: string, fileName: string): FileDescriptor {
  const bytes = readFileSync(binaryPath);
  const name = Buffer.from(fileName);
  const needle = Buffer.concat([Buffer.of(0x0a, name.length), name]);
  for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
    try {
      const message = descriptor.FileDescriptorProto.decode(bytes.subarray(at, descriptorEnd(bytes, at)));
      const file = descriptor.FileDescriptorProto.toObject(message, { enums: String }) as FileDescriptor;
      if ((file.messageType?.length ?? 0) > 0) return file;
    } catch {
      // Not a descriptor: the same bytes can occur elsewhere (a string table); keep looking.
    }
  }
  throw new Error(`${errNotFound} ${fileName} in ${binaryPath}`);
}

/** The `terraform` executable on PATH, or undefined. */
export function findTerraform(path: string = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir, "terraform");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}
