/**
 * `compileValidators` compiles a kind's schema the first time that kind is read, once: the
 * Terraform provider validates one resource type per call, in a process Terraform starts
 * many times per command, and compiling every kind cost 0.3-1 s there.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { kindNames } from "../model/registry.js";
import type { KindName } from "../model/resources.gen.js";
import { compileValidators } from "./schema.js";

describe("compileValidators", () => {
  it("compiles nothing up front, and each kind read only once, whatever kinds are read in any order", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...kindNames)), (reads: KindName[]) => {
        const compiled: KindName[] = [];
        const validators = compileValidators(undefined, { onCompile: (k) => compiled.push(k) });
        expect(compiled).toEqual([]);
        for (const kind of reads) expect(typeof validators[kind]).toBe("function");
        expect(compiled).toEqual([...new Set(reads)]);
      }),
      { numRuns: 15 },
    );
  });

  it("a lazily compiled validator judges like the eager set: every kind, listed and in use", () => {
    const validators = compileValidators();
    expect(Object.keys(validators).sort()).toEqual([...kindNames].sort());
    const extension = validators.Extension;
    expect(validators.Extension).toBe(extension);
    const bad = { apiVersion: "omnia.kalliope.io/v1", kind: "Extension", metadata: { name: "x" }, spec: {} };
    expect(extension(bad)).toBe(false);
    expect(extension.errors?.some((e) => e.params.missingProperty === "number")).toBe(true);
  });
});
