import { describe, expect, it } from "vitest";
import { testHash as hash } from "../../test-support/fakes.js";
import { isIgnored, resolvePlanPolicy, sameValue } from "./policy.js";

describe("isIgnored", () => {
  const cases = [
    { path: "spec.department", ignore: ["spec.department"], want: true },
    { path: "spec.department", ignore: ["department"], want: true },
    { path: "spec.user.email", ignore: ["spec.user"], want: true },
    { path: "spec.username", ignore: ["spec.user"], want: false },
    { path: "spec.hotel", ignore: [], want: false },
  ];
  it.each(cases)("$path under $ignore is ignored: $want", ({ path, ignore, want }) => {
    expect(isIgnored(path, ignore)).toBe(want);
  });
});

describe("sameValue", () => {
  const cases = [
    { name: "null equals absent", path: "spec.department", a: null, b: undefined, want: true },
    { name: "emails ignore case", path: "spec.user.email", a: "A@x.it", b: "a@X.it", want: true },
    { name: "other strings do not", path: "spec.description", a: "A", b: "a", want: false },
    { name: "booleans compare by value", path: "spec.hotel", a: false, b: true, want: false },
  ];
  it.each(cases)("$name", ({ path, a, b, want }) => {
    expect(sameValue(path, a, b)).toBe(want);
  });
});

describe("resolvePlanPolicy", () => {
  it("fills in prune off, a 20% guard and the default source", () => {
    const p = resolvePlanPolicy({ hashSecret: hash });
    expect({ ...p, hashSecret: undefined }).toEqual({
      prune: false,
      maxDeleteShare: 0.2,
      allowMassDelete: false,
      source: "default",
      hashSecret: undefined,
    });
  });
  it.each([-0.1, 1.5, Number.NaN])("rejects maxDeleteShare %s", (share) => {
    expect(() => resolvePlanPolicy({ hashSecret: hash, maxDeleteShare: share })).toThrow(
      `maxDeleteShare must be between 0 and 1, got ${share}`,
    );
  });
});
