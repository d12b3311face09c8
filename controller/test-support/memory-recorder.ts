/** An `ApplyRecorder` in memory, recording every call as an event, for engine tests. */
import type { ApplyRecorder } from "../engine/apply/recorder.js";
import type { InventoryEntry } from "../model/inventory.js";
import type { StepFinish, StepStart } from "../model/run.js";

/** One call made to a `MemoryRecorder`, in order, for tests that check what came first. */
export type RecorderEvent =
  | { op: "markCreating" | "upsertInventory"; key: string; entry: InventoryEntry }
  | { op: "deleteInventory"; key: string }
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

  async upsertInventory(entry: InventoryEntry): Promise<void> {
    await this.#write({ op: "upsertInventory", key: entry.key, entry });
    this.inventory.set(`${entry.source}\0${entry.key}`, { ...entry });
  }

  async deleteInventory(key: string, source: string): Promise<void> {
    await this.#write({ op: "deleteInventory", key });
    this.inventory.delete(`${source}\0${key}`);
  }

  async startStep(step: StepStart): Promise<void> {
    await this.#write({ op: "startStep", key: step.key, step });
  }

  async finishStep(step: StepFinish): Promise<void> {
    const started = this.events.find(
      (e) => e.op === "startStep" && e.step.runId === step.runId && e.step.seq === step.seq,
    );
    await this.#write({ op: "finishStep", key: started?.key ?? "", step });
  }

  async #write(event: RecorderEvent): Promise<void> {
    await this.#beforeWrite?.(event);
    this.events.push(event);
  }
}
