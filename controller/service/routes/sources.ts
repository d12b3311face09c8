/**
 * Sources CRUD under `/v1/sources`: list and read (scope read), create or replace by id
 * and delete (scope admin). A source always belongs to the token's partner; another
 * partner's source answers 404.
 *
 * What a source may name is limited when it comes through the API, since the controller
 * then acts on a partner's word: no folder of the controller's host (config file only),
 * git over the allowed URL schemes only, and secret references that cannot read the
 * controller's own settings or files (a password is sent to the account URL the partner
 * chose, so a free reference would leak any variable or file to it).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  partnerSecretPrefix,
  type SecretReference,
  type SourceLocation,
  type SourcePolicies,
  type SourceSpec,
} from "../../model/control.js";

export { partnerSecretPrefix };

import {
  conflict,
  errLocationRefused,
  errPlatformUrlRefused,
  errSecretRefRefused,
  errSourceIdTaken,
  invalid,
} from "../errors.js";
import { problemResponses, ref } from "../schemas.js";
import { ownSource, type RouteDeps, recordChange, tokenOf } from "./access.js";

/** What the API lets a partner name in a source. */
export interface SourcePolicyOptions {
  /** Folder sources through the API (they read the controller's disk). Default false. */
  allowFolderSources?: boolean;
  /** URL schemes a git source may use. Default `https`, `ssh` (and `user@host:path`). */
  gitSchemes?: readonly string[];
  /**
   * Whether a secret reference is allowed for `partner`: null if so, else why not.
   * Default (`defaultSecretRefProblem`): `fromEnv` only, naming a variable of the
   * partner's own namespace `OMNIA_SECRET_<PARTNER>_*`; `fromFile` refused.
   */
  secretRefProblem?: (partner: string, ref: SecretReference) => string | null;
  /**
   * Platform base URLs an account may name (the operator's Omnia platforms). The password
   * is sent there and the controller calls it, so a free URL would let a partner aim the
   * controller at any address it can reach. Default: any `https` URL.
   */
  platformUrls?: readonly string[];
}

/**
 * The default secret reference rule (see `SourcePolicyOptions.secretRefProblem`): a
 * partner's source reads only variables of its own namespace, so one partner can never
 * name another's platform password (found by a fresh user: partner acme registered a
 * source with demo's `OMNIA_SECRET_DEMO_PASSWORD` and created customers in demo's account).
 */
export function defaultSecretRefProblem(partner: string, ref: SecretReference): string | null {
  if ("fromFile" in ref) return "fromFile is allowed only in the controller's config file";
  const prefix = partnerSecretPrefix(partner);
  return ref.fromEnv.startsWith(prefix) &&
    /^[A-Z0-9_]+$/.test(ref.fromEnv) &&
    ref.fromEnv.length > prefix.length
    ? null
    : `fromEnv must name a variable of the partner's own namespace, ${prefix}*`;
}

/** Why `url` may not be an account's platform URL, or null (see `SourcePolicyOptions.platformUrls`). */
export function platformUrlProblem(url: string, allowed: readonly string[] | undefined): string | null {
  const norm = (u: string) => u.replace(/\/+$/, "");
  if (allowed)
    return allowed.map(norm).includes(norm(url)) ? null : `allowed: ${allowed.map(norm).join(", ")}`;
  return /^https:\/\/[^/\s]+/i.test(url) ? null : "allowed: an https:// URL";
}

/** The scheme of a git URL; `ssh` for the scp-like `user@host:path`. */
export function gitScheme(url: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  if (m) return m[1]?.toLowerCase();
  return /^[\w.-]+@[\w.-]+:/.test(url) ? "ssh" : undefined;
}

const idParams = {
  type: "object",
  properties: { id: { type: "string", pattern: "^[a-z0-9][a-z0-9-]{0,62}$" } },
  required: ["id"],
} as const;

/** A source body as sent: policies and the git branch may be left out. */
type SourceBody = Omit<SourceSpec, "id" | "partner" | "policies"> & { policies?: Partial<SourcePolicies> };

