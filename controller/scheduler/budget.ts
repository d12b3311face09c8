/**
 * One rate budget per platform account, shared by drift checks and writes with writes
 * first, and divided among the live replicas: each replica's bucket runs at
 * `requestsPerSecond / replicas`, rounded down to a whole number when at least 1 (so the
 * replicas' windows add up to no more than the account's limit), else the fraction
 * (one request every `replicas / requestsPerSecond` s). The bucket is the client's own
 * (platform/client/rate-limit.ts): an apply run's calls take from its `normal` lane, a
 * drift check's from its `background` lane.
 */

import { type RateGate, TokenBucket } from "../../platform/client/rate-limit.js";
import type { PlatformAccount, RequestMode } from "../model/control.js";

/** Default budget of an account (requests/s): the client's default limit. */
export const defaultAccountRequestsPerSecond = 20;

/** Options of the budgets. */
export interface BudgetOptions {
  /** The account's whole limit (requests/s) across replicas. Default 20 for every account. */
  requestsPerSecond?: (account: PlatformAccount) => number;
  /** Burst of each bucket (see `TokenBucket`). Default the client's (2). */
  burst?: number;
  /** Clock (ms) and sleep of the buckets. Default real time. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** An account's identity: base URL, domain and user (two sources on one account share it). */
export function accountKey(a: PlatformAccount): string {
  return `${a.url.replace(/\/+$/, "")}|${a.domain}|${a.username}`;
}

/** This replica's share of a limit (requests/s) when `replicas` share it. */
export function replicaShare(requestsPerSecond: number, replicas: number): number {
  const share = requestsPerSecond / Math.max(1, Math.floor(replicas));
  return share >= 1 ? Math.floor(share) : share;
}

/** The buckets of the accounts this replica has called. */
export class AccountBudgets {
  private readonly buckets = new Map<string, { bucket: TokenBucket; limit: number }>();
  private replicas = 1;

  constructor(private readonly options: BudgetOptions = {}) {}

  /** The gate of `account` for a run in `mode`: apply before drift. */
  gate(account: PlatformAccount, mode: RequestMode): RateGate {
    return this.bucketOf(account).lane(mode === "apply" ? "normal" : "background");
  }

  /** The bucket of `account` (created on first use). */
  bucketOf(account: PlatformAccount): TokenBucket {
    const key = accountKey(account);
    const limit = this.options.requestsPerSecond?.(account) ?? defaultAccountRequestsPerSecond;
    let entry = this.buckets.get(key);
    if (!entry) {
      entry = {
        bucket: new TokenBucket({
          requestsPerSecond: replicaShare(limit, this.replicas),
          burst: this.options.burst,
          now: this.options.now,
          sleep: this.options.sleep,
        }),
        limit,
      };
      this.buckets.set(key, entry);
    } else if (entry.limit !== limit) {
      entry.limit = limit;
      entry.bucket.setRate(replicaShare(limit, this.replicas));
    }
    return entry.bucket;
  }

  /** Live replicas now sharing every account (>= 1); re-divides every budget. */
  setReplicas(count: number): void {
    this.replicas = Math.max(1, Math.floor(count));
    for (const e of this.buckets.values()) e.bucket.setRate(replicaShare(e.limit, this.replicas));
  }

  get replicaCount(): number {
    return this.replicas;
  }
}
