import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { toLiveState } from "../engine/adapters/live-from-api.js";
import { secretHashesOf } from "../engine/plan/diff.js";
import { isEmptyPlan, plan } from "../engine/plan/plan.js";
import { formatProblem, loadDirectory } from "../load/index.js";
import { apiCustomer, apiListing, apiPbx, apiTrunk, apiUser } from "../test-support/api-fixtures.js";
import { testHash } from "../test-support/fakes.js";
import { liveToManifests, toDocName, trunkPasswordEnvName } from "./manifests-from-live.js";

const docsOf = (content: string) => parseAllDocuments(content).map((d) => d.toJS());

describe("liveToManifests", () => {
  const files = liveToManifests(toLiveState(["ACME001"], [apiListing()]), {
    schemaPath: "/x/schemas/omnia-manifest.schema.json",
    outDir: "/x/out",
  });
  const byPath = new Map(files.map((f) => [f.path, f]));

  it("writes one folder per tenant and one file per kind", () => {
    expect(files.map((f) => f.path)).toEqual([
      "ACME001/tenant.yaml",
      "ACME001/users.yaml",
      "ACME001/trunks.yaml",
      "ACME001/pbxs.yaml",
      "ACME001/numbers.yaml",
      "ACME001/extensions.yaml",
    ]);
    for (const f of files) {
      expect(f.content.split("\n")[0], f.path).toBe(
        "# yaml-language-server: $schema=../../schemas/omnia-manifest.schema.json",
      );
    }
  });

  it("writes the tenant without its default status", () => {
    expect(docsOf(byPath.get("ACME001/tenant.yaml")?.content ?? "")).toEqual([
      {
        apiVersion: "omnia.kalliope.io/v1",
        kind: "Tenant",
        metadata: { name: "acme001" },
        spec: {
          businessName: "Acme S.r.l.",
          customerCode: "ACME001",
          vatNumber: "01234560017",
          fiscalCode: "01234560017",
          omniaManager: true,
        },
      },
    ]);
  });

  it("refers to a trunk password through an environment variable", () => {
    const file = byPath.get("ACME001/trunks.yaml");
    expect(docsOf(file?.content ?? "")[0]?.spec.password).toEqual({
      fromEnv: "OMNIA_SECRET_TRUNK_PASSWORD_ACME001_FASTWEB",
    });
    expect(file?.secretVariables).toEqual(["OMNIA_SECRET_TRUNK_PASSWORD_ACME001_FASTWEB"]);
  });

  it("writes extensions with PIN references, users by email and a suspended status", () => {
    const file = byPath.get("ACME001/extensions.yaml");
    expect(docsOf(file?.content ?? "")).toEqual([
      {
        apiVersion: "omnia.kalliope.io/v1",
        kind: "Extension",
        metadata: { name: "headquarters-201", tenant: "ACME001", pbx: "headquarters" },
        spec: {
          number: "201",
          license: "plus",
          pin: { fromEnv: "OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_201" },
          user: { email: "giulia.rossi@acme.example" },
        },
      },
      {
        apiVersion: "omnia.kalliope.io/v1",
        kind: "Extension",
        metadata: { name: "headquarters-202", tenant: "ACME001", pbx: "headquarters" },
        spec: {
          number: "202",
          license: "start",
          pin: { fromEnv: "OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_202" },
          status: "suspended",
        },
      },
    ]);
    expect(file?.secretVariables).toEqual([
      "OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_201",
      "OMNIA_SECRET_PIN_ACME001_HEADQUARTERS_202",
    ]);
  });

  it("writes a number with its PBX and trunk by name", () => {
    expect(docsOf(byPath.get("ACME001/numbers.yaml")?.content ?? "")[0]).toEqual({
      apiVersion: "omnia.kalliope.io/v1",
      kind: "Number",
      metadata: { name: "did-390212345600", tenant: "ACME001" },
      spec: { number: "+390212345600", blockDigits: 2, pbx: "headquarters", trunk: "fastweb" },
    });
  });

  it("gives users whose emails share a local part distinct document names", () => {
    const live = toLiveState(
      ["ACME001"],
      [
        apiListing({
          users: [apiUser(), apiUser({ id: "usr_2", email: "giulia.rossi@other.example" })],
          extensions: [],
          numbers: [],
        }),
      ],
    );
    const users = liveToManifests(live).find((f) => f.path === "ACME001/users.yaml");
    expect(docsOf(users?.content ?? "").map((d) => d.metadata.name)).toEqual([
      "giulia-rossi",
      "giulia-rossi-2",
    ]);
  });

  it("writes no password reference for a trunk without one, and skips empty kinds", () => {
    const live = toLiveState(
      ["B"],
      [
        {
          customer: apiCustomer({ customerCode: "B" }),
          users: [],
          trunks: [apiTrunk({ hasPassword: false })],
          pbxs: [],
          numbers: [],
          extensions: [],
        },
      ],
    );
    const got = liveToManifests(live);
    expect(got.map((f) => f.path)).toEqual(["B/tenant.yaml", "B/trunks.yaml"]);
    expect(docsOf(got[1]?.content ?? "")[0]?.spec).not.toHaveProperty("password");
  });
});

