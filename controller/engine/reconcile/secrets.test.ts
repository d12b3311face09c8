import { describe, expect, it } from "vitest";
import type { InventoryEntry } from "../../model/inventory.js";
import { desiredStateOf, make, testHash, testSecrets } from "../../test-support/fakes.js";
import { secretHashesOf } from "../plan/diff.js";
import { resolveUnknownSecrets, type SecretHashing, unknownSecretHash } from "./secrets.js";

const entry = (
  o: Partial<InventoryEntry> & Pick<InventoryEntry, "key" | "kind" | "tenant">,
): InventoryEntry => ({
  platformId: "id",
  source: "default",
  state: "managed",
  secretHashes: {},
  ...o,
});

describe("resolveUnknownSecrets", () => {
  const ext = make.extension("A", "hq", "201", "1234");
  const desired = desiredStateOf([make.tenant("A"), make.pbx("A", "hq"), ext]);
  const want = secretHashesOf("Extension", ext.spec, testHash)["spec.pin"];

  it("fills an exported entry's unknown PIN hash with the declared PIN's hash", () => {
    const marked = entry({
      key: ext.key,
      kind: "Extension",
      tenant: "A",
      secretHashes: { "spec.pin": unknownSecretHash },
    });
    const got = resolveUnknownSecrets([marked], desired, "default", testSecrets);
    expect(want, "hash of the declared PIN").toBeDefined();
    expect(got.entries[0]?.secretHashes).toEqual({ "spec.pin": want });
    expect(got.resolved.map((e) => e.key)).toEqual([ext.key]);
  });

  it("drops the marker of a resource no longer declared, so a later declaration sets its secret", () => {
    const marked = entry({
      key: "Extension/A/hq/999",
      kind: "Extension",
      tenant: "A",
      secretHashes: { "spec.pin": unknownSecretHash },
    });
    const got = resolveUnknownSecrets([marked], desired, "default", testSecrets);
    expect(got.entries[0]?.secretHashes).toEqual({});
  });

  it("leaves other sources' entries and known hashes alone", () => {
    const other = entry({
      key: ext.key,
      kind: "Extension",
      tenant: "A",
      source: "terraform:w",
      secretHashes: { "spec.pin": unknownSecretHash },
    });
    const known = entry({
      key: "SipTrunk/A/t",
      kind: "SipTrunk",
      tenant: "A",
      secretHashes: { "spec.password": "abc" },
    });
    const got = resolveUnknownSecrets([other, known], desired, "default", testSecrets);
    expect(got.entries).toEqual([other, known]);
    expect(got.resolved).toEqual([]);
  });

  it("treats a hash made with a rotated key as unknown and fills it with the current key's hash", () => {
    const rotated: SecretHashing = { hash: testHash, isCurrent: (h) => h !== "old-key-hash" };
    const old = entry({
      key: ext.key,
      kind: "Extension",
      tenant: "A",
      secretHashes: { "spec.pin": "old-key-hash" },
    });
    const got = resolveUnknownSecrets([old], desired, "default", rotated);
    expect(got.entries[0]?.secretHashes).toEqual({ "spec.pin": want });
    expect(got.resolved.map((e) => e.key)).toEqual([ext.key]);
  });
});
