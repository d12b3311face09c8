/**
 * Desired-state resources by natural key, for the Terraform provider:
 * `PUT/GET/DELETE /v1/tenants/{tenant}/resources/{kind}/{key}`, the list
 * `GET /v1/tenants/{tenant}/resources` (`?kind=`), and
 * `POST /v1/tenants/{tenant}/plan`, which applies nothing.
 *
 * `{key}` is the resource's natural key after its kind, URL-encoded: `Extension/ACME001/hq/201`
 * is `.../resources/Extension/ACME001%2Fhq%2F201`. The resources live in the partner's
 * source of type `api` (the only one, or `?source=`). A PUT or DELETE queues the tenant;
 * with `?wait=true` it reconciles the tenant now and answers the live object (PUT) or
 * confirms the deletion, or answers the engine's reason as a problem (422 terminal, 503
 * retry). A document holding a clear secret where its kind has a secret reference is
 * refused before it is stored.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { compileValidators, type Validators } from "../../load/schema.js";
import type { SourceLocation } from "../../model/control.js";
import { documentRefs, isKindName, keyOf } from "../../model/registry.js";
import { storedPlace } from "../../sources/stored.js";
import { type DocumentProblem, documentProblems } from "../document-check.js";
import {
  errClearSecret,
  errDocument,
  errResourceConflict,
  errResourceInUse,
  errResourceInvalid,
  errResourceNotFound,
  invalid,
  notFound,
  Problem,
} from "../errors.js";
import type { ApplyNowResult } from "../ports.js";
import { detailWithProblems, problemText } from "../problem-view.js";
import { problemResponses, ref } from "../schemas.js";
import { clearSecretPaths } from "../secret-check.js";
import { ownSource, type RouteDeps, recordChange, apiSource as sharedApiSource } from "./access.js";
import { liveObjectSchema } from "./live.js";
import { tenantPattern } from "./tenants.js";

type Params = { tenant: string; kind: string; key: string };
type Query = { source?: string; wait?: boolean };
type Doc = {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
};

const params = {
  type: "object",
  properties: {
    tenant: { type: "string", pattern: tenantPattern },
    kind: { type: "string", maxLength: 32 },
    key: {
      type: "string",
      minLength: 1,
      maxLength: 512,
      description: "natural key after the kind, URL-encoded",
    },
  },
  required: ["tenant", "kind", "key"],
} as const;

const query = {
  type: "object",
  properties: {
    source: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,62}$" },
    wait: { type: "boolean", default: false, description: "reconcile the tenant now and answer the outcome" },
  },
  additionalProperties: false,
} as const;

const resourceView = {
  type: "object",
  properties: {
    source: { type: "string" },
    tenant: { type: "string" },
    kind: { type: "string" },
    key: { type: "string" },
    document: ref("ResourceDocument"),
  },
  required: ["source", "tenant", "kind", "key", "document"],
} as const;

const applyView = {
  type: ["object", "null"],
  properties: {
    outcome: { enum: ["done", "retry", "terminal"] },
    runId: { type: ["string", "null"] },
    live: { anyOf: [liveObjectSchema, { type: "null" }] },
    notes: {
      type: "array",
      items: { type: "string" },
      description: "What the run's plan left undone and why: warnings, drift its driftMode forbids repairing",
    },
  },
} as const;

/**
 * Where a source's manifests are, for a conflict's message: a folder's path, or a git
 * URL (without any user or password), branch and folder.
 */
export function describeLocation(location: SourceLocation): string {
  switch (location.type) {
    case "folder":
      return `folder ${location.path}`;
    case "git": {
      let url = location.url;
      try {
        const u = new URL(url);
        u.username = "";
        u.password = "";
        url = u.toString();
      } catch {
        // NO-OP: not a URL (an scp-like or local path): shown as given.
      }
      return `git ${url} branch ${location.branch}${location.path ? ` folder ${location.path}` : ""}`;
    }
    case "api":
      return "resources written through the API";
  }
}

