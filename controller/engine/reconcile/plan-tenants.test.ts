import { describe, expect, it } from "vitest";
import type { InventoryEntry } from "../../model/inventory.js";
import { desiredStateOf, make } from "../../test-support/fakes.js";
import { TerminalError } from "../errors.js";
import { errUnknownTenant, scopeOf, tenantsOf } from "./plan-tenants.js";

const entry = (
  o: Partial<InventoryEntry> & Pick<InventoryEntry, "key" | "kind" | "tenant">,
): InventoryEntry => ({
  platformId: "id",
  source: "default",
  state: "managed",
  secretHashes: {},
  ...o,
});

describe("scopeOf", () => {
  it("takes the tenants a source declares and the ones it owns objects of, not other sources' tenants", () => {
    const desired = desiredStateOf([make.tenant("A"), make.user("B", "x@b.example")]);
    const inventory = [
      entry({ key: "Tenant/C", kind: "Tenant", tenant: "C" }),
      entry({ key: "Tenant/D", kind: "Tenant", tenant: "D", source: "terraform:w" }),
    ];
    expect(scopeOf(desired, inventory, "default").sort()).toEqual(["A", "B", "C"]);
  });
});

describe("tenantsOf", () => {
  const desired = desiredStateOf([make.tenant("B"), make.tenant("A")]);
  const inventory = [entry({ key: "Tenant/C", kind: "Tenant", tenant: "C" })];
  it("takes the tenants asked for, sorted and once each, declared or owned", () => {
    expect(tenantsOf(["C", "A", "C"], desired, inventory, "default")).toEqual(["A", "C"]);
  });
  it("refuses a tenant the source neither declares nor owns, naming the ones it has", () => {
    expect(() => tenantsOf(["A", "NOPE", "D"], desired, inventory, "default")).toThrow(
      new TerminalError(`${errUnknownTenant}: NOPE, D (it has: A, B, C)`),
    );
    expect(() => tenantsOf(["NOPE"], desiredStateOf([]), [], "default")).toThrow(`(it has: none)`);
  });
  it("takes the source's scope, sorted, when none are asked for", () => {
    expect(tenantsOf(undefined, desired, inventory, "default")).toEqual(["A", "B", "C"]);
  });
});
