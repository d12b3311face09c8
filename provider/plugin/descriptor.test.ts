/**
 * Our hand-written protos against the descriptors compiled into Terraform 1.11 itself:
 * every message, field (name, number, type, label, oneof), enum value and RPC we declare
 * must match the binary's. `terraform` must be on PATH: without it the tests fail, naming
 * what to install.
 */
import { join } from "node:path";
import type protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { protosDir } from "./serve.js";
import { compareWithDescriptors, loadOurProtos } from "./test-support/descriptor-check.js";
import { embeddedFileDescriptor, findTerraform } from "./test-support/terraform-descriptor.js";

const terraform = findTerraform();
const ours = loadOurProtos([
  join(protosDir, "tfplugin6.proto"),
  join(protosDir, "plugin.proto"),
  join(protosDir, "health.proto"),
]);

describe("protos against the descriptors embedded in terraform", () => {
  it("finds terraform on PATH (the real binary is required, as PostgreSQL is)", () => {
    expect(terraform, "install Terraform >= 1.11 on PATH: these tests run the real binary").toBeDefined();
  });

  it("tfplugin6.proto matches Terraform's, message by message and field by field", () => {
    const binary = embeddedFileDescriptor(terraform as string, "tfplugin6.proto");
    expect(compareWithDescriptors(ours.lookup("tfplugin6") as protobuf.Namespace, [binary])).toEqual([]);
    // The RPCs we leave to grpc-js's UNIMPLEMENTED are exactly these; a new one in a
    // newer Terraform shows up here.
    const declared = (ours.lookup("tfplugin6.Provider") as protobuf.Service).methodsArray.map((m) => m.name);
    const missing = binary.service?.[0]?.method
      ?.map((m) => m.name)
      .filter((name) => !declared.includes(name));
    expect(missing).toEqual([
      "MoveResourceState",
      "ValidateEphemeralResourceConfig",
      "OpenEphemeralResource",
      "RenewEphemeralResource",
      "CloseEphemeralResource",
      "CallFunction",
    ]);
  });

  it("plugin.proto and health.proto match go-plugin's and gRPC's", () => {
    const files = [
      "internal/plugin/grpc_controller.proto",
      "internal/plugin/grpc_stdio.proto",
      "grpc/health/v1/health.proto",
    ].map((name) => embeddedFileDescriptor(terraform as string, name));
    // go-plugin's stdio service takes google.protobuf.Empty, its controller plugin.Empty:
    // both are the empty message on the wire, so our one Empty serves both. That is the
    // only difference allowed.
    expect(compareWithDescriptors(ours.lookup("plugin") as protobuf.Namespace, files)).toEqual([
      ".plugin.GRPCStdio/StreamStdio: (.plugin.Empty) → .plugin.StdioData differs from the binary's",
    ]);
    expect(compareWithDescriptors(ours.lookup("grpc") as protobuf.Namespace, files)).toEqual([]);
  });

  it("reports a wrong field number, type or name (the check can fail)", () => {
    const mutated = loadOurProtos([join(protosDir, "tfplugin6.proto")]);
    const writeOnly = mutated.lookupType("tfplugin6.Schema.Attribute").fields.write_only as protobuf.Field;
    writeOnly.id = 12;
    const binary = {
      name: "tfplugin6.proto",
      package: "tfplugin6",
      messageType: [
        {
          name: "Schema",
          nestedType: [
            {
              name: "Attribute",
              field: [{ name: "write_only", number: 11, type: "TYPE_STRING", label: "LABEL_OPTIONAL" }],
            },
          ],
        },
      ],
    };
    const problems = compareWithDescriptors(mutated.lookup("tfplugin6") as protobuf.Namespace, [binary]);
    expect(problems).toContain(".tfplugin6.Schema.Attribute.write_only: number 12, binary 11");
    expect(problems).toContain(".tfplugin6.Schema.Attribute.write_only: type TYPE_BOOL, binary TYPE_STRING");
    expect(problems).toContain(".tfplugin6.Schema.Attribute.name: not in the binary");
  });
});
