import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { baseRepo } from "../test-support/repo.js";
import { formatProblem, loadDirectory, loadTexts } from "./index.js";
import { listManifestFiles } from "./parse.js";

const exampleDir = join(import.meta.dirname, "..", "..", "examples", "gitops-partner");

describe("the example partner repository (examples/gitops-partner)", () => {
  it("validates with no problem and no environment", async () => {
    const { problems } = await loadDirectory(exampleDir, { env: {} });
    expect(problems).toEqual([]);
  });

  it("declares what the issue asks for: 3 customers, 5 PBXs, 2 trunks, 12 numbers, 60 extensions, 8 users", async () => {
    const { state } = await loadDirectory(exampleDir, { env: {} });
    const counts = {
      tenants: state.tenants.length,
      declaredUsers: state.users.filter((u) => !u.source.file.includes("/pbx-")).length,
      trunks: state.trunks.length,
      pbxs: state.pbxs.length,
      numbers: state.numbers.length,
      extensions: state.extensions.length,
    };
    expect(counts).toEqual({ tenants: 3, declaredUsers: 8, trunks: 2, pbxs: 5, numbers: 12, extensions: 60 });
    expect(new Set(state.pbxs.map((p) => p.spec.kind))).toEqual(new Set(["single", "shared", "group"]));
    expect(new Set(state.numbers.map((n) => n.spec.blockDigits))).toEqual(new Set([1, 2, 3]));
    expect(new Set(state.extensions.map((e) => e.spec.license))).toEqual(new Set(["start", "plus"]));
    const groups = state.pbxs.filter((p) => p.spec.kind === "group");
    expect(new Set(groups.map((p) => p.tenant)).size, "group PBXs of two customers").toBe(2);
    expect(new Set(groups.map((p) => p.spec.group)).size, "sharing one group name").toBe(1);
    expect(state.extensions.filter((e) => e.spec.user?.firstName).length, "inline new users").toBeGreaterThan(
      0,
    );
    expect(state.extensions.filter((e) => e.spec.user && !e.spec.user.firstName).length).toBeGreaterThan(0);
  });

  it("starts every file with an editor schema comment that points at the combined schema", async () => {
    const combined = resolve(import.meta.dirname, "..", "..", "schemas", "omnia-manifest.schema.json");
    for (const file of await listManifestFiles(exampleDir)) {
      const first = (await readFile(file, "utf8")).split("\n")[0] ?? "";
      const m = /^# yaml-language-server: \$schema=(.+)$/.exec(first);
      expect(m, `${file}: first line ${first}`).not.toBeNull();
      expect(resolve(dirname(file), m?.[1] ?? ""), file).toBe(combined);
    }
  });
});

describe("problems that follow from an unreadable document", () => {
  const pbx = (tenant: string) =>
    `apiVersion: omnia.kalliope.io/v1\nkind: Pbx\nmetadata: {name: p1, tenant: ${tenant}}\nspec: {kind: single}\n`;
  const brokenTenant =
    "apiVersion: omnia.kalliope.io/v1\nkind: Tenant\nmetadata: {name: t}\nspec:\n\tcustomerCode: T1\n";

  it("holds back 'not declared' in the file of the unreadable document, and only there", () => {
    const { problems } = loadTexts(
      new Map([
        ["a.yaml", `${brokenTenant}---\n${pbx("T1")}`],
        ["b.yaml", pbx("NOPE")],
      ]),
    );
    expect(problems.map((p) => formatProblem(p))).toEqual([
      "a.yaml:5:1: YAML syntax error: a TAB is used for indentation here; YAML indents with spaces only: replace the tab with spaces",
      "b.yaml:3:30: Pbx/p1: tenant 'NOPE' is not declared (no Tenant with that customerCode)",
    ]);
  });
});

describe("repository limits (a partner's repository is untrusted input)", () => {
  it.each([
    [
      "more manifest files than allowed",
      { maxFiles: 5 },
      /^the repository has \d+ manifest files, above the limit of 5; nothing was read$/,
    ],
    [
      "more bytes than allowed",
      { maxTotalBytes: 4096 },
      /^the repository's manifests hold [\d.]+ MiB, above the 0\.0 MiB limit; nothing was read$/,
    ],
    [
      "more documents than allowed",
      { maxDocuments: 10 },
      /^the repository has \d+ documents, above the limit of 10; nothing was checked$/,
    ],
  ])("refuses %s with one problem and no state", async (_case, limits, message) => {
    const got = await loadDirectory(exampleDir, { env: {}, limits });
    expect(got.problems.map((p) => p.code)).toEqual(["repository-too-large"]);
    expect(got.problems[0]?.message).toMatch(message);
    expect(got.state.extensions).toEqual([]);
  });
});

describe("a source's default driftMode (LoadOptions.defaultDriftMode)", () => {
  // The loader's options are copied field by field into the build: one left out is lost.
  it.each(["enforce", "warn", "observe"] as const)(
    "reaches every resource whose document and tenant name none (%s), and yields to a tenant's own",
    (mode) => {
      const texts = new Map(Object.entries(baseRepo));
      const { state, problems } = loadTexts(texts, { env: {}, defaultDriftMode: mode });
      expect(problems).toEqual([]);
      const byTenant = (t: string) => [...state.tenants, ...state.pbxs].filter((r) => r.tenant === t);
      expect(new Set(byTenant("ACME001").map((r) => r.policy.driftMode))).toEqual(new Set([mode]));
      // BETA002's Tenant says driftMode: warn for itself and what it holds.
      expect(new Set(byTenant("BETA002").map((r) => r.policy.driftMode))).toEqual(new Set(["warn"]));
    },
  );
});
