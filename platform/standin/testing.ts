/**
 * Test helper: a stand-in on a free port with responses checked against the contract,
 * no pending delay and no injected faults, plus client settings for both seeded
 * partners. `violations` must stay empty; `close()` in afterAll/afterEach.
 */
import type { ClientSettings } from "../client/settings.js";
import type { ClientOptions } from "../client/transport.js";
import { demoLogin, otherLogin } from "./seeds/partners.js";
import { type RunningStandin, type StandinOptions, startStandin } from "./server.js";

/** A running test stand-in with ready-made client settings. */
export interface TestStandin extends RunningStandin {
  /** Settings of partner `demo` (admin/admin). */
  settings: ClientSettings;
  /** Settings of partner `other`, which must never see `demo`'s customers. */
  otherSettings: ClientSettings;
}

/** Starts a test stand-in (pending delay 0, responses checked against the contract). */
export async function startTestStandin(options: StandinOptions = {}): Promise<TestStandin> {
  const standin = await startStandin({ pendingDelayMs: 0, validateResponses: true, ...options });
  return {
    ...standin,
    settings: { baseUrl: standin.url, ...demoLogin },
    otherSettings: { baseUrl: standin.url, ...otherLogin },
  };
}

/** Client options for tests: no local rate limit to speak of, quick retries. */
export const testClientOptions: ClientOptions = {
  requestsPerSecond: 100_000,
  burst: 100_000,
  concurrency: 16,
  minBackoffMs: 1,
  maxBackoffMs: 20,
};
