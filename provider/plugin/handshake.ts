/**
 * HashiCorp go-plugin's handshake, the plugin's side: the environment Terraform sets when
 * it starts a provider, the protocol version we pick, and the one line printed on stdout
 * that tells Terraform where and how to connect.
 *
 * Sources: go-plugin 1.6 `server.go` (`Serve`: cookie check, `PLUGIN_PROTOCOL_VERSIONS`,
 * `PLUGIN_MIN_PORT`/`PLUGIN_MAX_PORT`, the line `CORE|APP|NETWORK|ADDR|PROTOCOL|CERT`),
 * Terraform 1.11 `internal/plugin6` (magic cookie, app protocol 6), and
 * ../shared/terraform-plugin-notes.md.
 */

/** The environment variable Terraform sets so that a provider knows Terraform started it. */
export const magicCookieKey = "TF_PLUGIN_MAGIC_COOKIE";
/** Its value, Terraform's constant for every plugin protocol version. */
export const magicCookieValue = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/** go-plugin's core protocol version (the first field of the handshake line). */
export const coreProtocolVersion = 1;
/** The only plugin protocol this provider speaks: tfplugin6. */
export const appProtocolVersion = 6;

/** Error text for a human who ran the executable by hand (no magic cookie). */
export const errNoCookie =
  "This is a Terraform provider: Terraform starts it and talks to it, it does nothing run by hand.\n" +
  'Use it from a Terraform configuration (required_providers { kalliope = { source = "omnia-iac/kalliope" } }),\n' +
  "or install it with `omnia provider install`.";
/** Error text: Terraform did not offer protocol 6 (followed by what it offered). */
export const errNoProtocol6 =
  "This provider speaks only plugin protocol 6 (Terraform 1.0 or later), but Terraform offered";
/** Error text: no client certificate to verify Terraform by. */
export const errNoClientCert = "PLUGIN_CLIENT_CERT is not set: Terraform always sends its client certificate";
/** Error text: the TCP port range is unusable. */
export const errBadPorts = "PLUGIN_MIN_PORT and PLUGIN_MAX_PORT must be ports with min <= max";

/** A handshake refused before any server starts: `message` is for a human on stderr. */
export class HandshakeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HandshakeError";
  }
}

/** What Terraform told us through the environment. */
export interface PluginEnvironment {
  /** PEM of Terraform's client certificate, the only client we accept. */
  clientCertPem: string;
  /** TCP fallback port range (inclusive); go-plugin's defaults 10000..25000. */
  minPort: number;
  maxPort: number;
}

/**
 * Checks the environment Terraform sets. Throws `HandshakeError` when the cookie is
 * missing or wrong (someone ran the executable by hand), when protocol 6 is not offered,
 * or when the client certificate or the port range is missing or malformed.
 */
export function readPluginEnvironment(env: Record<string, string | undefined>): PluginEnvironment {
  if (env[magicCookieKey] !== magicCookieValue) throw new HandshakeError(errNoCookie);
  // go-plugin: an absent PLUGIN_PROTOCOL_VERSIONS means the client accepts the plugin's default.
  const offered = (env.PLUGIN_PROTOCOL_VERSIONS ?? String(appProtocolVersion))
    .split(",")
    .map((v) => v.trim());
  if (!offered.includes(String(appProtocolVersion))) {
    throw new HandshakeError(`${errNoProtocol6} ${offered.join(", ") || "none"}.`);
  }
  const clientCertPem = env.PLUGIN_CLIENT_CERT;
  if (!clientCertPem?.includes("BEGIN CERTIFICATE")) throw new HandshakeError(errNoClientCert);
  const minPort = Number(env.PLUGIN_MIN_PORT ?? 10000);
  const maxPort = Number(env.PLUGIN_MAX_PORT ?? 25000);
  if (
    !Number.isInteger(minPort) ||
    !Number.isInteger(maxPort) ||
    minPort < 1 ||
    maxPort > 65535 ||
    minPort > maxPort
  ) {
    throw new HandshakeError(`${errBadPorts} (got ${env.PLUGIN_MIN_PORT}..${env.PLUGIN_MAX_PORT})`);
  }
  return { clientCertPem, minPort, maxPort };
}

/**
 * The handshake line (without newline): `1|6|unix|/path|grpc|CERT` or
 * `1|6|tcp|127.0.0.1:PORT|grpc|CERT`, CERT the server certificate's DER in standard
 * base64 with the `=` padding removed (go-plugin uses `base64.RawStdEncoding`).
 */
export function handshakeLine(network: "unix" | "tcp", address: string, certDer: Uint8Array): string {
  const cert = Buffer.from(certDer).toString("base64").replace(/=+$/, "");
  return `${coreProtocolVersion}|${appProtocolVersion}|${network}|${address}|grpc|${cert}`;
}
