/**
 * Test-only: compares a .proto we wrote (parsed by protobufjs) with the descriptors a
 * binary was built with, and lists every disagreement in field name, number, type,
 * label, oneof, enum value and RPC signature.
 */
import protobuf from "protobufjs";
import type { FieldDescriptor, FileDescriptor, MessageDescriptor } from "./terraform-descriptor.js";

const scalarTypes: Record<string, string> = {
  double: "TYPE_DOUBLE",
  float: "TYPE_FLOAT",
  int64: "TYPE_INT64",
  uint64: "TYPE_UINT64",
  int32: "TYPE_INT32",
  uint32: "TYPE_UINT32",
  bool: "TYPE_BOOL",
  string: "TYPE_STRING",
  bytes: "TYPE_BYTES",
};

/** Loads our .proto files with protobufjs, names as written (snake_case). */
export function loadOurProtos(paths: readonly string[]): protobuf.Root {
  const root = new protobuf.Root();
  root.loadSync([...paths], { keepCase: true });
  root.resolveAll();
  return root;
}

/** Finds a message of the binary's files by full name (`.tfplugin6.Schema.Block`). */
function findMessage(files: readonly FileDescriptor[], fullName: string): MessageDescriptor | undefined {
  for (const file of files) {
    const prefix = `.${file.package}.`;
    if (!fullName.startsWith(prefix)) continue;
    let scope: MessageDescriptor[] | undefined = file.messageType;
    let found: MessageDescriptor | undefined;
    for (const part of fullName.slice(prefix.length).split(".")) {
      found = scope?.find((m) => m.name === part);
      scope = found?.nestedType;
    }
    if (found) return found;
  }
  return undefined;
}

function typeOf(field: protobuf.Field, aliases: Record<string, string>): { type: string; typeName?: string } {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) return { type: "TYPE_ENUM", typeName: resolved.fullName };
  if (resolved) return { type: "TYPE_MESSAGE", typeName: aliases[resolved.fullName] ?? resolved.fullName };
  return { type: scalarTypes[field.type] ?? `unsupported ${field.type}` };
}

function compareField(
  where: string,
  ours: protobuf.Field,
  theirs: FieldDescriptor,
  message: MessageDescriptor,
  files: readonly FileDescriptor[],
  aliases: Record<string, string>,
): string[] {
  const problems: string[] = [];
  if (theirs.number !== ours.id) problems.push(`${where}: number ${ours.id}, binary ${theirs.number}`);
  if (ours instanceof protobuf.MapField) {
    const entry = theirs.typeName ? findMessage(files, theirs.typeName) : undefined;
    if (theirs.label !== "LABEL_REPEATED" || !entry?.options?.mapEntry)
      return [...problems, `${where}: a map here, not in the binary`];
    const key = entry.field?.find((f) => f.name === "key");
    const value = entry.field?.find((f) => f.name === "value");
    const want = typeOf(ours, aliases);
    if (key?.type !== scalarTypes[ours.keyType])
      problems.push(`${where}: map key ${ours.keyType}, binary ${key?.type}`);
    if (value?.type !== want.type || value?.typeName !== want.typeName) {
      problems.push(
        `${where}: map value ${want.typeName ?? want.type}, binary ${value?.typeName ?? value?.type}`,
      );
    }
    return problems;
  }
  const want = typeOf(ours, aliases);
  if (theirs.type !== want.type || (want.typeName !== undefined && theirs.typeName !== want.typeName)) {
    problems.push(`${where}: type ${want.typeName ?? want.type}, binary ${theirs.typeName ?? theirs.type}`);
  }
  if (ours.repeated !== (theirs.label === "LABEL_REPEATED"))
    problems.push(`${where}: repeated ${ours.repeated} differs`);
  const theirOneof =
    theirs.oneofIndex === undefined ? undefined : message.oneofDecl?.[theirs.oneofIndex]?.name;
  if ((ours.partOf?.name ?? undefined) !== theirOneof) {
    problems.push(`${where}: oneof ${ours.partOf?.name ?? "none"}, binary ${theirOneof ?? "none"}`);
  }
  return problems;
}

/**
 * Every disagreement between the messages, enums and services under `namespace` of our
 * protos and the binary's `files`. `aliases` maps one of our message names to the
 * binary's (`.plugin.Empty` → `.google.protobuf.Empty`: identical on the wire).
 */
export function compareWithDescriptors(
  namespace: protobuf.NamespaceBase,
  files: readonly FileDescriptor[],
  aliases: Record<string, string> = {},
): string[] {
  const problems: string[] = [];
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) {
      const theirs = findMessage(files, nested.fullName);
      if (!theirs) {
        problems.push(`${nested.fullName}: not in the binary`);
        continue;
      }
      for (const field of nested.fieldsArray) {
        const where = `${nested.fullName}.${field.name}`;
        const match = theirs.field?.find((f) => f.name === field.name);
        if (match) problems.push(...compareField(where, field, match, theirs, files, aliases));
        else problems.push(`${where}: not in the binary`);
      }
      for (const inner of nested.nestedArray) {
        if (!(inner instanceof protobuf.Enum)) continue;
        const theirEnum = theirs.enumType?.find((e) => e.name === inner.name);
        for (const [name, number] of Object.entries(inner.values)) {
          const value = theirEnum?.value?.find((v) => v.name === name);
          if (value?.number !== number)
            problems.push(`${inner.fullName}.${name}: ${number}, binary ${value?.number}`);
        }
      }
      problems.push(...compareWithDescriptors(nested, files, aliases));
    } else if (
      nested instanceof protobuf.Enum &&
      nested.parent === namespace &&
      !(namespace instanceof protobuf.Type)
    ) {
      const theirEnum = files.flatMap((f) => f.enumType ?? []).find((e) => e.name === nested.name);
      for (const [name, number] of Object.entries(nested.values)) {
        const value = theirEnum?.value?.find((v) => v.name === name);
        if (value?.number !== number)
          problems.push(`${nested.fullName}.${name}: ${number}, binary ${value?.number}`);
      }
    } else if (nested instanceof protobuf.Service) {
      const service = files.flatMap((f) => f.service ?? []).find((s) => s.name === nested.name);
      for (const method of nested.methodsArray) {
        method.resolve();
        const theirs = service?.method?.find((m) => m.name === method.name);
        const input = method.resolvedRequestType?.fullName ?? "";
        const output = method.resolvedResponseType?.fullName ?? "";
        if (
          !theirs ||
          theirs.inputType !== (aliases[input] ?? input) ||
          theirs.outputType !== (aliases[output] ?? output) ||
          Boolean(theirs.serverStreaming) !== Boolean(method.responseStream)
        ) {
          problems.push(
            `${nested.fullName}/${method.name}: (${input}) → ${output} differs from the binary's`,
          );
        }
      }
    } else if (nested instanceof protobuf.Namespace) {
      problems.push(...compareWithDescriptors(nested, files, aliases));
    }
  }
  return problems;
}
