/**
 * The whole life of a provider process as Terraform runs it: check the handshake
 * environment, mint a certificate, serve tfplugin6 + go-plugin's services over mutual TLS
 * on a unix socket (TCP 127.0.0.1 as fallback), print the handshake line, and shut down
 * cleanly on Controller.Shutdown or SIGTERM. SIGINT is Terraform's: on Ctrl-C the terminal
 * sends it to the whole process group and Terraform then calls StopProvider, waits for
 * the calls in flight and saves the state, so (like go-plugin, which ignores interrupts)
 * the first SIGINT only stops the calls in flight and the server keeps answering; a
 * second one (Ctrl-C twice: the user wants out) shuts down.
 *
 * Start-up is on Terraform's critical path (it starts the provider many times per
 * command), so the heavy modules (@grpc/grpc-js, @grpc/proto-loader, @peculiar/x509) load
 * lazily here and the provider definition only after the handshake line is out.
 *
 * Sources: go-plugin 1.6 `server.go`/`grpc_server.go`, ../shared/terraform-plugin-notes.md.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { format } from "node:util";
import type { ServerUnaryCall, ServerWritableStream, sendUnaryData } from "@grpc/grpc-js";
import type { ProviderDefinition } from "./contract.js";
import { HandshakeError, handshakeLine, readPluginEnvironment } from "./handshake.js";
import { providerHandlers } from "./provider-service.js";
import { mintServerIdentity } from "./tls.js";

/** Where the .proto files live (copied beside the built files by `npm run build`). */
export const protosDir: string = join(dirname(fileURLToPath(import.meta.url)), "protos");
/** The .proto files served, relative to `protosDir`. */
export const protoFiles: readonly string[] = ["tfplugin6.proto", "plugin.proto", "health.proto"];

/** Error text: no socket and no port in the range could be bound. */
export const errNoBind = "could not listen on a unix socket nor on any TCP port of 127.0.0.1 in";
/** Error text (logged): the lazily loaded ProviderDefinition failed to load. */
export const errLoadDefinition = "loading the provider definition failed";

/** Something text can be written to (process.stdout, a test's buffer). */
export interface TextSink {
  write(text: string): unknown;
}

/** Options of `runPlugin`; every default is the real process's. */
export interface RunPluginOptions {
  /** Environment to read the handshake from; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where the handshake line goes; default `process.stdout`. Nothing else is ever written to it. */
  stdout?: TextSink;
  /** Human messages and logs; default `process.stderr`. */
  stderr?: TextSink;
  /** Called with the exit code when the process should end; default `process.exit`. */
  exit?: (code: number) => void;
  /** Parent of the private socket directory; default `os.tmpdir()`. */
  tmpDir?: string;
  /** `"unix"` (default) or `"tcp"`; unix falls back to tcp when it cannot bind. */
  network?: "unix" | "tcp";
  /** Handle SIGTERM (shut down) and SIGINT (first: stop calls in flight; second: shut down); default true. */
  handleSignals?: boolean;
  /**
   * Send console.log/info/debug/warn to stderr, and after the handshake line every write
   * to process.stdout too, so no stray output corrupts the handshake; default true.
   */
  redirectConsole?: boolean;
  /**
   * Let Node (22.1 and later) cache the compiled heavy modules between starts, in its
   * default place (`$TMPDIR/node-compile-cache`, or NODE_COMPILE_CACHE); default true.
   * Node 20 has no compile cache: nothing happens there.
   */
  compileCache?: boolean;
  /** How long calls in flight may take to finish at shutdown before they are cut, ms; default 30 000. */
  shutdownGraceMs?: number;
}

/**
 * Runs the provider until Terraform ends it. `definition` may be a function, called once
 * after the handshake line is printed, so its imports do not delay the handshake.
 * Resolves with the exit code (0 after a clean shutdown, 1 when the handshake is
 * refused: no magic cookie, no protocol 6, no client certificate) after calling
 * `options.exit` with it. Never writes anything but the handshake line to stdout.
 */
