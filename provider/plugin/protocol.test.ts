/**
 * Protocol tests: a client playing Terraform starts the provider executable, reads its
 * handshake line and talks tfplugin6 over real gRPC with mutual TLS.
 */
import { X509Certificate } from "node:crypto";
import { dirname } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { decode, Encoder, ExtData } from "@msgpack/msgpack";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { errNoCookie, errNoProtocol6, magicCookieKey, magicCookieValue } from "./handshake.js";
import {
  call,
  connect,
  gone,
  type PluginClients,
  runToExit,
  type StartedPlugin,
  startPlugin,
} from "./test-support/terraform-client.js";
import { mintServerIdentity } from "./tls.js";

// Values written as Terraform writes them (go-cty msgpack), independently of our codec.
const cty = new Encoder({ useBigInt64: true });
const ctyUnknown = new ExtData(0, Uint8Array.of(0)); // d4 00 00
const ctyRefinedUnknown = new ExtData(12, Uint8Array.of(0x81, 0x01, 0xc3)); // "known after apply, not null"
const nil = Uint8Array.of(0xc0);
const raw = (bytes: Uint8Array) =>
  decode(Uint8Array.from(bytes), { useBigInt64: true }) as Record<string, unknown>;
const thing = (fields: Record<string, unknown>) => ({
  id: null,
  name: null,
  size: null,
  tags: null,
  ports: null,
  pin: null,
  user: null,
  status: null,
  ...fields,
});

