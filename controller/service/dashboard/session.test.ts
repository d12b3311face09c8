import { describe, expect, it } from "vitest";
import { localPath } from "./session.js";

describe("localPath", () => {
  it.each([
    ["/runs?before=2026-11-01T00:00:00.000Z", "/runs?before=2026-11-01T00:00:00.000Z"],
    ["/tenants/acme-git/ACME001", "/tenants/acme-git/ACME001"],
    ["//evil.example/", "/"],
    ["/\\evil.example", "/"],
    ["/a\\b", "/"],
    ["https://evil.example/", "/"],
    ["javascript:alert(1)", "/"],
    ["/ok\r\nSet-Cookie: x=1", "/"],
    ["/\u00e8", "/"],
    ["", "/"],
    [undefined, "/"],
    [42, "/"],
  ])("goes back to %j as %j", (next, want) => {
    expect(localPath(next)).toBe(want);
  });
});
