/**
 * A circuit breaker per platform account (cockatiel 3.2.1; 4.x needs Node 22): a burst
 * of runs ending in 429 or 5xx (or a timeout or dropped connection: the engine's
 * `errRateLimited` and `errUnavailable` retries) opens it; while open, the account's
 * requests are not run but rescheduled after `halfOpenAfterMs` and their tenants' status
 * says why; then one run probes the account (half-open): success closes it, another
 * overload opens it again. Runs of other accounts go on.
 *
 * cockatiel measures the open period with `Date.now()` (it takes no clock), so the
 * breaker's own half-open time is real time; the scheduler's reschedule uses its clock.
 */
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhenResult,
  IsolatedCircuitError,
} from "cockatiel";
import { platformFacts } from "../engine/errors.js";
import { errRateLimited, errUnavailable, type Outcome } from "../engine/reconcile/outcome.js";
import type { BreakerState } from "./ports.js";

/** Reason a tenant shows while its account's circuit is open. */
export const errCircuitOpen = "the platform account's circuit is open after a burst of 429/5xx answers";

/** Default: this many overloaded runs in a row open the circuit. */
export const defaultBreakerThreshold = 5;
/** Default time an open circuit waits before probing (ms). */
export const defaultHalfOpenAfterMs = 30_000;

/** Options of the breakers. */
export interface BreakerOptions {
  /** Overloaded runs in a row that open an account's circuit. Default 5. */
  threshold?: number;
  /** Open period before a probe (ms). Default 30 s. */
  halfOpenAfterMs?: number;
  /** Told of each state change. */
  onState?: (account: string, state: BreakerState) => void;
}

/** True when a run's outcome says the platform is overloaded or failing: 429, 5xx, timeout, reset. */
export function isOverload(outcome: Outcome<unknown>): boolean {
  if (outcome.status !== "retry") return false;
  const facts = platformFacts(outcome.error);
  if (facts && (facts.status === 429 || facts.status >= 500)) return true;
  return outcome.reason.startsWith(errRateLimited) || outcome.reason.startsWith(errUnavailable);
}

const stateName: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half-open",
  [CircuitState.Isolated]: "isolated",
};

/** What `AccountBreakers.run` did: ran `fn`, or refused because the circuit is open. */
export type BreakerRun<T> = { ran: true; value: T } | { ran: false; state: BreakerState };

/** The breakers of the accounts this replica has called, by account key. */
export class AccountBreakers {
  private readonly policies = new Map<string, CircuitBreakerPolicy>();
  readonly halfOpenAfterMs: number;

  constructor(private readonly options: BreakerOptions = {}) {
    this.halfOpenAfterMs = options.halfOpenAfterMs ?? defaultHalfOpenAfterMs;
  }

  /** The state of `account`'s circuit (closed when never used). */
  state(account: string): BreakerState {
    const p = this.policies.get(account);
    return p ? stateName[p.state] : "closed";
  }

  /**
   * Runs `fn` through `account`'s circuit. While it is open, or half-open with its probe
   * in flight, resolves `{ran: false}` without calling `fn`. `fn` must not throw.
   */
  async run<T extends Outcome<unknown>>(account: string, fn: () => Promise<T>): Promise<BreakerRun<T>> {
    const policy = this.policyOf(account);
    // cockatiel makes half-open callers wait for the probe; a worker slot is better spent elsewhere.
    if (policy.state === CircuitState.HalfOpen) return { ran: false, state: "half-open" };
    try {
      return { ran: true, value: (await policy.execute(fn)) as T };
    } catch (err) {
      if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError) {
        return { ran: false, state: stateName[policy.state] };
      }
      throw err;
    }
  }

  private policyOf(account: string): CircuitBreakerPolicy {
    let p = this.policies.get(account);
    if (!p) {
      p = circuitBreaker(
        handleWhenResult((r) => isOverload(r as Outcome<unknown>)),
        {
          halfOpenAfter: this.halfOpenAfterMs,
          breaker: new ConsecutiveBreaker(this.options.threshold ?? defaultBreakerThreshold),
        },
      );
      p.onStateChange((s) => this.options.onState?.(account, stateName[s]));
      this.policies.set(account, p);
    }
    return p;
  }
}
