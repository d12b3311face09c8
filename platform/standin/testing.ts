/**
 * Test helper: a stand-in on a free port with responses checked against the contract,
 * no pending delay and no injected faults, plus client settings for both seeded
 * partners. `violations` must stay empty; `close()` in afterAll/afterEach.
 */
import { digestPassword, signRequest } from "../client/auth.js";
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

/** A raw answer, for what the client does not send or hides (Idempotency-Key reuse, Accept). */
export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** A request signed as partner `demo` (admin/admin), without the client's machinery. */
export async function signedFetch(
  standin: { url: string; state: RunningStandin["state"] },
  method: string,
  path: string,
  init: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<RawAnswer> {
  const salt = standin.state.partnerByDomain(demoLogin.domain)?.salt ?? "";
  const res = await fetch(`${standin.url}${path}`, {
    method,
    headers: {
      "x-authenticate": signRequest(
        demoLogin.username,
        demoLogin.domain,
        digestPassword(demoLogin.password, salt),
        new Date(),
      ),
      ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
      ...init.headers,
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
