import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { kindNames, registry } from "../../controller/model/registry.js";
import { propsGenFile, renderProps, snakeCase } from "./generate-props.js";
import { kindFields } from "./props.gen.js";

describe("provider/cdktf/props.gen.ts (run `npm run gen` when this fails)", () => {
  it("equals what its generator produces now", async () => {
    expect(await readFile(propsGenFile, "utf8")).toBe(renderProps());
  });

  it.each(kindNames)(
    "%s: every spec field of the registry is a prop, secrets as the three TF.md props",
    (kind) => {
      const rows = kindFields[kind].fields as readonly { prop: string; at: string; secret?: true }[];
      const specProps = rows.filter((r) => r.at === "spec").map((r) => r.prop);
      expect(specProps).toEqual([...registry[kind].specFields]);
      const secrets = rows.filter((r) => r.secret).map((r) => `spec.${r.prop}`);
      expect(secrets).toEqual([...registry[kind].secretPaths]);
      expect(kindFields[kind].tfType).toBe(`kalliope_${snakeCase(kind)}`);
    },
  );

  it.each([
    ["callCenter", "call_center"],
    ["SipTrunk", "sip_trunk"],
    ["blockDigits", "block_digits"],
    ["pinWoVersion", "pin_wo_version"],
    ["number", "number"],
  ])("snake_case of %s is %s", (name, want) => {
    expect(snakeCase(name)).toBe(want);
  });
});
