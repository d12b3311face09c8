/**
 * Test-only: plays Terraform's side of go-plugin. Starts a provider executable with the
 * environment Terraform sets (magic cookie, protocol versions, its client certificate,
 * port range), reads the handshake line and connects over gRPC trusting exactly the
 * certificate printed there, for the name `localhost`, presenting a client certificate.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { magicCookieKey, magicCookieValue } from "../handshake.js";
import { protoFiles, protosDir } from "../serve.js";
import { mintServerIdentity, type ServerIdentity } from "../tls.js";

/** The fake provider's executable entry, run with `node --import tsx`. */
export const fakePluginEntry = join(dirname(fileURLToPath(import.meta.url)), "fake-plugin.ts");
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** A started plugin process and what its handshake line said. */
export interface StartedPlugin {
  child: ChildProcess;
  /** The handshake line, as printed. */
  line: string;
  network: "unix" | "tcp";
  /** Socket path or `127.0.0.1:PORT`. */
  address: string;
  /** The server certificate from the handshake line, as PEM. */
  serverCertPem: string;
  /** The client identity Terraform would hold (its PEM went in PLUGIN_CLIENT_CERT). */
  clientIdentity: ServerIdentity;
  /** Everything the process wrote to stdout and stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
}

/** Options of `startPlugin`. */
export interface StartOptions {
  /** Extra environment, or `undefined` values to remove a variable Terraform sets. */
  env?: Record<string, string | undefined>;
  /** Executable entry; default the fake provider. */
  entry?: string;
}

/** Starts the plugin as Terraform does and waits for its handshake line (rejects if it exits first). */
export async function startPlugin(options: StartOptions = {}): Promise<StartedPlugin> {
  const clientIdentity = await mintServerIdentity();
  const env: Record<string, string | undefined> = {
    ...process.env,
    [magicCookieKey]: magicCookieValue,
    PLUGIN_PROTOCOL_VERSIONS: "5,6",
    PLUGIN_CLIENT_CERT: clientIdentity.certPem,
    PLUGIN_MIN_PORT: "10000",
    PLUGIN_MAX_PORT: "25000",
    ...options.env,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const child = spawn(process.execPath, ["--import", "tsx", options.entry ?? fakePluginEntry], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const end = out.indexOf("\n");
      if (end >= 0) resolve(out.slice(0, end));
    });
    void exited.then((code) =>
      reject(new Error(`plugin exited ${code} before its handshake; stderr: ${err}`)),
    );
  });
  const [, , network, address, , cert] = line.split("|");
  const serverCertPem = new X509Certificate(Buffer.from(cert ?? "", "base64")).toString();
  return {
    child,
    line,
    network: network as "unix" | "tcp",
    address: address ?? "",
    serverCertPem,
    clientIdentity,
    stdout: () => out,
    stderr: () => err,
    exited,
  };
}

/** Runs a process to its end (for refused handshakes) and returns its exit code and output. */
export async function runToExit(
  env: Record<string, string | undefined>,
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  const child = spawn(process.execPath, ["--import", "tsx", fakePluginEntry], {
    cwd: repoRoot,
    env: merged,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const code = await new Promise<number | string>((resolve) =>
    child.on("exit", (c, s) => resolve(c ?? s ?? "unknown")),
  );
  return { code, stdout, stderr };
}

// biome-ignore lint/suspicious/noExplicitAny: proto-loader's service constructors are untyped.
type AnyClient = any;

/** gRPC clients of the four services the plugin serves. */
export interface PluginClients {
  provider: AnyClient;
  controller: AnyClient;
  health: AnyClient;
  stdio: AnyClient;
  close(): void;
}

/**
 * Connects to a started plugin. `identity` is the client certificate presented: the one
 * Terraform announced by default, another one, or `null` for none.
 */
export function connect(
  plugin: StartedPlugin,
  identity: ServerIdentity | null = plugin.clientIdentity,
): PluginClients {
  const definition = protoLoader.loadSync(
    protoFiles.map((file) => join(protosDir, file)),
    { keepCase: true, longs: Number, enums: String, defaults: false, oneofs: true, includeDirs: [protosDir] },
  );
  const packages = grpc.loadPackageDefinition(definition) as AnyClient;
  const credentials = identity
    ? grpc.credentials.createSsl(
        Buffer.from(plugin.serverCertPem),
        Buffer.from(identity.keyPem),
        Buffer.from(identity.certPem),
      )
    : grpc.credentials.createSsl(Buffer.from(plugin.serverCertPem));
  const target = plugin.network === "unix" ? `unix://${plugin.address}` : plugin.address;
  const options = { "grpc.ssl_target_name_override": "localhost", "grpc.default_authority": "localhost" };
  const clients = {
    provider: new packages.tfplugin6.Provider(target, credentials, options),
    controller: new packages.plugin.GRPCController(target, credentials, options),
    health: new packages.grpc.health.v1.Health(target, credentials, options),
    stdio: new packages.plugin.GRPCStdio(target, credentials, options),
  };
  return {
    ...clients,
    close: () => {
      for (const client of Object.values(clients)) client.close();
    },
  };
}

/** Calls a unary RPC and resolves with its response (rejects with the gRPC error). */
export function call<T = AnyClient>(client: AnyClient, method: string, request: object = {}): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method](request, { deadline: Date.now() + 15_000 }, (error: Error | null, response: T) =>
      error ? reject(error) : resolve(response),
    ),
  );
}

/** True once `path` no longer exists. */
export function gone(path: string): boolean {
  return !existsSync(path);
}