export async function runPlugin(
  definition: ProviderDefinition | (() => Promise<ProviderDefinition>),
  options: RunPluginOptions = {},
): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const log = (...args: unknown[]) => stderr.write(`${format(...args)}\n`);
  let environment: ReturnType<typeof readPluginEnvironment>;
  try {
    environment = readPluginEnvironment(options.env ?? process.env);
  } catch (error) {
    if (!(error instanceof HandshakeError)) throw error;
    stderr.write(`${error.message}\n`);
    exit(1);
    return 1;
  }
  if (options.redirectConsole ?? true) {
    for (const method of ["log", "info", "debug", "warn"] as const) console[method] = log;
  }

  if (options.compileCache ?? true) {
    const nodeModule = (await import("node:module")) as { enableCompileCache?: () => unknown };
    nodeModule.enableCompileCache?.();
  }
  const [grpc, protoLoader, identity] = await Promise.all([
    import("@grpc/grpc-js"),
    import("@grpc/proto-loader"),
    mintServerIdentity(),
  ]);
  const packageDefinition = protoLoader.loadSync(
    protoFiles.map((file) => join(protosDir, file)),
    { keepCase: true, longs: Number, enums: String, defaults: false, oneofs: true, includeDirs: [protosDir] },
  );
  // biome-ignore lint/suspicious/noExplicitAny: loadPackageDefinition returns an untyped tree of packages.
  const packages = grpc.loadPackageDefinition(packageDefinition) as any;

  const stop = new AbortController();
  let loaded: Promise<ProviderDefinition> | undefined;
  const getDefinition = () => {
    loaded ??= typeof definition === "function" ? definition() : Promise.resolve(definition);
    return loaded;
  };

  const server = new grpc.Server({
    // Terraform sends whole states; go-plugin lifts gRPC's 4 MiB default the same way.
    "grpc.max_receive_message_length": 256 * 1024 * 1024,
    "grpc.max_send_message_length": 256 * 1024 * 1024,
  });
  let shuttingDown: Promise<number> | undefined;
  server.addService(
    packages.tfplugin6.Provider.service,
    providerHandlers({ definition: getDefinition, stop }),
  );
  server.addService(packages.grpc.health.v1.Health.service, {
    Check: (call: ServerUnaryCall<{ service?: string }, unknown>, callback: sendUnaryData<unknown>) => {
      const name = call.request.service ?? "";
      if (name === "" || name === "plugin") callback(null, { status: "SERVING" });
      else callback({ code: grpc.status.NOT_FOUND, details: `unknown service ${name}` });
    },
  });
  server.addService(packages.plugin.GRPCController.service, {
    Shutdown: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      callback(null, {});
      setImmediate(() => void shutdown());
    },
  });
  server.addService(packages.plugin.GRPCStdio.service, {
    // NO-OP: output goes to our real stderr, which Terraform already reads; ending the
    // stream at once is what go-plugin's client expects when there is nothing to relay.
    StreamStdio: (call: ServerWritableStream<unknown, unknown>) => call.end(),
  });

  const credentials = grpc.ServerCredentials.createSsl(
    Buffer.from(environment.clientCertPem),
    [{ private_key: Buffer.from(identity.keyPem), cert_chain: Buffer.from(identity.certPem) }],
    true,
  );
  const socketDir = mkdtempSync(join(options.tmpDir ?? tmpdir(), "kalliope-plugin-"));
  const bind = (address: string) =>
    new Promise<number>((resolve, reject) =>
      server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port))),
    );
  let line: string | undefined;
  if ((options.network ?? "unix") === "unix") {
    const socketPath = join(socketDir, "plugin.sock");
    try {
      await bind(`unix://${socketPath}`);
      line = handshakeLine("unix", socketPath, identity.certDer);
    } catch (error) {
      log("unix socket %s unavailable (%s); trying TCP", socketPath, (error as Error).message);
    }
  }
  for (let port = environment.minPort; line === undefined && port <= environment.maxPort; port++) {
    try {
      await bind(`127.0.0.1:${port}`);
      line = handshakeLine("tcp", `127.0.0.1:${port}`, identity.certDer);
    } catch {
      // Port taken: go-plugin also walks the range until one binds.
    }
  }
  if (line === undefined) {
    rmSync(socketDir, { recursive: true, force: true });
    throw new Error(`${errNoBind} ${environment.minPort}..${environment.maxPort}`);
  }

  let finished: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finished = resolve;
  });
  const onSignal = () => void shutdown();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts += 1;
    if (interrupts === 1) stop.abort(new Error("interrupted"));
    else void shutdown();
  };
  const shutdown = (): Promise<number> => {
    shuttingDown ??= (async () => {
      if (options.handleSignals ?? true) {
        process.off("SIGINT", onInterrupt);
        process.off("SIGTERM", onSignal);
      }
      stop.abort(new Error("the provider is shutting down"));
      // Calls in flight (an apply) finish and answer; no new call is accepted.
      await new Promise<void>((resolve) => {
        const cut = setTimeout(() => server.forceShutdown(), options.shutdownGraceMs ?? 30_000);
        server.tryShutdown(() => {
          clearTimeout(cut);
          resolve();
        });
      });
      rmSync(socketDir, { recursive: true, force: true });
      finished(0);
      exit(0);
      return 0;
    })();
    return shuttingDown;
  };
  if (options.handleSignals ?? true) {
    process.on("SIGINT", onInterrupt);
    process.on("SIGTERM", onSignal);
  }

  stdout.write(`${line}\n`);
  if ((options.redirectConsole ?? true) && stdout === process.stdout) {
    // Terraform reads nothing more from stdout: anything a module writes there goes to
    // stderr, where Terraform's log shows it (go-plugin redirects os.Stdout the same way).
    process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  }
  // Load the definition now, while Terraform connects; a failure shows in every call's diagnostics.
  getDefinition().catch((error: unknown) => log("%s: %s", errLoadDefinition, error));
  return done;
}