describe("names", () => {
  it.each([
    ["ACME001", "acme001"],
    ["giulia.rossi+x", "giulia-rossi-x"],
    ["--", "unnamed"],
    ["a".repeat(70), "a".repeat(63)],
  ])("toDocName(%s) is %s", (text, want) => {
    expect(toDocName(text)).toBe(want);
  });

  it("names trunk password variables like PIN variables", () => {
    expect(trunkPasswordEnvName("hlm-stresa", "wind-tre")).toBe(
      "OMNIA_SECRET_TRUNK_PASSWORD_HLM_STRESA_WIND_TRE",
    );
  });
});

describe("export round trip", () => {
  it("loads back as a desired state that plans no change against the live state it came from", async () => {
    const live = toLiveState(
      ["ACME001", "B2", "C3"],
      [
        apiListing(),
        // Without Omnia Manager a customer has no PBXs, trunks, numbers or extensions (the manual).
        apiListing({
          customer: apiCustomer({
            id: "cus_2",
            customerCode: "B2",
            status: "suspended",
            omniaManager: false,
          }),
          users: [apiUser({ id: "usr_9", customerId: "cus_2", department: undefined })],
          trunks: [],
          pbxs: [],
          numbers: [],
          extensions: [],
        }),
        apiListing({
          customer: apiCustomer({ id: "cus_3", customerCode: "C3" }),
          users: [],
          trunks: [apiTrunk({ id: "trk_9", hasPassword: false, username: undefined, authRequired: false })],
          pbxs: [apiPbx({ id: "pbx_9", kind: "group", group: "rete", status: "pending" })],
          numbers: [],
          extensions: [],
        }),
      ],
    );
    const out = await mkdtemp(join(tmpdir(), "omnia-export-"));
    const env: Record<string, string> = {};
    for (const f of liveToManifests(live, { outDir: out })) {
      await mkdir(dirname(join(out, f.path)), { recursive: true });
      await writeFile(join(out, f.path), f.content);
      for (const v of f.secretVariables) env[v] = "1234";
    }
    const loaded = await loadDirectory(out, { env });
    expect(loaded.problems.map((p) => formatProblem(p))).toEqual([]);

    const hashSecret = testHash;
    const all = [
      ...loaded.state.tenants,
      ...loaded.state.users,
      ...loaded.state.trunks,
      ...loaded.state.pbxs,
      ...loaded.state.numbers,
      ...loaded.state.extensions,
    ];
    const inventory = all.map((d) => ({
      key: d.key,
      kind: d.kind,
      tenant: d.tenant,
      platformId: "x",
      source: "default",
      state: "managed" as const,
      secretHashes: secretHashesOf(d.kind, d.spec, hashSecret),
    }));
    const got = plan(loaded.state, live, inventory, { hashSecret });
    const changed = got.changes
      .filter((c) => c.action !== "noop")
      .map((c) => `${c.action} ${c.key} ${JSON.stringify(c.diffs)}`);
    expect(changed).toEqual([]);
    expect(got.changes).toHaveLength(all.length);
    expect(isEmptyPlan(got)).toBe(true);
  });
});
