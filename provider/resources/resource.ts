/**
 * The one factory of the provider's resource types: `defineResource(kind, provider)` builds
 * `kalliope_<kind>` from `terraformKinds[kind]` (controller/model/terraform.ts), so the six
 * resource files only name their kind. Every call goes to the controller API
 * (controller-client.ts); nothing here reconciles.
 *
 * - apply: each write-only secret given in clear is stored first through
 *   `PUT /secrets/{name}` (a name fixed per resource and field, `secretName`), and the
 *   document names it `{fromSecret: name}`; then `PUT ...?wait=true`. The value is sent at
 *   every apply that has it in its configuration: the controller compares the hash it
 *   last applied, so an unchanged PIN writes nothing on the platform, and a changed one
 *   needs a `*_wo_version` change only to make Terraform plan an apply at all.
 * - read: the live object (out of the tenant's listing, `GET /live`, read once per
 *   provider process and again after a write to the tenant; absent → null state, so Terraform plans a create)
 *   over the stored document, so a hand edit on the platform shows in the next plan.
 * - import: by the natural key (`ACME001/hq/201`), from the live object.
 */
import type { KindName } from "../../controller/model/resources.gen.js";
import {
  defaultDocumentName,
  documentFromAttributes,
  type LiveView,
  parseImportId,
  stateFromDocument,
  type TerraformIdentity,
  type TfAttribute,
  terraformKinds,
} from "../../controller/model/terraform.js";
import type { CallContext, Diagnostic, ResourceType, TfObject } from "../plugin/contract.js";
import { resourceSchema, schemaVersion, validateAttributes } from "./attributes.js";
import { ControllerError, type LiveObject, type ResourceDocument } from "./controller-client.js";
import { knownAttributes, planChange, stateAfterApply, upgradeState } from "./plan.js";
import { errNotConfigured, type ProviderState } from "./provider-state.js";

/** The id in the state is not one this resource type can read. */
export const errStateId = "the resource's id in the state is not valid";
/** `terraform import` of an object the platform does not have. */
export const errImportMissing = "no such object on the platform";
/** `terraform import` with an id of the wrong shape. */
export const errImportFormat = "the import id does not have the expected shape";
/** A state written by a newer provider. */
export const errStateVersion = "the state was written by a newer version of the provider";
/** Something failed that is not the controller's answer. */
export const errUnexpected = "the provider failed";
/** A reconcile that ended well left the object off the platform (its driftMode forbids writes, ...). */
export const errNotApplied = "the controller's reconcile left the object off the platform";
/** The attributes do not make a document (e.g. a required secret missing). */
export const errDocumentAttributes = "the attributes do not make a valid document";

/**
 * The controller's name of a secret stored for `field` of one resource: a valid document
 * name (lower case, at most 63 characters, a hash when longer) fixed by kind, key and
 * field,
 * so every apply of the resource replaces the same secret.
 */
export function secretName(kind: KindName, keyAfterKind: string, field: string): string {
  return defaultDocumentName(`${kind}/${keyAfterKind}/${field}`);
}

/** A live object as `stateFromDocument` reads it. */
export function liveView(live: LiveObject): LiveView {
  return {
    id: live.id,
    spec: live.spec,
    status: live.status?.phase ?? null,
    facts: live.status?.facts ?? null,
  };
}

/** The document an identity implies, for an object no document declares (import, data sources). */
export function impliedDocument(kind: KindName, identity: TerraformIdentity) {
  const metadata: Record<string, unknown> = {};
  const spec: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(identity.fields)) {
    const [part, field] = path.split(".") as ["metadata" | "spec", string];
    (part === "metadata" ? metadata : spec)[field] = value;
  }
  metadata.name ??= defaultDocumentName(identity.keyAfterKind);
  return { apiVersion: "omnia.kalliope.io/v1", kind, metadata, spec };
}

/** A thrown error as a diagnostic; a controller problem keeps its own summary and detail. */
export function diagnosticOf(err: unknown): Diagnostic {
  if (err instanceof ControllerError) return err.diagnostic();
  return {
    severity: "error",
    summary: errUnexpected,
    detail: err instanceof Error ? err.message : String(err),
  };
}

/** What a resource file adds to its kind's mapping: documentation only. */
export interface ResourceDocs {
  /** A valid configuration, shown as HCL in the schema's description (and validated by the tests). */
  example: TfObject;
  /** One paragraph (markdown) on what the object is on the platform. */
  about: string;
}

