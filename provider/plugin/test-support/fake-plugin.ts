/**
 * Test-only executable: serves the fake provider exactly as provider/main.ts serves the
 * real one (`node --import tsx provider/plugin/test-support/fake-plugin.ts`). A stray
 * console.log and a raw stdout write at start-up check that nothing but the handshake
 * reaches stdout.
 */
import { runPlugin } from "../serve.js";

void runPlugin(
  async () => {
    console.log("stray output from a provider module");
    process.stdout.write("raw stray write to stdout\n");
    return (await import("./fake-provider.js")).fakeProvider();
  },
  { network: process.env.FAKE_PLUGIN_NETWORK === "tcp" ? "tcp" : "unix" },
);
