/**
 * The narrow view of the state store that apply writes through: inventory entries
 * (crash-safe creates) and the run's steps. controller/store implements it on Postgres;
 * `MemoryRecorder` implements it in memory for tests and dry runs.
 */
import type { KindName } from "../../model/desired-state.js";
import type { ChangeAction, InventoryEntry } from "../types.js";

/** How a step ended. `terminal`: a `TerminalError`, retrying cannot fix it. */
export type StepOutcome = "ok" | "failed" | "terminal" | "skipped";

/** A step as recorded when it starts. */
export interface StepStart {
  runId: string;
  /** 1-based position of the step in the plan's non-noop changes. */
  seq: number;
  action: ChangeAction;
  kind: KindName;
  key: string;
  tenant: string;
  startedAt: Date;
}

/** A step as recorded when it ends. Error texts never carry secret values. */
export interface StepFinish {
  runId: string;
  seq: number;
  key: string;
  outcome: StepOutcome;
  durationMs: number;
  finishedAt: Date;
  /** Platform request id of the last call (for support tickets). */
  requestId?: string;
  /** Platform id after a create or adopt. */
  platformId?: string;
  /** The create found the object already there and adopted it. */
  adopted?: boolean;
  error?: string;
}

/** What apply records; each method resolves once the write is durable. */
export interface ApplyRecorder {
  /** Before a create's platform call: the entry with state `creating` and platformId null. */
  markCreating(entry: InventoryEntry): Promise<void>;
  /** After a create, adopt or update: the entry with state `managed`, its id and secret hashes. */
  upsertManaged(entry: InventoryEntry): Promise<void>;
  /** After a delete, or for a forget: the entry leaves the inventory. */
  removeInventory(key: string, source: string): Promise<void>;
  startStep(step: StepStart): Promise<void>;
  finishStep(step: StepFinish): Promise<void>;
}

/** One call made to a `MemoryRecorder`, in order, for tests that check what came first. */
export type RecorderEvent =
  | { op: "markCreating" | "upsertManaged"; key: string; entry: InventoryEntry }
  | { op: "removeInventory"; key: string }
  | { op: "startStep"; key: string; step: StepStart }
  | { op: "finishStep"; key: string; step: StepFinish };

/** Options of `MemoryRecorder`. */
export interface MemoryRecorderOptions {
  /** Initial inventory. */
  inventory?: InventoryEntry[];
  /** Called before each write; a throw makes that write fail (store outage in tests). */
  beforeWrite?: (event: RecorderEvent) => void | Promise<void>;
}

/** An `ApplyRecorder` in memory: the inventory as a map, and every call as an event. */
export class MemoryRecorder implements ApplyRecorder {
  /** Inventory by `source` + key. */
  readonly inventory = new Map<string, InventoryEntry>();
  readonly events: RecorderEvent[] = [];
  readonly #beforeWrite: MemoryRecorderOptions["beforeWrite"];

  constructor(options: MemoryRecorderOptions = {}) {
    for (const e of options.inventory ?? []) this.inventory.set(`${e.source}\0${e.key}`, e);
    this.#beforeWrite = options.beforeWrite;
  }

  /** The inventory as `plan()` takes it, sorted by key. */
  entries(): InventoryEntry[] {
    return [...this.inventory.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Recorded steps that finished, in the order they finished. */
  finished(): StepFinish[] {
    return this.events.flatMap((e) => (e.op === "finishStep" ? [e.step] : []));
  }

  async markCreating(entry: InventoryEntry): Promise<void> {
    await this.#write({ op: "markCreating", key: entry.key, entry });
    this.inventory.set(`${entry.source}\0${entry.key}`, { ...entry });
  }

  async upsertManaged(entry: InventoryEntry): Promise<void> {
    await this.#write({ op: "upsertManaged", key: entry.key, entry });
    this.inventory.set(`${entry.source}\0${entry.key}`, { ...entry });
  }

  async removeInventory(key: string, source: string): Promise<void> {
    await this.#write({ op: "removeInventory", key });
    this.inventory.delete(`${source}\0${key}`);
  }

  async startStep(step: StepStart): Promise<void> {
    await this.#write({ op: "startStep", key: step.key, step });
  }

  async finishStep(step: StepFinish): Promise<void> {
    await this.#write({ op: "finishStep", key: step.key, step });
  }

  async #write(event: RecorderEvent): Promise<void> {
    await this.#beforeWrite?.(event);
    this.events.push(event);
  }
}
