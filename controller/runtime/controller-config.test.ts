import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { formatProblem } from "../load/index.js";
import {
  ConfigError,
  configMessages,
  errConfigInvalid,
  errConfigUnreadable,
  loadControllerConfig,
  parseControllerConfig,
} from "./controller-config.js";

const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

const account = `{url: "https://omnia.example.it", domain: acme.example, username: admin, password: {fromEnv: ACME_PASSWORD}}`;

const good = `# the controller of two partners
listen: {host: 0.0.0.0, port: 9090}
state: {dir: state, databaseUrl: {fromEnv: DATABASE_URL}}
git: {allowedProtocols: [https, file]}
sources:
  - id: acme-git
    partner: acme
    location: {type: git, url: "https://git.example.it/acme.git", path: manifests}
    account: ${account}
    policies: {intervalMs: 600000, prune: true}
    webhookSecret: {fromFile: secrets/webhook.txt}
  - id: beta-folder
    partner: beta
    location: {type: folder, path: ../beta}
    account: ${account}
  - id: acme-tf
    partner: acme
    location: {type: api}
    account: ${account}
tokens:
  - {name: dashboard, partner: acme, scopes: [read], secret: {fromEnv: ACME_DASHBOARD_TOKEN}}
`;

describe("loadControllerConfig", () => {
  it("reads a good file, applying the documented defaults and resolving paths from its folder", async () => {
    const dir = await mkdtemp(join(tmpdir(), "omnia-config-"));
    made.push(dir);
    await writeFile(join(dir, "controller.yaml"), good);
    const config = await loadControllerConfig(join(dir, "controller.yaml"));
    expect(config.listen).toEqual({ host: "0.0.0.0", port: 9090 });
    expect(config.state).toEqual({ dir: join(dir, "state"), databaseUrl: { fromEnv: "DATABASE_URL" } });
    expect(config.git.allowedProtocols).toEqual(["https", "file"]);
    expect(config.sources.map((s) => [s.id, s.location])).toEqual([
      [
        "acme-git",
        { type: "git", url: "https://git.example.it/acme.git", branch: "main", path: "manifests" },
      ],
      ["beta-folder", { type: "folder", path: join(dir, "..", "beta") }],
      ["acme-tf", { type: "api" }],
    ]);
    expect(config.sources[0]?.policies).toEqual({
      intervalMs: 600_000,
      driftIntervalMs: 60_000,
      prune: true,
      driftMode: "enforce",
      parallelism: 4,
      suspended: false,
    });
    expect(config.sources[1]?.policies).toEqual({
      intervalMs: 300_000,
      driftIntervalMs: 60_000,
      prune: false,
      driftMode: "enforce",
      parallelism: 4,
      suspended: false,
    });
    expect(config.sources[0]?.webhookSecret).toEqual({ fromFile: join(dir, "secrets/webhook.txt") });
    expect(config.sources[0]?.account.password).toEqual({ fromEnv: "ACME_PASSWORD" });
    expect(config.tokens).toEqual([
      { name: "dashboard", partner: "acme", scopes: ["read"], secret: { fromEnv: "ACME_DASHBOARD_TOKEN" } },
    ]);
  });

  it("takes an empty file as no sources, listening on the default address", () => {
    const config = parseControllerConfig("/etc/omnia/controller.yaml", "# nothing yet\n");
    expect(config).toMatchObject({ listen: { host: "127.0.0.1", port: 8080 }, sources: [], tokens: [] });
    expect(config.state.dir).toBe("/etc/omnia/.omnia/state");
  });

  it("reads the operator's metrics scrape token as a reference resolved from the file's folder", () => {
    const config = parseControllerConfig(
      "/etc/omnia/controller.yaml",
      "metrics: {token: {fromFile: scrape.txt}}\n",
    );
    expect(config.metrics).toEqual({ token: { fromFile: "/etc/omnia/scrape.txt" } });
    expect(parseControllerConfig("/etc/omnia/controller.yaml", "# none\n").metrics).toBeUndefined();
  });

  it("says a missing file cannot be read", async () => {
    const err = await loadControllerConfig("/nonexistent/controller.yaml").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).text).toBe(errConfigUnreadable);
    expect((err as Error).message).toMatch(/\/nonexistent\/controller\.yaml:1:1: .*ENOENT/);
  });

  const source = (over: string) =>
    `sources:\n  - id: acme\n    partner: acme\n    location: {type: folder, path: repo}\n    account: ${account}\n${over}`;

  it.each([
    ["an unknown top-level field", "listen: {port: 80}\nlisten2: 1\n", ['2:1 unknown field "listen2"']],
    ["a port out of range", "listen: {port: 70000}\n", ["1:16 listen.port: must be <= 65535"]],
    ["a yaml syntax error", "listen: {port: 80\n", [/^2:1 .*YAML/i]],
    ["two documents", "listen: {}\n---\nlisten: {}\n", [`3:1 ${configMessages.oneDocument}`]],
    ["a list at the top", "- a\n", [`1:1 ${configMessages.notMapping}`]],
    [
      "a source without its account",
      "sources:\n  - {id: acme, partner: acme, location: {type: api}}\n",
      ['2:5 sources[0]: missing field "account"'],
    ],
    [
      "a bad drift mode",
      source("    policies: {driftMode: fix}\n"),
      [
        "6:27 sources[0].policies.driftMode: must be equal to one of the allowed values (enforce, warn, observe)",
      ],
    ],
    ["an unknown policy", source("    policies: {every: 5m}\n"), ['6:16 unknown field "every"']],
    [
      "a location of an unknown type",
      "sources:\n  - id: acme\n    partner: acme\n    location: {type: svn, url: x}\n    account: " +
        account +
        "\n",
      ["4:15 sources[0].location: type must be one of folder, git, api"],
    ],
    [
      "a git location without its url",
      `sources:\n  - id: acme\n    partner: acme\n    location: {type: git}\n    account: ${account}\n`,
      ['4:15 sources[0].location: missing field "url"'],
    ],
    [
      "a password written in clear",
      source("").replace("password: {fromEnv: ACME_PASSWORD}", "password: hunter2"),
      ["5:97 sources[0].account.password: must be one of {fromEnv} or {fromFile}"],
    ],
    [
      "a reference naming both an env variable and a file",
      source("    webhookSecret: {fromEnv: A, fromFile: b}\n"),
      ["6:20 sources[0].webhookSecret: must be one of {fromEnv} or {fromFile}"],
    ],
    [
      "a bad variable name",
      source("    webhookSecret: {fromEnv: 1A}\n"),
      [/^6:30 sources\[0\]\.webhookSecret\.fromEnv: must match pattern/],
    ],
    [
      "a source id used twice",
      `${source("")}  - {id: acme, partner: b, location: {type: api}, account: ${account}}\n`,
      [`6:10 ${configMessages.duplicateSource("acme")}`],
    ],
    [
      "an ext:: git URL",
      'git: {allowedProtocols: [https, ssh, file]}\nsources:\n  - id: acme\n    partner: acme\n    location: {type: git, url: "ext::sh -c id"}\n    account: ' +
        account +
        "\n",
      [/^5:32 git URL refused: the remote helper "ext::"/],
    ],
    [
      "a local repository when file is not allowed",
      "sources:\n  - id: acme\n    partner: acme\n    location: {type: git, url: /srv/acme.git}\n    account: " +
        account +
        "\n",
      [/^4:32 git URL refused: transport "file" is not allowed/],
    ],
    [
      "a git branch that could be read as an option, and a path out of the repository",
      'sources:\n  - id: acme\n    partner: acme\n    location: {type: git, url: "https://h/r.git", branch: "-f", path: ../x}\n    account: ' +
        account +
        "\n",
      [/^4:59 git branch name refused/, /^4:71 git path refused/],
    ],
    [
      "a token without scopes, and one declared twice",
      "tokens:\n  - {name: ci, partner: acme, scopes: [], secret: {fromEnv: T}}\n  - {name: ci, partner: acme, scopes: [read], secret: {fromEnv: T}}\n",
      ["2:39 tokens[0].scopes: must NOT have fewer than 1 items"],
    ],
    [
      "a token declared twice",
      "tokens:\n  - {name: ci, partner: acme, scopes: [read], secret: {fromEnv: T}}\n  - {name: ci, partner: acme, scopes: [write], secret: {fromEnv: U}}\n",
      [`3:12 ${configMessages.duplicateToken("ci", "acme")}`],
    ],
  ])("refuses %s at its place", (_case, text, want) => {
    let err: unknown;
    try {
      parseControllerConfig("/etc/omnia/controller.yaml", text);
    } catch (e) {
      err = e;
    }
    expect(err, "refused").toBeInstanceOf(ConfigError);
    expect((err as ConfigError).text).toBe(errConfigInvalid);
    const got = (err as ConfigError).problems.map((p) => `${p.line}:${p.col} ${p.message}`);
    expect(got).toEqual(want.map((w) => (typeof w === "string" ? w : expect.stringMatching(w))));
    expect((err as Error).message.split("\n")[1]).toBe(
      `  ${formatProblem((err as ConfigError).problems[0] as never)}`,
    );
  });
});

describe("examples/controller/controller.yaml", () => {
  it("is a valid configuration whose folder source is the example partner repository", async () => {
    const file = fileURLToPath(new URL("../../examples/controller/controller.yaml", import.meta.url));
    const config = await loadControllerConfig(file);
    expect(config.sources.map((s) => [s.id, s.location])).toEqual([
      ["gitops-partner", { type: "folder", path: join(dirname(file), "..", "gitops-partner") }],
    ]);
    expect(config.tokens.map((t) => t.secret)).toEqual([{ fromEnv: "OMNIA_SECRET_ADMIN_TOKEN" }]);
  });
});