describe("provider protocol over gRPC with mutual TLS", () => {
  let plugin: StartedPlugin;
  let clients: PluginClients;
  beforeAll(async () => {
    plugin = await startPlugin();
    clients = connect(plugin);
  });
  afterAll(() => {
    clients?.close();
    plugin?.child.kill("SIGKILL");
  });

  it("prints exactly the handshake line on stdout: protocol 6, a unix socket, its certificate unpadded", () => {
    expect(plugin.line).toMatch(/^1\|6\|unix\|\/[^|]+\/plugin\.sock\|grpc\|[A-Za-z0-9+/]+$/);
    expect(plugin.stdout()).toBe(`${plugin.line}\n`);
    const cert = new X509Certificate(plugin.serverCertPem);
    expect(cert.subjectAltName).toBe("DNS:localhost");
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
  });

  it("answers health SERVING for go-plugin's service and ends the stdio stream", async () => {
    expect(await call(clients.health, "Check", { service: "plugin" })).toEqual({ status: "SERVING" });
    const stream = clients.stdio.StreamStdio({});
    await new Promise((resolve, reject) => {
      stream.on("data", () => {});
      stream.on("end", resolve);
      stream.on("error", reject);
    });
  });

  it("serves the schema: types as JSON bytes, nested attributes, write-only, Markdown", async () => {
    const response = await call(clients.provider, "GetProviderSchema");
    const schema = response.resource_schemas.fake_thing;
    const attribute = (name: string) =>
      schema.block.attributes.find((a: { name: string }) => a.name === name);
    expect(schema.version).toBe(1);
    expect(attribute("pin")).toMatchObject({
      write_only: true,
      sensitive: true,
      optional: true,
      description_kind: "MARKDOWN",
    });
    expect(JSON.parse(attribute("tags").type.toString())).toEqual(["map", "string"]);
    expect(JSON.parse(attribute("ports").type.toString())).toEqual(["set", "number"]);
    expect(attribute("user").nested_type.nesting).toBe("SINGLE");
    expect(attribute("user").nested_type.attributes.map((a: { name: string }) => a.name)).toEqual([
      "email",
      "first_name",
    ]);
    expect(Object.keys(response.data_source_schemas)).toEqual(["fake_lookup"]);
    expect(response.server_capabilities).toMatchObject({ plan_destroy: true });
    // The definition loaded after the handshake; its console.log went to stderr, not stdout.
    await vi.waitFor(() => expect(plugin.stderr()).toContain("stray output from a provider module"));
    await vi.waitFor(() => expect(plugin.stderr()).toContain("raw stray write to stdout"));
    expect(plugin.stdout()).toBe(`${plugin.line}\n`);
    const metadata = await call(clients.provider, "GetMetadata");
    expect(metadata.resources).toEqual([{ type_name: "fake_thing" }]);
  });

  it("validates with attribute paths and follows the client's write-only capability", async () => {
    const provider = await call(clients.provider, "ValidateProviderConfig", {
      config: { msgpack: cty.encode({ endpoint: "ftp://x", token: null }) },
    });
    expect(provider.diagnostics).toEqual([
      expect.objectContaining({
        severity: "ERROR",
        summary: "endpoint must be a URL",
        attribute: { steps: [{ attribute_name: "endpoint", selector: "attribute_name" }] },
      }),
    ]);
    const config = { msgpack: cty.encode(thing({ name: "a", size: -1, pin: "1234" })) };
    const refused = await call(clients.provider, "ValidateResourceConfig", {
      type_name: "fake_thing",
      config,
      client_capabilities: { write_only_attributes_allowed: false },
    });
    expect(refused.diagnostics.map((d: { summary: string }) => d.summary)).toEqual([
      "size must not be negative",
      "write-only pin needs Terraform 1.11",
    ]);
    const allowed = await call(clients.provider, "ValidateResourceConfig", {
      type_name: "fake_thing",
      config,
      client_capabilities: { write_only_attributes_allowed: true },
    });
    expect(allowed.diagnostics.map((d: { summary: string }) => d.summary)).toEqual([
      "size must not be negative",
    ]);
    const configured = await call(clients.provider, "ConfigureProvider", {
      terraform_version: "1.11.4",
      config: { msgpack: cty.encode({ endpoint: "http://x", token: ctyUnknown }) },
      client_capabilities: { write_only_attributes_allowed: true },
    });
    expect(configured.diagnostics ?? []).toEqual([]);
  });

  let applied: Uint8Array;
  it("plans a create with unknowns as cty writes them (d4 00 00) and no write-only value", async () => {
    const proposed = thing({
      name: "alpha",
      size: ctyUnknown,
      tags: { team: "ops" },
      ports: [80, 443],
      pin: "1234",
      user: { email: "a@x.it", first_name: ctyRefinedUnknown },
    });
    const response = await call(clients.provider, "PlanResourceChange", {
      type_name: "fake_thing",
      prior_state: { msgpack: nil },
      proposed_new_state: { msgpack: cty.encode(proposed) },
      config: { msgpack: cty.encode(proposed) },
      client_capabilities: { write_only_attributes_allowed: true },
    });
    expect(response.diagnostics ?? []).toEqual([]);
    const planned = Buffer.from(response.planned_state.msgpack);
    expect(planned.toString("hex")).toContain("a26964d40000"); // the key "id", then cty's unknown d4 00 00
    expect(raw(planned)).toEqual(
      thing({
        id: ctyUnknown,
        name: "alpha",
        size: ctyUnknown,
        tags: { team: "ops" },
        ports: [80, 443],
        pin: null,
        user: { email: "a@x.it", first_name: ctyUnknown },
        status: ctyUnknown,
      }),
    );
    expect(Buffer.from(response.planned_private).toString()).toBe("planned");

    const apply = await call(clients.provider, "ApplyResourceChange", {
      type_name: "fake_thing",
      prior_state: { msgpack: nil },
      planned_state: {
        msgpack: cty.encode({ ...raw(planned), size: 3, user: { email: "a@x.it", first_name: null } }),
      },
      config: { msgpack: cty.encode(proposed) },
      planned_private: response.planned_private,
    });
    applied = apply.new_state.msgpack;
    expect(raw(applied)).toMatchObject({ id: "fake-alpha", status: "active", size: 3, pin: null });
  });

  it("asks for replacement by attribute path, and plans destroy as null", async () => {
    const changed = cty.encode({ ...raw(applied), name: "beta" });
    const replace = await call(clients.provider, "PlanResourceChange", {
      type_name: "fake_thing",
      prior_state: { msgpack: applied },
      proposed_new_state: { msgpack: changed },
      config: { msgpack: changed },
    });
    expect(replace.requires_replace).toEqual([
      { steps: [{ attribute_name: "name", selector: "attribute_name" }] },
    ]);
    const destroy = await call(clients.provider, "PlanResourceChange", {
      type_name: "fake_thing",
      prior_state: { msgpack: applied },
      proposed_new_state: { msgpack: nil },
      config: { msgpack: nil },
    });
    expect([...destroy.planned_state.msgpack]).toEqual([0xc0]);
  });

  it("reads (refresh) with the private bytes, imports by id and reads a data source", async () => {
    const read = await call(clients.provider, "ReadResource", {
      type_name: "fake_thing",
      current_state: { msgpack: applied },
      private: Buffer.from("note"),
    });
    expect(raw(read.new_state.msgpack)).toMatchObject({ id: "fake-alpha", status: "refreshed (note)" });

    const imported = await call(clients.provider, "ImportResourceState", {
      type_name: "fake_thing",
      id: "ACME001/gamma",
    });
    expect(imported.imported_resources).toHaveLength(1);
    expect(imported.imported_resources[0].type_name).toBe("fake_thing");
    // 2^60+1 has no exact float64: it must travel as a 64-bit integer.
    expect(raw(imported.imported_resources[0].state.msgpack)).toEqual(
      thing({ id: "ACME001/gamma", name: "gamma", size: 2n ** 60n + 1n }),
    );
    const missing = await call(clients.provider, "ImportResourceState", {
      type_name: "fake_thing",
      id: "missing",
    });
    expect(missing.imported_resources ?? []).toEqual([]);
    expect(missing.diagnostics[0]).toMatchObject({ severity: "ERROR", summary: "no thing missing" });

    const data = await call(clients.provider, "ReadDataSource", {
      type_name: "fake_lookup",
      config: { msgpack: cty.encode({ name: "x", id: null }) },
    });
    expect(raw(data.state.msgpack)).toEqual({ name: "x", id: "fake-x" });
  });

  it("upgrades a stored JSON state and answers msgpack", async () => {
    const response = await call(clients.provider, "UpgradeResourceState", {
      type_name: "fake_thing",
      version: 0,
      // A stored 64-bit number must come back exact (JSON.parse would round it).
      raw_state: {
        json: Buffer.from('{"id":"fake-old","title":"old","size":1152921504606846977,"ports":[1.5]}'),
      },
    });
    expect(response.upgraded_state.json ?? Buffer.alloc(0)).toHaveLength(0);
    expect(raw(response.upgraded_state.msgpack)).toEqual(
      thing({ id: "fake-old", name: "old", size: 2n ** 60n + 1n, ports: [1.5] }),
    );
  });

  it("answers an unknown type with a diagnostic and unserved RPCs with UNIMPLEMENTED", async () => {
    const response = await call(clients.provider, "ReadResource", {
      type_name: "fake_nothing",
      current_state: { msgpack: nil },
    });
    expect(response.diagnostics[0].detail).toContain('unknown resource type "fake_nothing"');
    const channel = clients.provider.getChannel();
    const client = new grpc.Client("unused", grpc.credentials.createInsecure(), { channelOverride: channel });
    const error = await new Promise<grpc.ServiceError>((resolve) =>
      client.makeUnaryRequest(
        "/tfplugin6.Provider/MoveResourceState",
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.alloc(0),
        (e) => resolve(e as grpc.ServiceError),
      ),
    );
    expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  it("StopProvider aborts the signal of a call in flight", async () => {
    const slow = thing({ name: "slow" });
    const inFlight = call(clients.provider, "ApplyResourceChange", {
      type_name: "fake_thing",
      prior_state: { msgpack: nil },
      planned_state: { msgpack: cty.encode(slow) },
      config: { msgpack: cty.encode(slow) },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await call(clients.provider, "StopProvider")).toEqual({ Error: "" });
    const answered = await inFlight;
    expect(answered.diagnostics[0].summary).toBe("stopped by Terraform");
  });

  it("Controller.Shutdown ends the process with 0 and removes the socket", async () => {
    await call(clients.controller, "Shutdown");
    expect(await plugin.exited).toBe(0);
    expect(gone(dirname(plugin.address))).toBe(true);
  });
});

describe("interrupts", () => {
  it("a first SIGINT stops the call in flight and keeps serving; a second shuts down cleanly", async () => {
    const plugin = await startPlugin();
    const clients = connect(plugin);
    try {
      const slow = thing({ name: "slow" });
      const inFlight = call(clients.provider, "ApplyResourceChange", {
        type_name: "fake_thing",
        prior_state: { msgpack: nil },
        planned_state: { msgpack: cty.encode(slow) },
        config: { msgpack: cty.encode(slow) },
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      plugin.child.kill("SIGINT");
      expect((await inFlight).diagnostics[0].summary).toBe("stopped by Terraform");
      // Terraform still calls StopProvider and Shutdown after Ctrl-C: the server answers.
      expect(await call(clients.provider, "StopProvider")).toEqual({ Error: "" });
      plugin.child.kill("SIGINT");
      expect(await plugin.exited).toBe(0);
      expect(gone(dirname(plugin.address))).toBe(true);
    } finally {
      clients.close();
      plugin.child.kill("SIGKILL");
    }
  });
});

describe("handshake refusals", () => {
  it("exits 1 with a human message when run without Terraform's cookie", async () => {
    const result = await runToExit({ [magicCookieKey]: undefined });
    expect(result).toEqual({ code: 1, stdout: "", stderr: `${errNoCookie}\n` });
  });

  it("exits 1 naming the offered versions when protocol 6 is not offered", async () => {
    const cert = (await mintServerIdentity()).certPem;
    const result = await runToExit({
      [magicCookieKey]: magicCookieValue,
      PLUGIN_PROTOCOL_VERSIONS: "4,5",
      PLUGIN_CLIENT_CERT: cert,
    });
    expect(result).toEqual({ code: 1, stdout: "", stderr: `${errNoProtocol6} 4, 5.\n` });
  });
});

describe("mutual TLS", () => {
  let plugin: StartedPlugin;
  beforeAll(async () => {
    plugin = await startPlugin({
      env: { FAKE_PLUGIN_NETWORK: "tcp", PLUGIN_MIN_PORT: "23100", PLUGIN_MAX_PORT: "23199" },
    });
  });
  afterAll(() => plugin?.child.kill("SIGKILL"));

  it("serves TCP on 127.0.0.1 within the port range when asked to", async () => {
    const [host, port] = plugin.address.split(":");
    expect(host).toBe("127.0.0.1");
    expect(Number(port)).toBeGreaterThanOrEqual(23100);
    expect(Number(port)).toBeLessThanOrEqual(23199);
    const clients = connect(plugin);
    expect((await call(clients.health, "Check", { service: "plugin" })).status).toBe("SERVING");
    clients.close();
  });

  it.each([
    ["a self-signed certificate that is not Terraform's", "other"],
    ["no client certificate", "none"],
  ] as const)("refuses a client presenting %s", async (_case, kind) => {
    const identity = kind === "other" ? await mintServerIdentity() : null;
    const clients = connect(plugin, identity);
    await expect(call(clients.health, "Check", { service: "plugin" })).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
    });
    clients.close();
  });

  it("shuts down cleanly on SIGTERM", async () => {
    plugin.child.kill("SIGTERM");
    expect(await plugin.exited).toBe(0);
  });
});
