/**
 * Where desired state comes from, as the engine sees it (the implementations live in
 * controller/sources: a folder, an in-memory set of files, later a git checkout or a
 * synthesized `cdk.tf.json`). A source is read again on every reconcile (level-based):
 * the engine never keeps desired state between calls.
 */
import type { Problem } from "../../load/index.js";
import type { DesiredState } from "../../model/desired-state.js";

/** One reading of a source: its revision, and its documents loaded through `loadDocuments`. */
export interface SourceSnapshot {
  /**
   * Identifies the content read: a git commit, or a content hash (`sha256:<hex>`) of the
   * manifests. Equal revisions mean equal manifests; a saved plan records it.
   */
  revision: string;
  /** The validated desired state (empty lists when `problems` is not empty). */
  desired: DesiredState;
  /** Every problem found, with its place (file:line:col, a construct path, an API field). */
  problems: Problem[];
  /** Files and documents read, for logs. */
  files: number;
  documents: number;
}

/** A source of desired state. */
export interface DesiredStateSource {
  /**
   * Name of the source in the inventory: which objects it owns. Two repositories sharing
   * a store must have different names, or one's prune would delete the other's objects.
   */
  readonly name: string;
  /** Where it is, for messages (a folder, a git URL and branch). */
  readonly location: string;
  /**
   * True when a document leaves this source only by an explicit request naming it (a
   * `DELETE` of the API, a `terraform destroy`), never because a file went missing: the
   * mass-delete guard, which exists for a repository where a lost file or a bad merge
   * silently removes everything, is then off unless the request sets `allowMassDelete`.
   * Default false (folders, git checkouts, a synthesized `cdk.tf.json`).
   */
  readonly deletesAreExplicit?: boolean;
  /** Reads the source now. Throws only when it cannot be read at all (an I/O error); bad content is `problems`. */
  read(signal?: AbortSignal): Promise<SourceSnapshot>;
}
