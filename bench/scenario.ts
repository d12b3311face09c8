/**
 * What a benchmark scenario is. Each file in `bench/scenarios/` default-exports one
 * `Scenario`; `bench/run.ts` runs each in a child process of its own, so that the peak
 * memory it reports belongs to that scenario alone.
 */
export interface Scenario {
  /** Short name, used in the report and with `npm run bench -- NAME`. */
  name: string;
  /** What is measured, in one sentence. */
  description: string;
  /** Runs the scenario and returns its figures (numbers with units in their names). */
  run(): Promise<Record<string, number | string>>;
}
