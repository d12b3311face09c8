/**
 * Guards the kind registry: production sources outside `controller/model/` must not name a
 * kind (`"SipTrunk"`, `` `SipTrunk/` ``, or a `SipTrunk:` key of a hand-written table), except
 * in the kind's own adapter file and in the short lists below. A new kind then needs a
 * schema, a descriptor and an adapter file, and this test names any other place that would
 * have to learn about it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { kindNames } from "./registry.js";

const root = join(import.meta.dirname, "..", "..");
/** Folders of production code (built into dist/ or run as the CLI). */
const scanned = ["controller", "platform"];

/** Places that must name particular kinds, and why. Keep it short. */
const mustName: Readonly<Record<string, string>> = {
  "controller/engine/adapters/index.ts":
    "the set of adapters, one line per kind; `AdapterSet` makes the compiler ask for a new kind's",
  "controller/load/cross.ts":
    "rules across particular kinds: extension numbers within a PBX group, number blocks, inline users",
  "controller/load/build.ts": "users defined inline in extensions become User resources",

  "controller/sheet/extensions-from-sheet.ts": "the spreadsheet importer writes Extension documents only",
};

/**
 * Places that still name kinds and should read the registry instead; each is a known, listed
 * debt (the test fails when one is paid, so that its entry is removed).
 */
const pending: Readonly<Record<string, string>> = {
  "controller/engine/adapters/live-from-api.ts":
    "API object -> live resource per kind: move each into its adapter file",
  "controller/export/manifests-from-live.ts":
    "live resource -> document per kind: move each beside its descriptor",
  "platform/standin/seeds/demo.ts": "the demo seed reads manifests by kind: use the loader's DesiredState",
};

const kebab = (kind: string) => kind.replace(/[a-z0-9](?=[A-Z])/g, "$&-").toLowerCase();

function productionFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "test-support") out.push(...productionFiles(path));
    } else if (entry.name.endsWith(".ts") && !/\.(test|gen|d)\.ts$/.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

const patterns = kindNames.map((kind) => ({
  kind,
  re: new RegExp(`(["'\`])${kind}(\\1|/)|(^|[{,\\s])${kind}\\??:(?!:)`),
}));

/** The kinds a line of code names (a string, a key prefix or a table key); comments name none. */
function kindsNamed(line: string): string[] {
  const code = line.trim();
  if (code.startsWith("//") || code.startsWith("*") || code.startsWith("/*")) return [];
  return patterns.filter((p) => p.re.test(code)).map((p) => p.kind);
}

/** `file:line: text` of every line of production code naming a kind where it should not. */
function kindMentions(files: readonly string[]): Map<string, string[]> {
  const byFile = new Map<string, string[]>();
  for (const file of files) {
    const rel = relative(root, file).split("\\").join("/");
    if (rel.startsWith("controller/model/")) continue;
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((line, i) => {
      const named = kindsNamed(line).filter((k) => rel !== `controller/engine/adapters/${kebab(k)}.ts`);
      if (named.length === 0) return;
      const list = byFile.get(rel) ?? [];
      list.push(`${rel}:${i + 1}: ${line.trim()}`);
      byFile.set(rel, list);
    });
  }
  return byFile;
}

describe("kinds are named only by the registry and each kind's adapter", () => {
  const mentions = kindMentions(scanned.flatMap((d) => productionFiles(join(root, d))));

  it("finds no kind named outside the allowed places", () => {
    const offenders = [...mentions]
      .filter(([file]) => !(file in mustName) && !(file in pending))
      .flatMap(([, lines]) => lines);
    expect(offenders, "read the kind from controller/model/registry.ts instead").toEqual([]);
  });

  it("lists no allowed place that no longer names a kind", () => {
    const stale = [...Object.keys(mustName), ...Object.keys(pending)].filter((f) => !mentions.has(f));
    expect(stale, "remove these entries from kind-lists.test.ts").toEqual([]);
  });

  it.each([
    ['  case "SipTrunk":', true],
    ["const k = `Extension/` + t;", true],
    ["  Tenant: tenantAdapter(client),", true],
    ["  Number?: 3,", true],
    ["export type LiveSipTrunk = LiveResource<Kind>;", false],
    ["const n = Number(x);", false],
    ["// a Tenant: its customer", false],
  ])("recognises a kind in %j: %s", (line, want) => {
    expect(kindsNamed(line).length > 0).toBe(want);
  });
});
