import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { secretKeyId } from "../runtime/secret-key.js";
import {
  createSecretSealer,
  errStoredSecretCorrupt,
  errStoredSecretOtherKey,
  storedSecretsPort,
} from "../runtime/stored-secrets.js";
import { baseRepo } from "../test-support/repo.js";
import { errKindMismatch, type StoredResource, StoredSource, storedPlace } from "./stored.js";

/** The documents of `baseRepo` as the API would store them (JSON, keyed by tenant/kind/name). */
function storedBase(): StoredResource[] {
  return Object.values(baseRepo).flatMap((text) =>
    parseAllDocuments(text).map((d) => {
      const document = d.toJS() as {
        kind: string;
        metadata: { name: string; tenant?: string };
        spec: { customerCode?: string };
      };
      const tenant = document.metadata.tenant ?? document.spec.customerCode ?? "?";
      return { tenant, kind: document.kind, key: document.metadata.name, document, updatedAt: new Date(0) };
    }),
  );
}

const extension = (spec: Record<string, unknown>): StoredResource => ({
  tenant: "ACME001",
  kind: "Extension",
  key: "hq-201",
  document: {
    apiVersion: "omnia.kalliope.io/v1",
    kind: "Extension",
    metadata: { name: "hq-201", tenant: "ACME001", pbx: "hq" },
    spec,
  },
  updatedAt: new Date(0),
});

const port = (rows: StoredResource[]) => ({ listStoredResources: async (_source: string) => rows });

