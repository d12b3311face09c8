/**
 * JSON Schemas of the API's bodies and answers, registered once with `app.addSchema` and
 * named by `$ref` from the routes: Fastify validates requests and serializes responses
 * with them (a field not in a response schema is never sent), and @fastify/swagger turns
 * them into the OpenAPI components served at `/docs`. The shapes follow the vocabulary of
 * controller/model/control.ts, run.ts and status.ts.
 */

const dateTime = { type: "string", format: "date-time" } as const;
const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, "null"], ...extra });
/** A reference to a registered schema, for route schemas. */
export const ref = (id: SchemaId): { $ref: string } => ({ $ref: `${id}#` });

/** The ids of the shared schemas. */
export type SchemaId =
  | "SecretReference"
  | "SourceLocation"
  | "PlatformAccount"
  | "SourcePolicies"
  | "SourceBody"
  | "Source"
  | "TenantStatus"
  | "FieldDiff"
  | "DriftAttribution"
  | "ResourceStatus"
  | "Run"
  | "Step"
  | "Token"
  | "Event"
  | "ResourceDocument"
  | "Problem";

const secretReference = {
  $id: "SecretReference",
  description: "Where a secret of the operator's comes from; never the value itself.",
  oneOf: [
    {
      type: "object",
      properties: { fromEnv: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*$" } },
      required: ["fromEnv"],
      additionalProperties: false,
    },
    {
      type: "object",
      properties: { fromFile: { type: "string", minLength: 1 } },
      required: ["fromFile"],
      additionalProperties: false,
    },
  ],
} as const;

const sourceLocation = {
  $id: "SourceLocation",
  description: "Where a source's manifests are.",
  oneOf: [
    {
      type: "object",
      properties: { type: { const: "folder" }, path: { type: "string", minLength: 1 } },
      required: ["type", "path"],
      additionalProperties: false,
    },
    {
      type: "object",
      properties: {
        type: { const: "git" },
        url: { type: "string", minLength: 1, maxLength: 2048 },
        branch: { type: "string", minLength: 1, maxLength: 255, description: "default main" },
        path: { type: "string", maxLength: 1024 },
      },
      required: ["type", "url"],
      additionalProperties: false,
    },
    {
      type: "object",
      properties: { type: { const: "api" } },
      required: ["type"],
      additionalProperties: false,
    },
  ],
} as const;

const platformAccount = {
  $id: "PlatformAccount",
  type: "object",
  properties: {
    url: { type: "string", format: "uri", maxLength: 2048 },
    domain: { type: "string", minLength: 1, maxLength: 255 },
    username: { type: "string", minLength: 1, maxLength: 255 },
    password: ref("SecretReference"),
  },
  required: ["url", "domain", "username", "password"],
  additionalProperties: false,
} as const;

const sourcePolicies = {
  $id: "SourcePolicies",
  type: "object",
  properties: {
    intervalMs: { type: "integer", minimum: 10_000, default: 300_000, description: "ms" },
    driftIntervalMs: { type: "integer", minimum: 10_000, default: 60_000, description: "ms" },
    prune: { type: "boolean", default: false },
    driftMode: { enum: ["enforce", "warn", "observe"], default: "enforce" },
    parallelism: { type: "integer", minimum: 1, maximum: 64, default: 4 },
    suspended: { type: "boolean", default: false },
  },
  additionalProperties: false,
} as const;

const sourceBody = {
  $id: "SourceBody",
  description: "A source as registered through the API; its partner is the token's.",
  type: "object",
  properties: {
    location: ref("SourceLocation"),
    account: ref("PlatformAccount"),
    policies: ref("SourcePolicies"),
    webhookSecret: ref("SecretReference"),
  },
  required: ["location", "account"],
  additionalProperties: false,
} as const;

const source = {
  $id: "Source",
  type: "object",
  properties: {
    id: { type: "string" },
    partner: { type: "string" },
    location: ref("SourceLocation"),
    account: ref("PlatformAccount"),
    policies: ref("SourcePolicies"),
    webhookSecret: ref("SecretReference"),
    createdAt: dateTime,
    updatedAt: dateTime,
    lastRevision: nullable("string"),
    lastGoodRevision: nullable("string"),
    problems: { type: "array", items: { type: "string" } },
    lastReadAt: nullable("string", { format: "date-time" }),
  },
  required: ["id", "partner", "location", "account", "policies", "createdAt", "updatedAt", "problems"],
} as const;

const phase = { enum: ["InSync", "Drifted", "Reconciling", "Failed", "Suspended"] } as const;

const tenantStatus = {
  $id: "TenantStatus",
  type: "object",
  properties: {
    source: { type: "string" },
    tenant: { type: "string" },
    partner: { type: "string" },
    phase,
    reason: nullable("string"),
    observedRevision: nullable("string"),
    lastRunId: nullable("string"),
    lastRunAt: nullable("string", { format: "date-time" }),
    drifted: { type: "integer" },
    attempts: { type: "integer" },
    nextAttemptAt: nullable("string", { format: "date-time" }),
    updatedAt: dateTime,
  },
  required: ["source", "tenant", "partner", "phase", "drifted", "attempts", "updatedAt"],
} as const;

const fieldDiff = {
  $id: "FieldDiff",
  description: "One field that differs; a sensitive one carries only `sensitive: true`.",
  type: "object",
  properties: { path: { type: "string" }, before: {}, after: {}, sensitive: { type: "boolean" } },
  required: ["path"],
} as const;

const driftAttribution = {
  $id: "DriftAttribution",
  description: "Who changed a drifted resource by hand, from the platform's audit logs.",
  type: "object",
  properties: {
    actor: { type: "string" },
    at: dateTime,
    ip: nullable("string"),
    log: { enum: ["admin-console", "omnia-manager"] },
    operation: { type: "string" },
  },
  required: ["actor", "at", "log", "operation"],
} as const;

const resourceStatus = {
  $id: "ResourceStatus",
  type: "object",
  properties: {
    key: { type: "string" },
    kind: { type: "string" },
    tenant: { type: "string" },
    lastOutcome: nullable("string"),
    lastError: nullable("string"),
    lastRunId: nullable("string"),
    drift: { enum: ["in_sync", "drifted", "unknown"] },
    driftDiffs: { type: "array", items: ref("FieldDiff") },
    changedBy: { anyOf: [ref("DriftAttribution"), { type: "null" }] },
    updatedAt: dateTime,
  },
  required: ["key", "kind", "tenant", "drift", "driftDiffs", "updatedAt"],
} as const;

const run = {
  $id: "Run",
  type: "object",
  properties: {
    id: { type: "string" },
    mode: { enum: ["plan", "apply", "drift"] },
    source: { type: "string" },
    tenants: { type: "array", items: { type: "string" } },
    startedAt: dateTime,
    finishedAt: nullable("string", { format: "date-time" }),
    outcome: nullable("string"),
    summary: { type: "object", additionalProperties: { type: "number" } },
    error: nullable("string"),
    holder: nullable("string"),
    heartbeatAt: nullable("string", { format: "date-time" }),
  },
  required: ["id", "mode", "source", "tenants", "startedAt"],
} as const;

const step = {
  $id: "Step",
  type: "object",
  properties: {
    runId: { type: "string" },
    seq: { type: "integer" },
    action: { type: "string" },
    kind: { type: "string" },
    key: { type: "string" },
    tenant: { type: "string" },
    state: { enum: ["started", "ok", "failed", "terminal", "skipped"] },
    requestId: nullable("string"),
    platformId: nullable("string"),
    adopted: { type: "boolean" },
    startedAt: dateTime,
    finishedAt: nullable("string", { format: "date-time" }),
    durationMs: nullable("number", { description: "ms" }),
    error: nullable("string"),
    skipReason: nullable("string"),
  },
  required: ["runId", "seq", "action", "kind", "key", "tenant", "state", "startedAt"],
} as const;

const token = {
  $id: "Token",
  description: "An API token as shown after creation: never its secret.",
  type: "object",
  properties: {
    id: { type: "string" },
    partner: { type: "string" },
    name: { type: "string" },
    scopes: { type: "array", items: { enum: ["read", "write", "admin"] } },
    createdAt: dateTime,
    revokedAt: nullable("string", { format: "date-time" }),
    lastUsedAt: nullable("string", { format: "date-time" }),
  },
  required: ["id", "partner", "name", "scopes", "createdAt"],
} as const;

const event = {
  $id: "Event",
  type: "object",
  properties: {
    seq: { type: "integer" },
    at: dateTime,
    type: { type: "string" },
    partner: { type: "string" },
    source: nullable("string"),
    tenant: nullable("string"),
    actor: nullable("string"),
    ip: nullable("string"),
    data: { type: "object", additionalProperties: true },
  },
  required: ["seq", "at", "type", "partner"],
} as const;

const resourceDocument = {
  $id: "ResourceDocument",
  description:
    "A manifest document (see schemas/omnia-manifest.schema.json); secrets only as {fromEnv}, {fromFile} or {fromSecret} (a secret stored with PUT /v1/tenants/{tenant}/secrets/{name}).",
  type: "object",
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object", additionalProperties: true },
    spec: { type: "object", additionalProperties: true },
  },
  required: ["apiVersion", "kind", "metadata", "spec"],
  additionalProperties: false,
} as const;

const problem = {
  $id: "Problem",
  description: "RFC 9457 problem details (application/problem+json).",
  type: "object",
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    instance: { type: "string" },
  },
  required: ["type", "title", "status"],
  additionalProperties: true,
} as const;

/** Every shared schema, in an order where each one's references come first. */
export const sharedSchemas: readonly { $id: SchemaId }[] = [
  secretReference,
  sourceLocation,
  platformAccount,
  sourcePolicies,
  sourceBody,
  source,
  tenantStatus,
  fieldDiff,
  driftAttribution,
  resourceStatus,
  run,
  step,
  token,
  event,
  resourceDocument,
  problem,
];

/** Error answers every authenticated route may give, for the docs and the serializer. */
export const problemResponses = {
  400: ref("Problem"),
  401: ref("Problem"),
  403: ref("Problem"),
  404: ref("Problem"),
  409: ref("Problem"),
  429: ref("Problem"),
} as const;
