/**
 * Manifests held in memory as a desired-state source: for tests, and for callers that
 * produce YAML text themselves. Paths are rooted at `/` (`tenants/acme.yaml` is
 * `/tenants/acme.yaml` in problems); secret files are looked up in the same map, relative
 * to the manifest that names them as on disk, so nothing touches the disk.
 */
import { posix } from "node:path";
import type { DesiredStateSource, SourceSnapshot } from "../engine/reconcile/source-port.js";
import { isCdktfJson } from "../load/cdktf-json.js";
import { type LoadOptions, loadTexts } from "../load/index.js";
import { defaultSourceName } from "./folder.js";

/** Options of `MemorySource`. */
export interface MemorySourceOptions {
  /** Name in the inventory. Default "default". */
  name?: string;
  /** Loader options (the environment that `fromEnv` secrets read). */
  load?: LoadOptions;
}

/** A set of manifest files in memory; `set` and `delete` change them (a new revision). */
export class MemorySource implements DesiredStateSource {
  readonly name: string;
  readonly location: string;
  readonly #files = new Map<string, string>();
  readonly #load: LoadOptions;

  constructor(
    /** Files by path (`tenants/acme.yaml`, `secrets/pin.txt`); `.yaml`/`.yml` and `cdk.tf.json` ones are manifests. */
    files: Readonly<Record<string, string>> = {},
    options: MemorySourceOptions = {},
  ) {
    this.name = options.name ?? defaultSourceName;
    this.location = `memory:${this.name}`;
    this.#load = options.load ?? {};
    for (const [path, text] of Object.entries(files)) this.set(path, text);
  }

  /** Adds or replaces a file. */
  set(path: string, text: string): this {
    this.#files.set(rooted(path), text);
    return this;
  }

  /** Removes a file. */
  delete(path: string): this {
    this.#files.delete(rooted(path));
    return this;
  }

  /** Loads the manifests as they are now. */
  async read(signal?: AbortSignal): Promise<SourceSnapshot> {
    signal?.throwIfAborted();
    const manifests = new Map([...this.#files].filter(([p]) => /\.ya?ml$/i.test(p) || isCdktfJson(p)));
    const loaded = loadTexts(manifests, {
      ...this.#load,
      readSecretFile: (path) => {
        const text = this.#files.get(rooted(path));
        if (text === undefined) throw Object.assign(new Error(`no file ${path}`), { code: "ENOENT" });
        return text;
      },
    });
    return {
      revision: `sha256:${loaded.digest}`,
      desired: loaded.state,
      problems: loaded.problems,
      files: loaded.files,
      documents: loaded.documents,
    };
  }
}

/** `path` as an absolute POSIX path under `/`. */
function rooted(path: string): string {
  return posix.resolve("/", path.split("\\").join("/"));
}
