import { describe, expect, it } from "vitest";
import { checkGitBranch, checkGitUrl, checkRepoPath, redactUrl, transportOf } from "./git-safety.js";

describe("transportOf", () => {
  it.each([
    ["https://git.example.it/p/repo.git", "https"],
    ["ssh://git@git.example.it/p/repo.git", "ssh"],
    ["git+ssh://git@host/repo", "ssh"],
    ["git@git.example.it:p/repo.git", "ssh"],
    ["file:///srv/repo.git", "file"],
    ["/srv/repo.git", "file"],
    ["./a:b", "file"],
    ["ext::sh -c id", "ext::"],
    ["FD::3", "fd::"],
    ["git://host/repo", "git"],
    ["http://host/repo", "http"],
  ])("%s uses %s", (url, want) => {
    expect(transportOf(url)).toBe(want);
  });
});

describe("checkGitUrl", () => {
  const all = ["file", "https", "ssh"] as const;
  it.each([
    ["ext::sh -c id", /remote helper "ext::"/],
    ["fd::0", /remote helper "fd::"/],
    ["-u touch", /starts with "-"/],
    ["https://host/a\nb", /control character/],
    ["git://host/repo", /transport "git" is not allowed/],
    ["http://host/repo", /transport "http" is not allowed/],
  ])("refuses %j", (url, want) => {
    expect(() => checkGitUrl(url, all)).toThrow(want);
  });
  it("allows only what the operator lists", () => {
    expect(checkGitUrl("/srv/repo.git", ["file"])).toBe("file");
    expect(() => checkGitUrl("/srv/repo.git", ["https"])).toThrow(
      /transport "file" is not allowed \(allowed: https\)/,
    );
  });
});

describe("checkGitBranch and checkRepoPath", () => {
  it.each(["main", "release/2026-11", "feature/a.b", "v1.0"])("accepts branch %j", (b) => {
    expect(checkGitBranch(b)).toBe(b);
  });
  it.each(["", "-f", "a..b", "a/", "/a", "a.lock", "a@{1}", "@", "a b", "a/.b", "a~1", "a^", "a:b"])(
    "refuses branch %j",
    (b) => {
      expect(() => checkGitBranch(b)).toThrow(/not a plain branch name/);
    },
  );
  it.each([
    [undefined, ""],
    [".", ""],
    ["manifests", "manifests"],
    ["a/./b/", "a/b"],
  ])("accepts path %j as %j", (p, want) => {
    expect(checkRepoPath(p)).toBe(want);
  });
  it.each(["/etc", "../x", "a/../../b", "\\x"])("refuses path %j", (p) => {
    expect(() => checkRepoPath(p)).toThrow(/must be a folder inside the repository/);
  });
});

describe("redactUrl", () => {
  it.each([
    ["https://user:token@host/repo.git", "https://host/repo.git"],
    ["https://host/repo.git", "https://host/repo.git"],
    ["git@host:repo.git", "git@host:repo.git"],
  ])("%s -> %s", (url, want) => {
    expect(redactUrl(url)).toBe(want);
  });
});
