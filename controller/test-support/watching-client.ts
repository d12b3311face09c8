/**
 * A platform client that tells a test when each write starts (before the call leaves),
 * so a test can fire a signal, fail a lease renewal at that moment, or check that no
 * write started after some event. Reads pass through unwatched.
 */
import type { PlatformPort } from "../engine/adapters/platform-port.js";

/** The calls that change the platform. */
export const writeVerbs: ReadonlySet<string> = new Set(["create", "update", "delete", "suspend", "resume"]);

/** Wraps `client`; `onWrite(verb)` runs synchronously before each write is sent. */
export function watchingClient(client: PlatformPort, onWrite: (verb: string) => void): PlatformPort {
  const watch = <T extends object>(api: T): T =>
    new Proxy(api, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function" || !writeVerbs.has(String(prop))) return value;
        return (...args: unknown[]) => {
          onWrite(String(prop));
          return value.apply(target, args);
        };
      },
    });
  return {
    customers: watch(client.customers),
    users: (id) => watch(client.users(id)),
    trunks: (id) => watch(client.trunks(id)),
    pbxs: (id) => watch(client.pbxs(id)),
    extensions: (id) => watch(client.extensions(id)),
    numbers: (id) => watch(client.numbers(id)),
    withSignal: (signal: AbortSignal) => watchingClient(client.withSignal(signal), onWrite),
  };
}
