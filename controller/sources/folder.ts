/**
 * A folder of YAML manifests (a partner's GitOps checkout, or one manifest file) as a
 * desired-state source; a synthesized CDKTF stack (`cdktf.out/stacks/NAME/cdk.tf.json`, or
 * the path of one) is read the same way (controller/load/cdktf-json.ts). Its revision is a content hash of the manifests
 * (`sha256:<hex>` over each file's relative path and text), so an edit anywhere is a new
 * revision and a touched-but-unchanged file is not.
 */
import { resolve } from "node:path";
import type { DesiredStateSource, SourceSnapshot } from "../engine/reconcile/source-port.js";
import { type LoadOptions, loadDirectory } from "../load/index.js";

/** Default name of a source in the inventory: one repository per store needs no name. */
export const defaultSourceName = "default";

/** Options of `FolderSource`. */
export interface FolderSourceOptions {
  /** Name in the inventory. Default `defaultSourceName` ("default"). */
  name?: string;
  /** Loader options: the environment `fromEnv` secrets read, limits. */
  load?: LoadOptions;
}

/** Manifests under a folder (or in one file). */
export class FolderSource implements DesiredStateSource {
  readonly name: string;
  readonly location: string;
  readonly #load: LoadOptions;

  constructor(
    /** Folder (or file) of manifests. */
    readonly dir: string,
    options: FolderSourceOptions = {},
  ) {
    this.name = options.name ?? defaultSourceName;
    this.location = resolve(dir);
    this.#load = options.load ?? {};
  }

  /** Reads and loads every manifest now. */
  async read(signal?: AbortSignal): Promise<SourceSnapshot> {
    signal?.throwIfAborted();
    const loaded = await loadDirectory(this.dir, this.#load);
    return {
      revision: `sha256:${loaded.digest}`,
      desired: loaded.state,
      problems: loaded.problems,
      files: loaded.files,
      documents: loaded.documents,
    };
  }
}