const putAnswer = {
  type: "object",
  properties: { resource: resourceView, apply: applyView },
  required: ["resource", "apply"],
} as const;

/** Registers the resource and plan routes. */
export async function resourceRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const apiSource = (request: FastifyRequest, named: string | undefined) =>
    sharedApiSource(deps, request, named);

  // Compiled on first use: the schemas are read once per app, not at every PUT.
  let compiled: Validators | undefined;
  const validators = () => {
    compiled ??= compileValidators();
    return compiled;
  };

  const kindOf = (kind: string) => {
    if (!isKindName(kind)) throw notFound(`unknown kind ${kind}`);
    return kind;
  };

  /** Reconciles now, aborted if the client goes away; a result that is not `done` is a problem. */
  const applyNow = async (request: FastifyRequest, reply: FastifyReply, source: string, tenant: string) => {
    const abort = new AbortController();
    const onClose = () => {
      if (!reply.sent) abort.abort();
    };
    request.raw.on("close", onClose);
    let result: ApplyNowResult;
    try {
      result = await deps.applyTenantNow(source, tenant, abort.signal);
    } finally {
      request.raw.off("close", onClose);
    }
    if (result.outcome === "terminal") {
      // The loader's problems, each with its place: the client shows them, not a count.
      const problems = result.problems ?? [];
      throw new Problem(
        422,
        "reconcile-failed",
        detailWithProblems(result.reason ?? "the reconcile failed", problems),
        // `problems` as the PUT's own check gives them: one `place: message` text each.
        { runId: result.runId, ...(problems.length > 0 ? { problems: problems.map(problemText) } : {}) },
      );
    }
    if (result.outcome === "retry") {
      reply.header("retry-after", "5");
      throw new Problem(503, "reconcile-retry", result.reason ?? "the reconcile must be retried", {
        runId: result.runId,
      });
    }
    return result;
  };

  app.put(
    "/v1/tenants/:tenant/resources/:kind/:key",
    {
      config: { scope: "write" },
      schema: {
        tags: ["resources"],
        summary: "Declare a resource by natural key (create or replace)",
        params,
        querystring: query,
        body: ref("ResourceDocument"),
        response: {
          200: putAnswer,
          201: putAnswer,
          422: ref("Problem"),
          503: ref("Problem"),
          ...problemResponses,
        },
      },
    },
    async (request: FastifyRequest<{ Params: Params; Querystring: Query; Body: Doc }>, reply) => {
      const { tenant, key } = request.params;
      const kind = kindOf(request.params.kind);
      const doc = request.body;
      if (doc.kind !== kind) throw invalid("body/kind", `is ${doc.kind}, the URL says ${kind}`);
      const secrets = clearSecretPaths(kind, doc);
      if (secrets.length > 0) throw invalid(`body${secrets[0]}`, errClearSecret, { fields: secrets });
      const problems = documentProblems(validators(), doc);
      if (problems.length > 0) {
        const [first] = problems as [DocumentProblem];
        throw invalid(`body${first.pointer}`, `${errDocument}: ${first.message}`, { problems });
      }
      const refs = documentRefs(kind, doc);
      if (!refs) throw invalid("body", "the document has no tenant or natural key field");
      if (refs.tenant !== tenant)
        throw invalid("body/metadata/tenant", `is ${refs.tenant}, the URL says ${tenant}`);
      const fullKey = `${kind}/${key}`;
      const docKey = keyOf(kind, refs);
      if (docKey !== fullKey)
        throw invalid("body", `the document's natural key is ${docKey}, the URL says ${fullKey}`);
      const source = await apiSource(request, request.query.source);
      // One resource, one owner: a key another source of the partner manages is refused
      // here, before anything is stored or queued (the engine would refuse it at plan).
      const owner = await deps.store.getInventory(fullKey);
      if (owner && owner.source !== source.id) {
        const other = await deps.store.getSource(owner.source);
        if (other && other.partner === source.partner)
          throw new Problem(
            409,
            "resource-conflict",
            `${errResourceConflict}: ${fullKey} is managed by source "${other.id}" (${describeLocation(other.location)}); remove it there first, or import it into that source instead`,
            { owner: { source: other.id, location: describeLocation(other.location) } },
          );
      }
      const before = await deps.store.getStoredResource(source.id, fullKey);
      const { created } = await deps.store.putStoredResource({
        source: source.id,
        tenant,
        kind,
        key: fullKey,
        document: doc,
      });
      // Checked against the rest of the source (references, secrets) as the engine will read
      // it: a document with problems is not kept, so it never blocks the source's other
      // resources, which are reconciled from the same source.
      const place = storedPlace({ tenant, kind, key: fullKey });
      const own = (await deps.sourceProblems(source.id)).filter(
        (p) => p.file === place || p.file.startsWith(`${place}#`),
      );
      if (own.length > 0) {
        if (before) await deps.store.putStoredResource({ ...before, source: source.id });
        else await deps.store.deleteStoredResource(source.id, fullKey);
        throw new Problem(
          422,
          "resource-invalid",
          `${errResourceInvalid}: ${own.map((p) => p.text).join("; ")}`,
          {
            problems: own.map((p) => p.text),
          },
        );
      }
      await recordChange(deps, request, {
        action: created ? "resource.created" : "resource.replaced",
        source: source.id,
        tenant,
        data: { key: fullKey },
      });
      let apply: unknown = null;
      if (request.query.wait) {
        const result = await applyNow(request, reply, source.id, tenant);
        apply = {
          outcome: result.outcome,
          runId: result.runId,
          live: result.live.find((l) => l.key === fullKey) ?? null,
          notes: result.notes ?? [],
        };
      } else {
        await deps.trigger(source.id, tenant, "api", "apply");
      }
      const resource = { source: source.id, tenant, kind, key: fullKey, document: doc };
      return reply.code(created ? 201 : 200).send({ resource, apply });
    },
  );

  app.get(
    "/v1/tenants/:tenant/resources",
    {
      config: { scope: "read" },
      schema: {
        tags: ["resources"],
        summary: "The resources declared for a tenant through the API, by key",
        params: { type: "object", properties: { tenant: params.properties.tenant }, required: ["tenant"] },
        querystring: {
          type: "object",
          properties: { source: query.properties.source, kind: { type: "string", maxLength: 32 } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: "object",
            properties: { items: { type: "array", items: resourceView } },
            required: ["items"],
          },
          ...problemResponses,
        },
      },
    },
    async (
      request: FastifyRequest<{
        Params: { tenant: string };
        Querystring: { source?: string; kind?: string };
      }>,
    ) => {
      const { tenant } = request.params;
      const source = await apiSource(request, request.query.source);
      const items = (await deps.store.listStoredResources(source.id))
        .filter(
          (r) => r.tenant === tenant && (request.query.kind === undefined || r.kind === request.query.kind),
        )
        .sort((a, b) => a.key.localeCompare(b.key))
        .map((r) => ({ source: source.id, tenant, kind: r.kind, key: r.key, document: r.document }));
      return { items };
    },
  );

  app.get(
    "/v1/tenants/:tenant/resources/:kind/:key",
    {
      config: { scope: "read" },
      schema: {
        tags: ["resources"],
        summary: "A declared resource and its status",
        params,
        querystring: { ...query, properties: { source: query.properties.source } },
        response: {
          200: {
            type: "object",
            properties: {
              resource: resourceView,
              status: { anyOf: [ref("ResourceStatus"), { type: "null" }] },
            },
            required: ["resource", "status"],
          },
          ...problemResponses,
        },
      },
    },
    async (request: FastifyRequest<{ Params: Params; Querystring: Query }>) => {
      const { tenant, key } = request.params;
      const kind = kindOf(request.params.kind);
      const source = await apiSource(request, request.query.source);
      const fullKey = `${kind}/${key}`;
      const stored = await deps.store.getStoredResource(source.id, fullKey);
      if (!stored || stored.tenant !== tenant) throw notFound(errResourceNotFound);
      const status = (await deps.store.listResourceStatus({ tenants: [tenant] })).find(
        (s) => s.key === fullKey,
      );
      return {
        resource: { source: source.id, tenant, kind, key: fullKey, document: stored.document },
        status: status ?? null,
      };
    },
  );

  app.delete(
    "/v1/tenants/:tenant/resources/:kind/:key",
    {
      config: { scope: "write" },
      schema: {
        tags: ["resources"],
        summary: "Stop declaring a resource (deleted from the platform per the source's prune policy)",
        params,
        querystring: query,
        response: { 204: { type: "null" }, 422: ref("Problem"), 503: ref("Problem"), ...problemResponses },
      },
    },
    async (request: FastifyRequest<{ Params: Params; Querystring: Query }>, reply) => {
      const { tenant, key } = request.params;
      const kind = kindOf(request.params.kind);
      const source = await apiSource(request, request.query.source);
      const fullKey = `${kind}/${key}`;
      const stored = await deps.store.getStoredResource(source.id, fullKey);
      if (!stored || stored.tenant !== tenant) throw notFound(errResourceNotFound);
      const restore = () => deps.store.putStoredResource({ ...stored, source: source.id });
      const before = new Set((await deps.sourceProblems(source.id)).map((p) => p.text));
      await deps.store.deleteStoredResource(source.id, fullKey);
      // A resource others still name (a PBX its extensions use) stays: without it the source
      // would not load, and every tenant of the source would stop reconciling.
      const broken = (await deps.sourceProblems(source.id)).filter((p) => !before.has(p.text));
      if (broken.length > 0) {
        await restore();
        throw new Problem(
          409,
          "resource-in-use",
          `${errResourceInUse}: ${broken.map((p) => p.text).join("; ")}`,
          {
            problems: broken.map((p) => p.text),
          },
        );
      }
      await recordChange(deps, request, {
        action: "resource.deleted",
        source: source.id,
        tenant,
        data: { key: fullKey },
      });
      if (request.query.wait) {
        try {
          await applyNow(request, reply, source.id, tenant);
        } catch (err) {
          // Not deleted from the platform: the resource stays declared, so the caller's
          // state and the controller agree and a later DELETE tries again.
          await restore();
          throw err;
        }
      } else await deps.trigger(source.id, tenant, "api", "apply");
      return reply.code(204).send();
    },
  );

  app.post(
    "/v1/tenants/:tenant/plan",
    {
      config: { scope: "read" },
      schema: {
        tags: ["resources"],
        summary: "Plan the tenant from the source's current revision; applies nothing",
        params: { type: "object", properties: { tenant: params.properties.tenant }, required: ["tenant"] },
        querystring: {
          type: "object",
          properties: { source: query.properties.source },
          additionalProperties: false,
        },
        response: {
          200: {
            type: "object",
            properties: {
              source: { type: "string" },
              revision: { type: "string" },
              problems: { type: "array", items: { type: "string" } },
              changes: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    action: { type: "string" },
                    kind: { type: "string" },
                    key: { type: "string" },
                    tenant: { type: "string" },
                    reason: { type: "string" },
                    diffs: { type: "array", items: ref("FieldDiff") },
                  },
                },
              },
              refusals: { type: "array", items: { type: "string" } },
              warnings: { type: "array", items: { type: "string" } },
            },
            required: ["source", "revision", "problems", "changes", "refusals", "warnings"],
          },
          ...problemResponses,
        },
      },
    },
    async (request: FastifyRequest<{ Params: { tenant: string }; Querystring: { source?: string } }>) => {
      const named = request.query.source;
      // Any of the partner's sources can be planned; without a name, its api source.
      const source =
        named !== undefined ? await ownSource(deps, request, named) : await apiSource(request, undefined);
      const plan = await deps.planTenant(source.id, request.params.tenant);
      return { source: source.id, ...plan };
    },
  );
}
