/**
 * `startStandin(options)`: the stand-in Omnia platform listening on loopback, with its
 * seed, optional state file (loaded at start, saved on close), knobs and counters.
 */
import { access } from "node:fs/promises";
import { buildStandinApp, type StandinApp, type StandinAppOptions } from "./app.js";
import { seedDemo } from "./seeds/demo.js";
import { seedPartners } from "./seeds/partners.js";
import { StandinState } from "./state.js";

/** Which data a fresh stand-in starts with: partners only, or the demo customers. */
export type SeedName = "empty" | "demo";

/** Options of `startStandin`; all have defaults. */
export interface StandinOptions extends Omit<StandinAppOptions, "state"> {
  /** TCP port on 127.0.0.1; 0 picks a free one. Default 0. */
  port?: number;
  /** Seed of a fresh state. Default "empty" (partners `demo` and `other`). */
  seed?: SeedName;
  /** JSON state file: loaded at start when it exists (instead of the seed), saved on close. */
  stateFile?: string;
  /** An existing state to serve (instead of seed and file). */
  state?: StandinState;
  /** Partner repository the `demo` seed reads. Default examples/gitops-partner. */
  examplesDir?: string;
}

/** A running stand-in. */
export interface RunningStandin extends Omit<StandinApp, "app"> {
  /** Base URL, e.g. `http://127.0.0.1:8090`. */
  url: string;
  app: StandinApp["app"];
  /** Stops listening (and saves the state file, if any). */
  close(): Promise<void>;
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** Builds the state a stand-in starts with. */
export async function initialState(
  options: Pick<StandinOptions, "seed" | "stateFile" | "state" | "examplesDir">,
): Promise<StandinState> {
  if (options.state) return options.state;
  if (options.stateFile && (await exists(options.stateFile))) return StandinState.load(options.stateFile);
  const state = new StandinState();
  const { demo } = seedPartners(state);
  if (options.seed === "demo") await seedDemo(state, demo, options.examplesDir);
  return state;
}

/** Starts a stand-in on 127.0.0.1 and returns its URL and handles. */
export async function startStandin(options: StandinOptions = {}): Promise<RunningStandin> {
  const state = await initialState(options);
  const built = await buildStandinApp({ ...options, state });
  const address = await built.app.listen({ port: options.port ?? 0, host: "127.0.0.1" });
  let closed = false;
  return {
    ...built,
    url: address,
    async close() {
      if (closed) return;
      closed = true;
      await built.app.close();
      if (options.stateFile) await state.save(options.stateFile);
    },
  };
}