describe("StoredSource", () => {
  it("loads stored documents like manifests; the revision ignores key order and follows content", async () => {
    const rows = [
      ...storedBase(),
      extension({ number: "201", license: "start", pin: { fromEnv: "OMNIA_SECRET_PIN" } }),
    ];
    const src = new StoredSource("tf", port(rows), { load: { env: { OMNIA_SECRET_PIN: "4711" } } });
    const snap = await src.read();
    expect(snap.problems).toEqual([]);
    expect(snap.desired.extensions.map((x) => [x.key, x.spec.license])).toEqual([
      ["Extension/ACME001/hq/201", "start"],
    ]);
    expect(snap.desired.extensions[0]?.source.file).toBe(
      "api:/v1/tenants/ACME001/resources/Extension/hq-201",
    );
    expect(snap.revision).toMatch(/^sha256:[0-9a-f]{64}$/);

    const reordered = rows.map((r) => ({
      ...r,
      document: Object.fromEntries(Object.entries(r.document).reverse()),
    }));
    expect(
      (
        await new StoredSource("tf", port(reordered.reverse()), {
          load: { env: { OMNIA_SECRET_PIN: "4711" } },
        }).read()
      ).revision,
    ).toBe(snap.revision);

    const changed = [
      ...storedBase(),
      extension({ number: "201", license: "plus", pin: { fromEnv: "OMNIA_SECRET_PIN" } }),
    ];
    expect(
      (await new StoredSource("tf", port(changed), { load: { env: { OMNIA_SECRET_PIN: "4711" } } }).read())
        .revision,
    ).not.toBe(snap.revision);
  });

  it.each([
    ["an unknown field", { number: "201", licence: "start" }, "#/spec/licence"],
    ["a value of the wrong type", { number: 201, license: "start" }, "#/spec/number"],
    ["a value outside its enum", { number: "201", license: "gold" }, "#/spec/license"],
  ])("places %s at the API address and field", async (_case, spec, field) => {
    const snap = await new StoredSource("tf", port([...storedBase(), extension(spec)]), {
      load: { env: {} },
    }).read();
    const place = `${storedPlace({ tenant: "ACME001", kind: "Extension", key: "hq-201" })}${field}`;
    expect(snap.problems.map((p) => `${p.file}:${p.line}:${p.col}`)).toContain(`${place}:1:1`);
    expect(snap.desired.extensions).toEqual([]);
  });

  it("refuses a secret file (no secret folder by default) and a kind that differs from the address", async () => {
    const withFile = extension({ number: "201", license: "start", pin: { fromFile: "/etc/passwd" } });
    const snap = await new StoredSource("tf", port([...storedBase(), withFile]), {
      load: { env: {} },
    }).read();
    expect(snap.problems.map((p) => [p.file, p.code])).toEqual([
      ["api:/v1/tenants/ACME001/resources/Extension/hq-201#/spec/pin/fromFile", "secret-unresolved"],
    ]);

    const wrong = { ...extension({ number: "201", license: "start" }), kind: "Pbx" };
    const bad = await new StoredSource("tf", port([...storedBase(), wrong]), { load: { env: {} } }).read();
    expect(bad.problems.map((p) => [p.file, p.message])).toEqual([
      ["api:/v1/tenants/ACME001/resources/Pbx/hq-201#/kind", `${errKindMismatch} (Pbx)`],
    ]);
  });

  describe("fromSecret: secrets stored through the API", () => {
    const key = randomBytes(32);
    const sealer = createSecretSealer({ key, id: secretKeyId(key) });
    /** Sealed rows as the store keeps them, over a mutable list. */
    const secretRows: Parameters<typeof storedSecretsPort>[0] extends {
      readStoredSecrets(s: string): Promise<infer R>;
    }
      ? R
      : never = [];
    const put = (tenant: string, name: string, value: string, at: number, source = "tf") =>
      secretRows.push({
        tenant,
        name,
        keyId: sealer.keyId,
        updatedAt: new Date(at),
        sealed: sealer.seal({ source, tenant, name }, value),
      });
    const secrets = storedSecretsPort({ readStoredSecrets: async () => secretRows }, sealer);
    const withPin = () => [
      ...storedBase(),
      extension({ number: "201", license: "start", pin: { fromSecret: "hq-201-pin" } }),
    ];

    it("resolves the tenant's stored secret, and a new value is a new revision", async () => {
      secretRows.length = 0;
      put("ACME001", "hq-201-pin", "2580", 1000);
      const src = new StoredSource("tf", port(withPin()), { load: { env: {} }, secrets });
      const first = await src.read();
      expect(first.problems).toEqual([]);
      expect(first.desired.extensions.map((e) => [e.spec.pin.reveal(), e.spec.pin.ref])).toEqual([
        ["2580", "stored:hq-201-pin"],
      ]);
      secretRows.length = 0;
      put("ACME001", "hq-201-pin", "13579", 2000);
      const second = await src.read();
      expect(second.desired.extensions.map((e) => e.spec.pin.reveal())).toEqual(["13579"]);
      expect(second.revision).not.toBe(first.revision);
    });

    it.each([
      [
        "no secret of that name",
        () => put("ACME001", "other", "2580", 1),
        "no secret of that name is stored for tenant ACME001",
      ],
      [
        "one of another tenant",
        () => put("ACME002", "hq-201-pin", "2580", 1),
        "no secret of that name is stored for tenant ACME001",
      ],
      [
        "one sealed for another source",
        () => put("ACME001", "hq-201-pin", "2580", 1, "elsewhere"),
        errStoredSecretCorrupt,
      ],
      [
        "a value the platform refuses as a PIN",
        () => put("ACME001", "hq-201-pin", "12", 1),
        "the platform refuses it as a PIN",
      ],
    ])("places a problem at the field for %s, and builds nothing", async (_case, seed, want) => {
      secretRows.length = 0;
      seed();
      const snap = await new StoredSource("tf", port(withPin()), { load: { env: {} }, secrets }).read();
      expect(snap.problems.map((p) => p.file)).toEqual([
        "api:/v1/tenants/ACME001/resources/Extension/hq-201#/spec/pin/fromSecret",
      ]);
      expect(snap.problems[0]?.message).toContain(want);
      expect(snap.desired.extensions).toEqual([]);
    });

    it("names both key ids when the secret was sealed under another controller key", async () => {
      const oldKey = randomBytes(32);
      const old = createSecretSealer({ key: oldKey, id: secretKeyId(oldKey) });
      secretRows.length = 0;
      secretRows.push({
        tenant: "ACME001",
        name: "hq-201-pin",
        keyId: old.keyId,
        updatedAt: new Date(1),
        sealed: old.seal({ source: "tf", tenant: "ACME001", name: "hq-201-pin" }, "2580"),
      });
      const snap = await new StoredSource("tf", port(withPin()), { load: { env: {} }, secrets }).read();
      expect(snap.problems.map((p) => p.message)).toEqual([
        expect.stringContaining(
          `${errStoredSecretOtherKey}: key id ${old.keyId}, the controller's key is ${sealer.keyId}`,
        ),
      ]);
      expect(snap.problems[0]?.message).not.toContain("2580");
    });
  });
});
