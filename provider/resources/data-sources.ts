/**
 * Data sources for objects that exist on the platform, whoever declared them:
 * `data "kalliope_tenant"` by `customer_code`, `data "kalliope_pbx"` by `tenant` and
 * `name`. They read the live object through the controller
 * (the tenant's listing, `GET /v1/tenants/{tenant}/live`, once per provider process); every attribute but the lookup keys is
 * computed. The attributes are the resource's own (terraformKinds), less what only a
 * document has (labels, deletion policy, drift mode, ignore) and secrets.
 */
import type { KindName } from "../../controller/model/resources.gen.js";
import { identityOfDocument, stateFromDocument, terraformKinds } from "../../controller/model/terraform.js";
import type { DataSourceType, Diagnostic, Schema, TfObject } from "../plugin/contract.js";
import { hasUnknown, schemaAttribute } from "./attributes.js";
import type { ProviderState } from "./provider-state.js";
import { diagnosticOf, impliedDocument, liveView } from "./resource.js";

/** The object a data source looks up does not exist. */
export const errLookupMissing = "no such object on the platform";
/** A lookup key is missing. */
export const errLookupKey = "is required to look the object up";

/** Document-only metadata: it says how the controller manages a document, not what the platform has. */
const documentOnly = new Set([
  "metadata.labels",
  "metadata.deletionPolicy",
  "metadata.driftMode",
  "metadata.ignore",
]);

/** A data source's lookup: its kind and the attributes (by name) that make the key. */
interface Lookup {
  kind: KindName;
  /** Attribute name → document path. */
  keys: Record<string, string>;
  description: string;
}

const lookups: Lookup[] = [
  {
    kind: "Tenant",
    keys: { customer_code: "spec.customerCode" },
    description: "An existing tenant of the platform, looked up by its customer code.",
  },
  {
    kind: "Pbx",
    keys: { tenant: "metadata.tenant", name: "metadata.name" },
    description: "An existing PBX of a tenant, looked up by the tenant's customer code and the PBX's name.",
  },
];

function dataSchema(l: Lookup): Schema {
  const attributes = terraformKinds[l.kind].attributes
    .filter(
      (a) => !documentOnly.has(a.path) && (a.role === "field" || a.role === "id" || a.role === "computed"),
    )
    .map((a) => {
      const s = schemaAttribute(a);
      if (a.name in l.keys)
        return { name: s.name, type: s.type ?? "string", description: s.description, required: true };
      const { required: _r, optional: _o, nestedType, ...rest } = s;
      // A nested attribute of a computed-only parent is computed as a whole.
      const inner = nestedType && {
        nestedType: {
          ...nestedType,
          attributes: nestedType.attributes.map(({ required: _x, optional: _y, ...f }) => ({
            ...f,
            computed: true,
          })),
        },
      };
      return { ...rest, ...inner, computed: true };
    });
  return { version: 0, block: { description: l.description, attributes } };
}

function defineDataSource(l: Lookup, provider: ProviderState): DataSourceType {
  const schema = dataSchema(l);
  const names = schema.block.attributes.map((a) => a.name);
  const missing = (config: TfObject): Diagnostic[] =>
    Object.keys(l.keys)
      .filter((k) => config[k] === null || config[k] === "")
      .map((k) => ({ severity: "error", summary: `${k} ${errLookupKey}`, attribute: [{ attribute: k }] }));
  return {
    name: terraformKinds[l.kind].typeName,
    schema,
    async validate(config) {
      return missing(config);
    },
    async read(config, ctx) {
      const problems = missing(config);
      if (problems.length > 0 || Object.keys(l.keys).some((k) => hasUnknown(config[k])))
        return { state: null, diagnostics: problems };
      const doc = { metadata: {} as Record<string, unknown>, spec: {} as Record<string, unknown> };
      for (const [attr, path] of Object.entries(l.keys)) {
        const [part, field] = path.split(".") as ["metadata" | "spec", string];
        doc[part][field] = config[attr];
      }
      const identity = identityOfDocument(l.kind, doc);
      if (!identity) return { state: null, diagnostics: missing(config) };
      try {
        const live = await provider
          .client()
          .liveObject(identity.tenant, l.kind, identity.keyAfterKind, ctx.signal);
        if (!live) {
          const detail = `${l.kind} ${identity.id} does not exist on the platform`;
          return { state: null, diagnostics: [{ severity: "error", summary: errLookupMissing, detail }] };
        }
        const full = stateFromDocument(l.kind, impliedDocument(l.kind, identity), liveView(live), null);
        const state: TfObject = {};
        for (const n of names) state[n] = (full[n] ?? null) as TfObject[string];
        return { state, diagnostics: [] };
      } catch (err) {
        return { state: null, diagnostics: [diagnosticOf(err)] };
      }
    },
  };
}

/** The provider's data sources: `kalliope_tenant` and `kalliope_pbx`. */
export function dataSources(provider: ProviderState): DataSourceType[] {
  return lookups.map((l) => defineDataSource(l, provider));
}
