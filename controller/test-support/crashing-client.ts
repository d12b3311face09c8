/**
 * A platform client that "dies" after its Nth write: that write reaches the platform,
 * then the call and every later call (reads too) throw, as if the process had been killed
 * between the platform's answer and the record of it. For crash-safety tests.
 */
import type { PlatformPort } from "../engine/adapters/platform-port.js";

const writeVerbs = new Set(["create", "update", "delete", "suspend", "resume"]);

/** Text of the injected failure. */
export const errKilled = "killed after platform write";

/** Wraps `client`; `writes()` tells how many writes went through. */
export function crashingClient(
  client: PlatformPort,
  crashAfterWrites: number,
): PlatformPort & { writes(): number } {
  let writes = 0;
  let dead = false;
  const guard = <T extends object>(api: T): T =>
    new Proxy(api, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (dead) throw new Error(`${errKilled} #${crashAfterWrites}: process gone`);
          const result = value.apply(target, args);
          if (!writeVerbs.has(String(prop))) return result;
          return (result as Promise<unknown>).then((answer) => {
            writes++;
            if (writes >= crashAfterWrites) {
              dead = true;
              throw new Error(`${errKilled} #${writes}`);
            }
            return answer;
          });
        };
      },
    });
  const wrap = (c: PlatformPort): PlatformPort & { writes(): number } => ({
    customers: guard(c.customers),
    users: (id) => guard(c.users(id)),
    trunks: (id) => guard(c.trunks(id)),
    pbxs: (id) => guard(c.pbxs(id)),
    extensions: (id) => guard(c.extensions(id)),
    numbers: (id) => guard(c.numbers(id)),
    // A view bound to a signal dies with the client: same write count.
    withSignal: (signal) => wrap(c.withSignal(signal)),
    writes: () => writes,
  });
  return wrap(client);
}