/** The policies of a source that does not set them (control.ts documents each). */
export const defaultPolicies: SourcePolicies = {
  intervalMs: 300_000,
  driftIntervalMs: 60_000,
  prune: false,
  driftMode: "enforce",
  parallelism: 4,
  suspended: false,
};

/** Registers the source routes. */
export async function sourceRoutes(
  app: FastifyInstance,
  deps: RouteDeps & { sourcePolicy?: SourcePolicyOptions },
): Promise<void> {
  const policy = deps.sourcePolicy ?? {};
  const schemes = policy.gitSchemes ?? ["https", "ssh"];
  const refProblem = policy.secretRefProblem ?? defaultSecretRefProblem;

  const checkBody = (partner: string, body: SourceBody) => {
    const loc: SourceLocation = body.location;
    if (loc.type === "folder" && !policy.allowFolderSources)
      throw invalid("body/location", `${errLocationRefused}: folder`);
    if (loc.type === "git" && !schemes.includes(gitScheme(loc.url) ?? ""))
      throw invalid("body/location/url", `${errLocationRefused}: scheme ${gitScheme(loc.url) ?? "(none)"}`);
    const urlWhy = platformUrlProblem(body.account.url, policy.platformUrls);
    if (urlWhy) throw invalid("body/account/url", `${errPlatformUrlRefused}: ${urlWhy}`);
    const refs: [string, SecretReference | undefined][] = [
      ["body/account/password", body.account.password],
      ["body/webhookSecret", body.webhookSecret],
    ];
    for (const [where, r] of refs) {
      const why = r ? refProblem(partner, r) : null;
      if (why) throw invalid(where, `${errSecretRefRefused}: ${why}`);
    }
  };

  app.get(
    "/v1/sources",
    {
      config: { scope: "read" },
      schema: {
        tags: ["sources"],
        summary: "List the partner's sources",
        response: {
          200: {
            type: "object",
            properties: { items: { type: "array", items: ref("Source") } },
            required: ["items"],
          },
          ...problemResponses,
        },
      },
    },
    async (request) => ({ items: await deps.store.listSources({ partner: tokenOf(request).partner }) }),
  );

  app.get(
    "/v1/sources/:id",
    {
      config: { scope: "read" },
      schema: {
        tags: ["sources"],
        summary: "One source",
        params: idParams,
        response: { 200: ref("Source"), ...problemResponses },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>) =>
      ownSource(deps, request, request.params.id),
  );

  app.put(
    "/v1/sources/:id",
    {
      config: { scope: "admin" },
      schema: {
        tags: ["sources"],
        summary: "Register or replace a source",
        params: idParams,
        body: ref("SourceBody"),
        response: { 200: ref("Source"), 201: ref("Source"), ...problemResponses },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string }; Body: SourceBody }>, reply) => {
      const partner = tokenOf(request).partner;
      const { id } = request.params;
      const existing = await deps.store.getSource(id);
      // Ids are global; a taken id is refused without saying by whom, before the body is
      // judged (whose rules depend on the partner).
      if (existing && existing.partner !== partner) throw conflict(errSourceIdTaken);
      checkBody(partner, request.body);
      const { policies, location, ...rest } = request.body;
      const spec: SourceSpec = {
        id,
        partner,
        ...rest,
        location: location.type === "git" ? { ...location, branch: location.branch || "main" } : location,
        policies: { ...defaultPolicies, ...policies },
      };
      const record = await deps.store.upsertSource(spec);
      await recordChange(deps, request, {
        action: existing ? "source.replaced" : "source.created",
        source: id,
        data: { location: request.body.location.type },
      });
      return reply.code(existing ? 200 : 201).send(record);
    },
  );

  app.delete(
    "/v1/sources/:id",
    {
      config: { scope: "admin" },
      schema: {
        tags: ["sources"],
        summary: "Remove a source (its objects stay on the platform)",
        params: idParams,
        response: { 204: { type: "null" }, ...problemResponses },
      },
    },
    async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const source = await ownSource(deps, request, request.params.id);
      await deps.store.deleteSource(source.id);
      await recordChange(deps, request, { action: "source.deleted", source: source.id });
      return reply.code(204).send();
    },
  );
}
