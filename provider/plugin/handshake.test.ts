import { describe, expect, it } from "vitest";
import {
  errBadPorts,
  errNoClientCert,
  errNoCookie,
  errNoProtocol6,
  HandshakeError,
  handshakeLine,
  magicCookieKey,
  magicCookieValue,
  readPluginEnvironment,
} from "./handshake.js";

const cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const terraformEnv = {
  [magicCookieKey]: magicCookieValue,
  PLUGIN_PROTOCOL_VERSIONS: "5,6",
  PLUGIN_CLIENT_CERT: cert,
  PLUGIN_MIN_PORT: "10000",
  PLUGIN_MAX_PORT: "25000",
};

describe("handshake environment", () => {
  it("reads what Terraform sets", () => {
    expect(readPluginEnvironment(terraformEnv)).toEqual({
      clientCertPem: cert,
      minPort: 10000,
      maxPort: 25000,
    });
  });

  it.each([
    ["no cookie", { [magicCookieKey]: undefined }, errNoCookie],
    ["a wrong cookie", { [magicCookieKey]: "x" }, errNoCookie],
    ["protocol 6 not offered", { PLUGIN_PROTOCOL_VERSIONS: "4,5" }, `${errNoProtocol6} 4, 5.`],
    ["no client certificate", { PLUGIN_CLIENT_CERT: undefined }, errNoClientCert],
    [
      "ports out of order",
      { PLUGIN_MIN_PORT: "20000", PLUGIN_MAX_PORT: "10000" },
      `${errBadPorts} (got 20000..10000)`,
    ],
    ["a port that is not a number", { PLUGIN_MAX_PORT: "lots" }, `${errBadPorts} (got 10000..lots)`],
  ])("refuses %s", (_case, change, message) => {
    expect(() => readPluginEnvironment({ ...terraformEnv, ...change })).toThrow(new HandshakeError(message));
  });

  it("takes go-plugin's defaults when the optional variables are absent", () => {
    const { PLUGIN_PROTOCOL_VERSIONS, PLUGIN_MIN_PORT, PLUGIN_MAX_PORT, ...rest } = terraformEnv;
    expect(readPluginEnvironment(rest)).toEqual({ clientCertPem: cert, minPort: 10000, maxPort: 25000 });
  });
});

describe("handshake line", () => {
  it.each([
    [1, "AQ"],
    [2, "AQI"],
    [3, "AQID"],
  ])("writes a %i-byte certificate in base64 without padding", (length, encoded) => {
    const der = Uint8Array.from({ length }, (_, i) => i + 1);
    expect(handshakeLine("unix", "/tmp/x/plugin.sock", der)).toBe(
      `1|6|unix|/tmp/x/plugin.sock|grpc|${encoded}`,
    );
  });

  it("writes the TCP form", () => {
    expect(handshakeLine("tcp", "127.0.0.1:10001", Uint8Array.of(1))).toBe("1|6|tcp|127.0.0.1:10001|grpc|AQ");
  });
});
