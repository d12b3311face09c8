import { readFile } from "node:fs/promises";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { kindNames } from "../../controller/model/registry.js";
import { type TerraformKind, type TfAttribute, terraformKinds } from "../../controller/model/terraform.js";
import { isProp } from "./document.js";
import { propsGenFile, renderProps } from "./generate-props.js";

/** The members of each interface of a TypeScript source: name, optional, type as written. */
function interfaces(text: string): Map<string, { name: string; optional: boolean; type: string }[]> {
  const source = ts.createSourceFile("props.gen.ts", text, ts.ScriptTarget.ES2022);
  const out = new Map<string, { name: string; optional: boolean; type: string }[]>();
  for (const s of source.statements) {
    if (!ts.isInterfaceDeclaration(s)) continue;
    out.set(
      s.name.text,
      s.members.filter(ts.isPropertySignature).map((m) => ({
        name: m.name.getText(source),
        optional: m.questionToken !== undefined,
        type: m.type?.getText(source) ?? "",
      })),
    );
  }
  return out;
}

describe("provider/cdktf/props.gen.ts (run `npm run gen` when this fails)", () => {
  it("equals what its generator produces now", async () => {
    expect(await readFile(propsGenFile, "utf8")).toBe(renderProps());
  });

  it.each(kindNames)(
    "%sProps has one readonly member per settable attribute of terraformKinds, optional unless required",
    async (kind) => {
      const members = interfaces(await readFile(propsGenFile, "utf8")).get(`${kind}Props`);
      const want = terraformKinds[kind].attributes.filter(isProp).map((a) => ({
        name: a.propName,
        optional: !a.required,
        type: a.enum ? a.enum.map((v) => JSON.stringify(v)).join(" | ") : expect.any(String),
      }));
      expect(members).toEqual(want);
    },
  );

  it("a field added to the mapping becomes a documented prop; a computed one does not", () => {
    const base = terraformKinds.Pbx;
    const added = (over: Partial<TfAttribute>): TfAttribute => ({
      ...(base.attributes.find((a) => a.name === "group") as TfAttribute),
      ...over,
    });
    const kind: TerraformKind = {
      ...base,
      attributes: [
        ...base.attributes,
        added({ name: "sip_domain", propName: "sipDomain", required: true, description: "SIP domain." }),
        added({ name: "codec", propName: "codec", enum: ["g711", "g729"], description: "Preferred codec." }),
        added({ name: "queue_id", propName: "queueId", role: "computed", description: "Live queue." }),
      ],
    };
    const members = interfaces(renderProps([kind])).get("PbxProps") ?? [];
    expect(members.slice(-2)).toEqual([
      { name: "sipDomain", optional: false, type: "string" },
      { name: "codec", optional: true, type: '"g711" | "g729"' },
    ]);
    expect(renderProps([kind])).toContain("   * SIP domain.\n   */\n  readonly sipDomain: string;");
    expect(members.map((m) => m.name)).not.toContain("queueId");
  });

  it("descriptions name the props that set the attributes they mention", () => {
    const text = renderProps([terraformKinds.Extension]);
    expect(text).toContain("Give it or `pinFromEnv` (one is required).");
    expect(text).not.toMatch(/`pin_from_env`|`pin_wo_version`/);
  });
});
