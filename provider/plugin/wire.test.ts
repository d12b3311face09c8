import { describe, expect, it } from "vitest";
import type { Schema } from "./contract.js";
import { withoutWriteOnly } from "./provider-service.js";
import { diagnosticsToWire, errAttributeShape, pathToWire, schemaToWire } from "./wire.js";

const schema: Schema = {
  version: 2,
  block: {
    description: "An **extension**.",
    attributes: [
      { name: "id", type: "string", description: "Id.", computed: true },
      { name: "labels", type: ["map", "string"], description: "Labels.", optional: true },
      { name: "pin", type: "string", description: "PIN.", optional: true, sensitive: true, writeOnly: true },
      {
        name: "devices",
        description: "Phones.",
        optional: true,
        nestedType: {
          nesting: "list",
          attributes: [
            { name: "mac", type: "string", description: "MAC.", required: true },
            { name: "secret", type: "string", description: "Secret.", optional: true, writeOnly: true },
          ],
        },
      },
    ],
  },
};

describe("schema to tfplugin6", () => {
  it("writes types as JSON bytes, nested attributes with their nesting, write_only and Markdown", () => {
    const wire = schemaToWire(schema);
    expect(wire.version).toBe(2);
    expect(wire.block).toMatchObject({
      version: 2,
      description: "An **extension**.",
      description_kind: "MARKDOWN",
    });
    const [id, labels, pin, devices] = wire.block.attributes;
    expect(id).toMatchObject({
      name: "id",
      computed: true,
      optional: false,
      required: false,
      write_only: false,
    });
    expect(id?.type?.toString()).toBe('"string"');
    expect(labels?.type?.toString()).toBe('["map","string"]');
    expect(pin).toMatchObject({ sensitive: true, write_only: true, optional: true });
    expect(devices?.type).toBeUndefined();
    expect(devices?.nested_type?.nesting).toBe("LIST");
    expect(devices?.nested_type?.attributes.map((a) => [a.name, a.required, a.write_only])).toEqual([
      ["mac", true, false],
      ["secret", false, true],
    ]);
  });

  it.each([
    [
      "both type and nestedType",
      { type: "string" as const, nestedType: { nesting: "single" as const, attributes: [] } },
    ],
    ["neither type nor nestedType", {}],
  ])("refuses an attribute with %s, naming it", (_case, shape) => {
    const bad: Schema = {
      version: 0,
      block: { description: "", attributes: [{ name: "broken", description: "", ...shape }] },
    };
    expect(() => schemaToWire(bad)).toThrow(`${errAttributeShape}: broken`);
  });
});

describe("diagnostics and paths to tfplugin6", () => {
  it.each([
    [
      [{ attribute: "user" }, { attribute: "email" }],
      [{ attribute_name: "user" }, { attribute_name: "email" }],
    ],
    [
      [{ attribute: "labels" }, { key: "team" }],
      [{ attribute_name: "labels" }, { element_key_string: "team" }],
    ],
    [
      [{ attribute: "devices" }, { index: 2 }, { attribute: "mac" }],
      [{ attribute_name: "devices" }, { element_key_int: 2 }, { attribute_name: "mac" }],
    ],
  ] as const)("translates the path %j", (path, steps) => {
    expect(pathToWire(path)).toEqual({ steps });
  });

  it("keeps severity, summary, detail and attribute; leaves the attribute out when there is none", () => {
    expect(
      diagnosticsToWire([
        { severity: "error", summary: "bad", detail: "why", attribute: [{ attribute: "pin" }] },
        { severity: "warning", summary: "hm" },
      ]),
    ).toEqual([
      { severity: "ERROR", summary: "bad", detail: "why", attribute: { steps: [{ attribute_name: "pin" }] } },
      { severity: "WARNING", summary: "hm", detail: "" },
    ]);
  });
});

describe("write-only attributes never leave the provider", () => {
  it("nulls them at the top level and inside nested objects", () => {
    const state = {
      id: "x",
      labels: null,
      pin: "1234",
      devices: [
        { mac: "a", secret: "s1" },
        { mac: "b", secret: null },
      ],
    };
    expect(withoutWriteOnly(state, schema.block.attributes)).toEqual({
      id: "x",
      labels: null,
      pin: null,
      devices: [
        { mac: "a", secret: null },
        { mac: "b", secret: null },
      ],
    });
    expect(state.pin).toBe("1234"); // the input is not changed
    expect(withoutWriteOnly(null, schema.block.attributes)).toBeNull();
  });
});