/** `key = value` lines of HCL for an example configuration (strings, numbers, bools, objects). */
export function hcl(attributes: TfObject, indent = "  "): string {
  const value = (v: TfObject[string]): string => {
    if (typeof v === "string") return JSON.stringify(v);
    if (v !== null && typeof v === "object" && !Array.isArray(v))
      return `{\n${hcl(v as TfObject, `${indent}  `)}\n${indent}}`;
    return String(v);
  };
  return Object.entries(attributes)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${indent}${k} = ${value(v)}`)
    .join("\n");
}

/** Builds the resource type of `kind`, calling the controller the provider was configured with. */
export function defineResource(kind: KindName, provider: ProviderState, docs: ResourceDocs): ResourceType {
  const tk = terraformKinds[kind];
  const schema = resourceSchema(kind);
  schema.block.description = [
    docs.about,
    schema.block.description,
    `\`\`\`hcl\nresource "${tk.typeName}" "example" {\n${hcl(docs.example)}\n}\n\`\`\``,
    `Import: \`terraform import ${tk.typeName}.example ${tk.idFormat}\`.`,
  ].join("\n\n");
  const secrets = tk.attributes.filter((a) => a.role === "secret");

  const identityOfState = (state: TfObject): TerraformIdentity | Diagnostic => {
    try {
      return parseImportId(kind, String(state.id));
    } catch (err) {
      return {
        severity: "error",
        summary: errStateId,
        detail: (err as Error).message,
        attribute: [{ attribute: "id" }],
      };
    }
  };

  /** The state of the object `identity` names, or null when the platform has none. */
  const readState = async (identity: TerraformIdentity, prior: TfObject | null, ctx: CallContext) => {
    const client = provider.client();
    const live = await client.liveObject(identity.tenant, kind, identity.keyAfterKind, ctx.signal);
    if (!live) return null;
    const stored = await client.storedResource(identity.tenant, kind, identity.keyAfterKind, ctx.signal);
    const document =
      stored?.document ??
      (prior
        ? documentFromAttributes(kind, knownAttributes(prior)).document
        : impliedDocument(kind, identity));
    return stateFromDocument(kind, document, liveView(live), prior) as TfObject;
  };

  const applyDocument = async (planned: TfObject, config: TfObject, ctx: CallContext): Promise<TfObject> => {
    const client = provider.client();
    const attributes = knownAttributes(planned);
    for (const a of secrets) attributes[a.name] = config[a.name] ?? null;
    const identity = parseImportId(kind, String(planned.id));
    const toStore: { name: string; value: string }[] = [];
    const clearSecret = (a: TfAttribute, value: string) => {
      const name = secretName(kind, identity.keyAfterKind, a.propName);
      toStore.push({ name, value });
      return { fromSecret: name };
    };
    const { document, problems } = documentFromAttributes(kind, attributes, { clearSecret });
    if (problems.length > 0) {
      throw new Error(`${errDocumentAttributes}: ${problems.map((p) => p.message).join("; ")}`);
    }
    for (const s of toStore) await client.putSecret(identity.tenant, s.name, s.value, ctx.signal);
    const answer = await client.putResource(
      identity.tenant,
      kind,
      identity.keyAfterKind,
      document as unknown as ResourceDocument,
      ctx.signal,
    );
    // The PUT's answer carries the live object with its status and facts. A reconcile that
    // ended well without the object on the platform left it undone on purpose (a driftMode
    // that forbids writes, a parent left out): an error, or Terraform would record a ghost.
    const live = answer.apply?.live ?? undefined;
    if (answer.apply?.outcome === "done" && !live) {
      const notes = answer.apply.notes ?? [];
      const about = notes.filter((n) => n.includes(identity.key));
      throw new Error(
        `${errNotApplied}: ${identity.key}${(about.length > 0 ? about : notes).map((n) => `\n- ${n}`).join("")}`,
      );
    }
    const fromAnswer = stateFromDocument(kind, document, live ? liveView(live) : undefined, planned);
    return stateAfterApply(planned, fromAnswer);
  };

  return {
    name: tk.typeName,
    schema,
    validate: (config, ctx) => validateAttributes(kind, config, ctx),

    async plan(request) {
      if (request.proposedNewState === null)
        return { plannedState: null, requiresReplace: [], diagnostics: [] };
      const { planned, requiresReplace } = planChange(
        kind,
        request.priorState,
        request.proposedNewState,
        request.config ?? request.proposedNewState,
      );
      return { plannedState: planned, requiresReplace, diagnostics: [] };
    },

    async apply(request, ctx) {
      const { priorState, plannedState } = request;
      try {
        if (plannedState === null) {
          if (priorState === null) return { newState: null, diagnostics: [] };
          const identity = identityOfState(priorState);
          if ("severity" in identity) return { newState: priorState, diagnostics: [identity] };
          // Not declared (any more) is what destroy wants: a 404 is success.
          await provider.client().deleteResource(identity.tenant, kind, identity.keyAfterKind, ctx.signal);
          return { newState: null, diagnostics: [] };
        }
        const newState = await applyDocument(plannedState, request.config ?? plannedState, ctx);
        return { newState, diagnostics: [] };
      } catch (err) {
        return { newState: priorState, diagnostics: [diagnosticOf(err)] };
      }
    },

    async read(currentState, _priorPrivate, ctx) {
      const identity = identityOfState(currentState);
      if ("severity" in identity) return { newState: currentState, diagnostics: [identity] };
      try {
        return { newState: await readState(identity, currentState, ctx), diagnostics: [] };
      } catch (err) {
        return { newState: currentState, diagnostics: [diagnosticOf(err)] };
      }
    },

    async import(id, ctx) {
      let identity: TerraformIdentity;
      try {
        identity = parseImportId(kind, id);
      } catch (err) {
        const detail = `${(err as Error).message}; for ${tk.typeName} give ${tk.idFormat}, e.g. terraform import ${tk.typeName}.NAME ${tk.idFormat}`;
        return { state: null, diagnostics: [{ severity: "error", summary: errImportFormat, detail }] };
      }
      try {
        const state = await readState(identity, null, ctx);
        if (state) return { state, diagnostics: [] };
        const detail = `${kind} ${identity.id} does not exist on the platform (key ${identity.key})`;
        return { state: null, diagnostics: [{ severity: "error", summary: errImportMissing, detail }] };
      } catch (err) {
        return { state: null, diagnostics: [diagnosticOf(err)] };
      }
    },

    async upgrade(version, state) {
      if (version > schemaVersion) {
        const detail = `state schema version ${version}, this provider writes ${schemaVersion}: upgrade the provider`;
        return { state: null, diagnostics: [{ severity: "error", summary: errStateVersion, detail }] };
      }
      return { state: upgradeState(kind, state), diagnostics: [] };
    },
  };
}

export { errNotConfigured };
