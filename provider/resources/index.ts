/**
 * The Kalliope provider as the tfplugin6 server serves it (provider/plugin/contract.ts
 * `ProviderDefinition`): the provider block, six resource types and two data sources, all
 * forwarding to the omnia controller's API.
 *
 * Provider block (each attribute falls back to an environment variable of the Terraform
 * process when the configuration leaves it out):
 *
 * | attribute        | env                    |
 * |
 * | ---------------- | ---------------------- | ------------------------------------------
 * |
 * | `controller_url` | `OMNIA_CONTROLLER_URL` | http(s) URL of the controller, required
 * |
 * | `token`          | `OMNIA_TOKEN`          | API token `omn_...` (sensitive), required
 * |
 * | `source`         | `OMNIA_SOURCE`         | the partner's api source, when it has more
 * |
 */
import type {
  CallContext,
  Diagnostic,
  ProviderDefinition,
  Schema,
  TfObject,
  TfValue,
} from "../plugin/contract.js";
import { unknown } from "../plugin/contract.js";
import { ControllerClient, type ControllerClientOptions, type FetchLike } from "./controller-client.js";
import { dataSources } from "./data-sources.js";
import { extensionResource } from "./extension.js";
import { numberResource } from "./number.js";
import { pbxResource } from "./pbx.js";
import { providerState } from "./provider-state.js";
import { sipTrunkResource } from "./sip-trunk.js";
import { tenantResource } from "./tenant.js";
import { userResource } from "./user.js";

/** Options of `createKalliopeProvider`; every one has a default. */
export interface KalliopeProviderOptions {
  /** The `fetch` of the controller client. Default undici's. */
  fetch?: FetchLike;
  /** Where the `OMNIA_*` fallbacks are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Further client options (retries, sleep); tests shorten the waits. */
  client?: Omit<ControllerClientOptions, "url" | "token" | "source" | "fetch">;
}

/** Neither the attribute nor its variable gives a required setting. */
export const errSettingMissing = "is required";
/** `controller_url` is not an http(s) URL. */
export const errControllerUrl = "must be an http or https URL, e.g. https://omnia.example.it";
/** The token does not have the controller's token shape. */
export const errTokenShape = "is not a controller API token (omn_ followed by 43 characters)";
/** `source` is not a source id. */
export const errSourceShape = "must be a source id: lower-case letters, digits and '-'";

/** The provider block's attributes and the variable each falls back to. */
const settings = [
  { name: "controller_url", env: "OMNIA_CONTROLLER_URL", sensitive: false, required: true },
  { name: "token", env: "OMNIA_TOKEN", sensitive: true, required: true },
  { name: "source", env: "OMNIA_SOURCE", sensitive: false, required: false },
] as const;

const descriptions: Record<(typeof settings)[number]["name"], string> = {
  controller_url:
    "Base URL of the omnia controller's API, e.g. `https://omnia.example.it`. Default: `OMNIA_CONTROLLER_URL`.",
  token: "API token of the controller (`omn_...`, scope write). Default: `OMNIA_TOKEN`.",
  source:
    "The partner's source of type api that holds the resources, when the partner has several. Default: `OMNIA_SOURCE`.",
};

/** The provider block's schema. */
export const providerSchema: Schema = {
  version: 0,
  block: {
    description: "The Kalliope Omnia platform, through the omnia controller's API.",
    attributes: settings.map((s) => ({
      name: s.name,
      type: "string",
      description: descriptions[s.name],
      optional: true,
      ...(s.sensitive ? { sensitive: true } : {}),
    })),
  },
};

/** The settings a configuration and the environment give; `undefined` where unknown yet. */
type Resolved = Partial<Record<(typeof settings)[number]["name"], string | typeof unknown>>;

function resolve(config: TfObject, env: NodeJS.ProcessEnv): Resolved {
  const out: Resolved = {};
  for (const s of settings) {
    const v: TfValue | undefined = config[s.name];
    if (v === unknown) out[s.name] = unknown;
    else if (typeof v === "string" && v !== "") out[s.name] = v;
    else if (env[s.env]) out[s.name] = env[s.env];
  }
  return out;
}

/** The problems of the settings, each at its attribute; the token's value is never shown. */
function settingProblems(r: Resolved): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (name: string, summary: string, detail?: string): Diagnostic => ({
    severity: "error",
    summary: `${name} ${summary}`,
    ...(detail ? { detail } : {}),
    attribute: [{ attribute: name }],
  });
  for (const s of settings) {
    if (s.required && r[s.name] === undefined)
      out.push(
        at(
          s.name,
          errSettingMissing,
          `Set ${s.name} in the provider block or the environment variable ${s.env}.`,
        ),
      );
  }
  const url = r.controller_url;
  if (typeof url === "string") {
    let ok = false;
    try {
      ok = ["http:", "https:"].includes(new URL(url).protocol);
    } catch {
      // NO-OP: not a URL at all; reported below.
    }
    if (!ok) out.push(at("controller_url", errControllerUrl, `Got: ${url}`));
  }
  if (typeof r.token === "string" && !/^omn_[A-Za-z0-9_-]{43}$/.test(r.token))
    out.push(
      at(
        "token",
        errTokenShape,
        "Ask the controller for one: POST /v1/tokens with an admin token (scope write), or a `tokens` entry of its config file.",
      ),
    );
  if (typeof r.source === "string" && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(r.source))
    out.push(at("source", errSourceShape, `Got: ${r.source}`));
  return out;
}

/**
 * The Kalliope provider: `runPlugin(createKalliopeProvider())` serves it. `options.env`
 * and `options.fetch` let tests run it without touching the process.
 */
export function createKalliopeProvider(options: KalliopeProviderOptions = {}): ProviderDefinition {
  const env = options.env ?? process.env;
  const state = providerState();
  return {
    schema: providerSchema,
    async validateConfig(config: TfObject, _ctx: CallContext) {
      return settingProblems(resolve(config, env));
    },
    async configure(config: TfObject, _ctx: CallContext) {
      const r = resolve(config, env);
      const problems = settingProblems(r);
      // Configure runs with every value known; an unknown one here cannot be used.
      for (const s of settings)
        if (r[s.name] === unknown)
          problems.push({
            severity: "error",
            summary: `${s.name} is not known until apply`,
            detail: "The provider block must not depend on resources of this configuration.",
            attribute: [{ attribute: s.name }],
          });
      if (problems.length > 0) return problems;
      state.setClient(
        new ControllerClient({
          ...options.client,
          url: r.controller_url as string,
          token: r.token as string,
          source: r.source as string | undefined,
          fetch: options.fetch,
        }),
      );
      return [];
    },
    resources: [
      tenantResource(state),
      userResource(state),
      pbxResource(state),
      extensionResource(state),
      numberResource(state),
      sipTrunkResource(state),
    ],
    dataSources: dataSources(state),
  };
}
