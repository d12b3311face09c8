/**
 * The server certificate of one plugin process: a fresh ECDSA P-256 key and a
 * self-signed certificate for `localhost`, minted at every start (go-plugin does the same
 * in its `generateCert`), printed in the handshake line and trusted by Terraform alone.
 *
 * Why @peculiar/x509: Node's crypto makes keys and signatures but not certificates, and
 * @peculiar/x509 mints an ECDSA certificate on WebCrypto in ~30 ms, while node-forge only
 * does RSA (its keygen + sign took 300-1200 ms here). Its module loads lazily (it is the
 * heaviest import of the handshake path).
 *
 * Sources: go-plugin 1.6 `mtls.go` (CA flag, key usages, SAN localhost, both extended key
 * usages) and ../shared/terraform-plugin-notes.md.
 */
import { createPrivateKey, webcrypto } from "node:crypto";

/** A minted server identity. */
export interface ServerIdentity {
  /** PEM of the certificate. */
  certPem: string;
  /** PEM (PKCS#8) of the private key; never logged. */
  keyPem: string;
  /** DER of the certificate, for the handshake line. */
  certDer: Uint8Array;
}

/** Options of `mintServerIdentity`. */
export interface MintOptions {
  /** Clock for the validity window; default `() => new Date()`. */
  now?: () => Date;
  /** Validity in ms after now; default 30 days (go-plugin uses 30 years; a process lives minutes). */
  validityMs?: number;
  /** Common name and DNS SAN; default `"localhost"`, the name Terraform checks. */
  hostname?: string;
}

const ecdsa = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/**
 * Mints a self-signed ECDSA P-256 certificate usable both as the server certificate and
 * as its own CA (Terraform puts it in its root pool). Throws what WebCrypto throws.
 */
export async function mintServerIdentity(options: MintOptions = {}): Promise<ServerIdentity> {
  await import("reflect-metadata"); // @peculiar/x509's dependency injection needs it first.
  const x509 = await import("@peculiar/x509");
  x509.cryptoProvider.set(webcrypto as never); // Node's WebCrypto is the Crypto it asks for; the DOM type is not in our lib.
  const now = (options.now ?? (() => new Date()))();
  const hostname = options.hostname ?? "localhost";
  const keys = await webcrypto.subtle.generateKey(ecdsa, true, ["sign", "verify"]);
  const flags = x509.KeyUsageFlags;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${hostname}`,
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]["keys"],
    signingAlgorithm: ecdsa,
    // Backdated a minute: clocks of Terraform and plugin are the same machine's, but a
    // certificate valid from "now" can be rejected by a verifier rounding down.
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + (options.validityMs ?? 30 * 86_400_000)),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(flags.digitalSignature | flags.keyEncipherment | flags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.SubjectAlternativeNameExtension([{ type: "dns", value: hostname }]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  return {
    certPem: cert.toString("pem"),
    keyPem: createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" })
      .export({ format: "pem", type: "pkcs8" })
      .toString(),
    certDer: new Uint8Array(cert.rawData),
  };
}
