/**
 * The desired-state source of a registered source (`SourceSpec.location`): a folder, a
 * git branch or the resources stored through the API. The one place that maps a location
 * type to its class, for the service's composition root and the config file.
 */
import { join } from "node:path";
import type { DesiredStateSource } from "../engine/reconcile/source-port.js";
import type { LoadOptions } from "../load/index.js";
import { partnerSecretPrefix, type SourceSpec } from "../model/control.js";
import { FolderSource } from "./folder.js";
import { GitSource, type GitSourceOptions } from "./git.js";
import { defaultGitProtocols, type GitProtocol } from "./git-safety.js";
import { type StoredResourcePort, type StoredSecretsPort, StoredSource } from "./stored.js";

/** What building a source needs besides its spec. */
export interface SourceContext {
  /** The controller's state folder: git sources are cached in `<stateDir>/sources/<id>/`. */
  stateDir: string;
  /** The store's stored resources, for `api` sources. */
  stored: StoredResourcePort;
  /** The secrets stored through the API, for `api` sources' `{fromSecret}`. Default: none. */
  storedSecrets?: StoredSecretsPort;
  /** Transports git URLs may use. Default `["https", "ssh"]`. */
  allowedProtocols?: readonly GitProtocol[];
  /** Loader options of every source (the environment `fromEnv` secrets read). */
  load?: LoadOptions;
  /** Further options of git sources (caps, timeouts, clock). */
  git?: Omit<GitSourceOptions, "cacheDir" | "name" | "load" | "allowedProtocols">;
}

/** Cache folder of a git source: `<stateDir>/sources/<id>`. */
export function gitCacheDir(stateDir: string, id: string): string {
  return join(stateDir, "sources", id);
}

/**
 * The source of `spec`, named by its id in the inventory. Throws `GitSourceError` when a
 * git location is refused (URL, branch or path; see git-safety.ts).
 */
export function sourceFromSpec(
  spec: Pick<SourceSpec, "id" | "location"> & { partner?: string },
  ctx: SourceContext,
): DesiredStateSource {
  const loc = spec.location;
  switch (loc.type) {
    case "folder":
      return new FolderSource(loc.path, { name: spec.id, load: ctx.load });
    case "git":
      return new GitSource(loc, {
        ...ctx.git,
        cacheDir: gitCacheDir(ctx.stateDir, spec.id),
        name: spec.id,
        load: ctx.load,
        allowedProtocols: ctx.allowedProtocols ?? defaultGitProtocols,
      });
    case "api":
      // Its documents are written by the partner's tokens: `fromEnv` reads only the
      // partner's namespace, whatever the operator allows its own repositories.
      return new StoredSource(spec.id, ctx.stored, {
        load:
          spec.partner === undefined
            ? ctx.load
            : { ...ctx.load, secretEnvPrefixes: [partnerSecretPrefix(spec.partner)] },
        ...(ctx.storedSecrets ? { secrets: ctx.storedSecrets } : {}),
      });
  }
}
