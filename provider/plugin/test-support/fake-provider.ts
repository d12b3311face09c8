/**
 * A small `ProviderDefinition` for the protocol tests: one resource `fake_thing` whose
 * schema uses every shape the codec handles (number, map, set, nested single object,
 * sensitive write-only secret, computed attributes) and one data source `fake_lookup`.
 * It keeps no platform: apply answers from the plan, read marks the state refreshed.
 */
import type { DataSourceType, ProviderDefinition, ResourceType, Schema, TfObject } from "../contract.js";
import { unknown } from "../contract.js";

/** The fake resource's schema (version 1: version 0 called `name` `title`). */
export const fakeThingSchema: Schema = {
  version: 1,
  block: {
    description: "A thing that exists only in the test.",
    attributes: [
      { name: "id", type: "string", description: "Import id.", computed: true },
      { name: "name", type: "string", description: "Changing it replaces the thing.", required: true },
      { name: "size", type: "number", description: "Must not be negative.", optional: true },
      { name: "tags", type: ["map", "string"], description: "Labels.", optional: true },
      { name: "ports", type: ["set", "number"], description: "Ports.", optional: true },
      {
        name: "pin",
        type: "string",
        description: "Secret.",
        optional: true,
        sensitive: true,
        writeOnly: true,
      },
      {
        name: "user",
        description: "Owner.",
        optional: true,
        nestedType: {
          nesting: "single",
          attributes: [
            { name: "email", type: "string", description: "E-mail.", required: true },
            { name: "first_name", type: "string", description: "First name.", optional: true },
          ],
        },
      },
      { name: "status", type: "string", description: "Known after apply.", computed: true },
    ],
  },
};

const emptyThing = (): TfObject => ({
  id: null,
  name: null,
  size: null,
  tags: null,
  ports: null,
  pin: null,
  user: null,
  status: null,
});

/** Waits until `signal` aborts (the "slow" thing stands for an apply Terraform interrupts). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) =>
    signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve()),
  );
}

const fakeThing: ResourceType = {
  name: "fake_thing",
  schema: fakeThingSchema,
  async validate(config, ctx) {
    const diagnostics = [];
    if (typeof config.size === "number" && config.size < 0) {
      diagnostics.push({
        severity: "error" as const,
        summary: "size must not be negative",
        attribute: [{ attribute: "size" }],
      });
    }
    if (config.pin !== null && !ctx.writeOnlyAllowed) {
      diagnostics.push({
        severity: "error" as const,
        summary: "write-only pin needs Terraform 1.11",
        attribute: [{ attribute: "pin" }],
      });
    }
    return diagnostics;
  },
  async plan({ priorState, proposedNewState }) {
    if (proposedNewState === null) return { plannedState: null, requiresReplace: [], diagnostics: [] };
    const create = priorState === null || priorState.name !== proposedNewState.name;
    return {
      plannedState: {
        ...proposedNewState,
        id: create ? unknown : (proposedNewState.id ?? null),
        status: create ? unknown : (proposedNewState.status ?? null),
      },
      requiresReplace:
        priorState !== null && priorState.name !== proposedNewState.name ? [[{ attribute: "name" }]] : [],
      plannedPrivate: new TextEncoder().encode("planned"),
      diagnostics: [],
    };
  },
  async apply({ plannedState }, ctx) {
    if (plannedState === null) return { newState: null, diagnostics: [] };
    if (plannedState.name === "slow") {
      await aborted(ctx.signal);
      return { newState: null, diagnostics: [{ severity: "error", summary: "stopped by Terraform" }] };
    }
    return {
      newState: { ...plannedState, id: `fake-${String(plannedState.name)}`, status: "active" },
      diagnostics: [],
    };
  },
  async read(currentState, priorPrivate) {
    const note = new TextDecoder().decode(priorPrivate);
    return { newState: { ...currentState, status: `refreshed${note ? ` (${note})` : ""}` }, diagnostics: [] };
  },
  async import(id) {
    if (id === "missing")
      return { state: null, diagnostics: [{ severity: "error", summary: `no thing ${id}` }] };
    return {
      state: { ...emptyThing(), id, name: id.split("/").at(-1) ?? id, size: 2n ** 60n + 1n },
      diagnostics: [],
    };
  },
  async upgrade(version, state) {
    const moved = version === 0 ? { ...state, name: state.title } : state;
    delete moved.title;
    return { state: { ...emptyThing(), ...(moved as TfObject) }, diagnostics: [] };
  },
};

const fakeLookup: DataSourceType = {
  name: "fake_lookup",
  schema: {
    version: 0,
    block: {
      description: "Finds a thing.",
      attributes: [
        { name: "name", type: "string", description: "Name.", required: true },
        { name: "id", type: "string", description: "Id.", computed: true },
      ],
    },
  },
  async validate() {
    return [];
  },
  async read(config) {
    return { state: { name: config.name ?? null, id: `fake-${String(config.name)}` }, diagnostics: [] };
  },
};

/** The fake definition; `configured` records the provider block ConfigureProvider received. */
export function fakeProvider(): ProviderDefinition & { configured: TfObject[] } {
  const configured: TfObject[] = [];
  return {
    configured,
    schema: {
      version: 0,
      block: {
        description: "Fake provider.",
        attributes: [
          { name: "endpoint", type: "string", description: "URL.", optional: true },
          { name: "token", type: "string", description: "Token.", optional: true, sensitive: true },
        ],
      },
    },
    async validateConfig(config) {
      return typeof config.endpoint === "string" && !config.endpoint.startsWith("http")
        ? [{ severity: "error", summary: "endpoint must be a URL", attribute: [{ attribute: "endpoint" }] }]
        : [];
    },
    async configure(config) {
      configured.push(config);
      return [];
    },
    resources: [fakeThing],
    dataSources: [fakeLookup],
  };
}
