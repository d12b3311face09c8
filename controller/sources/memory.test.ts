import { describe, expect, it } from "vitest";
import { MemorySource } from "./memory.js";

const tenant = (code: string, extra = "") =>
  `apiVersion: omnia.kalliope.io/v1
kind: Tenant
metadata:
  name: ${code.toLowerCase()}
spec:
  businessName: ${code} S.r.l.
  customerCode: ${code}
  vatNumber: "01234560017"
  fiscalCode: "01234560017"
${extra}`;

const extension = (pin: string) => `apiVersion: omnia.kalliope.io/v1
kind: Pbx
metadata:
  name: hq
  tenant: ACME
spec:
  kind: single
---
apiVersion: omnia.kalliope.io/v1
kind: Extension
metadata:
  name: hq-201
  tenant: ACME
  pbx: hq
spec:
  number: "201"
  license: start
  pin: ${pin}
`;

describe("MemorySource", () => {
  it("gives equal revisions for equal files and a new one after an edit", async () => {
    const a = new MemorySource({ "tenants/acme.yaml": tenant("ACME") });
    const b = new MemorySource({ "./tenants//acme.yaml": tenant("ACME") });
    const first = await a.read();
    expect(first.problems).toEqual([]);
    expect(first.revision).toMatch(/^sha256:[0-9a-f]+$/);
    expect((await b.read()).revision, "same files under an equal path").toBe(first.revision);
    a.set("tenants/acme.yaml", tenant("ACME").replace("ACME S.r.l.", "Acme SpA"));
    expect((await a.read()).revision).not.toBe(first.revision);
    a.delete("tenants/acme.yaml").set("tenants/acme.yaml", tenant("ACME"));
    expect((await a.read()).revision, "the same text again").toBe(first.revision);
  });

  it("reads a secret file relative to the manifest from memory, and the environment from its options", async () => {
    const fromFile = new MemorySource({
      "acme/tenant.yaml": tenant("ACME"),
      "acme/ext.yaml": extension("{ fromFile: secrets/pin.txt }"),
      "acme/secrets/pin.txt": "4711\n",
    });
    const fromEnv = new MemorySource(
      {
        "acme/tenant.yaml": tenant("ACME"),
        "acme/ext.yaml": extension("{ fromEnv: OMNIA_SECRET_ACME_PIN }"),
      },
      { load: { env: { OMNIA_SECRET_ACME_PIN: "4711" } } },
    );
    for (const source of [fromFile, fromEnv]) {
      const got = await source.read();
      expect(got.problems).toEqual([]);
      const pin = got.desired.extensions[0]?.spec.pin;
      expect(pin?.reveal()).toBe("4711");
    }
  });

  it("names a missing secret file and bad manifests by their rooted path, without touching the disk", async () => {
    const source = new MemorySource({
      "acme/tenant.yaml": tenant("ACME", "  colour: blue\n"),
      "acme/ext.yaml": extension("{ fromFile: secrets/missing.txt }"),
    });
    const got = await source.read();
    expect([...new Set(got.problems.map((p) => p.file))].sort()).toEqual([
      "/acme/ext.yaml",
      "/acme/tenant.yaml",
    ]);
    expect(got.desired.tenants, "no desired state when there are problems").toEqual([]);
  });

  it("stops before reading when its signal has fired", async () => {
    const stop = new AbortController();
    stop.abort();
    await expect(new MemorySource({ "a.yaml": tenant("ACME") }).read(stop.signal)).rejects.toThrow();
  });
});
