/**
 * Resources written through the controller API (`PUT /v1/tenants/{tenant}/resources/
 * {kind}/{key}`, the `api` source type, used by the Terraform provider) as a desired-state
 * source. Each stored document is a manifest document in JSON (apiVersion, kind,
 * metadata, spec) and takes the same `loadDocuments` path as a YAML file: schemas,
 * cross-document checks, policies, secrets.
 *
 * Places: a stored document has no lines, so a problem's `file` is the resource's API
 * address with the offending field as a JSON pointer fragment,
 * `api:/v1/tenants/ACME001/resources/Extension/hq-201#/spec/license`, and `line:col` is
 * `1:1`. Secrets: a document can only name them (`fromEnv`, `fromFile`, `fromSecret`);
 * `fromFile` resolves only inside `secretRoots` (default none: refused), `fromEnv` only the
 * variables manifests may read, `fromSecret` only the secrets stored through the API for
 * this source and the document's tenant (the injected `secrets` port; only this source
 * type reads them).
 */
import { createHash } from "node:crypto";
import type { DesiredStateSource, SourceSnapshot } from "../engine/reconcile/source-port.js";
import {
  type LoadOptions,
  loadDocuments,
  type ParsedDocument,
  type Problem,
  type StoredSecretReader,
} from "../load/index.js";

/** One resource as the store keeps it (`Store.listStoredResources`). */
export interface StoredResource {
  /** Customer code. */
  tenant: string;
  /** Kind name (`Extension`). */
  kind: string;
  /** Natural key inside the tenant, as the API path carries it. */
  key: string;
  /** The manifest document (JSON). */
  document: Record<string, unknown>;
  updatedAt: Date;
}

/** What `StoredSource` needs of the state store (STORE implements it on `Store`). */
export interface StoredResourcePort {
  /** Every resource stored for the source, in any order. */
  listStoredResources(source: string): Promise<StoredResource[]>;
}

/**
 * The secrets stored through the API for a source, opened for one load (the runtime's
 * `storedSecretsPort` over the store and the controller key).
 */
export interface StoredSecretsPort {
  /**
   * Reads the source's stored secrets now. `fingerprint` changes whenever a secret is put,
   * replaced or deleted (made of names, times and key ids, never of values), so the
   * revision changes with it; `reader` opens a value on demand.
   */
  open(source: string, signal?: AbortSignal): Promise<{ reader: StoredSecretReader; fingerprint: string }>;
}

/** Options of `StoredSource`. */
export interface StoredSourceOptions {
  /** Loader options; `secretRoots` defaults to none, so a `fromFile` secret is refused. */
  load?: LoadOptions;
  /** The source's stored secrets for `{fromSecret}`. Default: none stored (each is reported missing). */
  secrets?: StoredSecretsPort;
}

/** Reads no secret: every `{fromSecret}` is reported missing. */
const noStoredSecrets: StoredSecretReader = { read: () => undefined };

/** A stored document's `kind` differs from the kind in its API address. */
export const errKindMismatch = "the document's kind differs from the kind in its address";

/** The resources stored for one source id, read from the store at each `read()`. */
export class StoredSource implements DesiredStateSource {
  readonly location: string;
  /** A stored document goes only by a `DELETE` naming it: no mass-delete guard (source-port.ts). */
  readonly deletesAreExplicit = true;
  readonly #load: LoadOptions;
  readonly #secrets: StoredSecretsPort | undefined;

  constructor(
    /** The source id: the inventory name and the store's key of its resources. */
    readonly name: string,
    readonly port: StoredResourcePort,
    options: StoredSourceOptions = {},
  ) {
    this.location = `api:${name}`;
    this.#load = { ...options.load, secretRoots: options.load?.secretRoots ?? [] };
    this.#secrets = options.secrets;
  }

  /**
   * Loads every stored resource now. The revision is `sha256:` over each resource's
   * address and canonical JSON (key order does not matter) and the stored secrets'
   * fingerprint, so any change, a new secret value too, is a new revision. Throws only
   * when the store cannot be read.
   */
  async read(signal?: AbortSignal): Promise<SourceSnapshot> {
    signal?.throwIfAborted();
    const rows = [...(await this.port.listStoredResources(this.name))];
    const secrets = this.#secrets
      ? await this.#secrets.open(this.name, signal)
      : { reader: noStoredSecrets, fingerprint: "" };
    signal?.throwIfAborted();
    const placed = rows
      .map((r) => ({ row: r, place: storedPlace(r) }))
      .sort((a, b) => (a.place < b.place ? -1 : a.place > b.place ? 1 : 0));
    const indexes = new Map<string, PathIndex>();
    const parsed = placed.map(({ row, place }) => {
      const index = new PathIndex(row.document);
      indexes.set(place, index);
      const doc: ParsedDocument = {
        file: place,
        value: row.document,
        position: (p, key) => index.position(p, key),
      };
      const problems: Problem[] = [];
      if (row.document.kind !== row.kind) {
        problems.push({
          file: place,
          ...index.position(["kind"]),
          message: `${errKindMismatch} (${row.kind})`,
          code: "invalid-value",
        });
      }
      return { documents: problems.length ? [] : [doc], problems };
    });
    const loaded = loadDocuments(parsed, { ...this.#load, storedSecrets: secrets.reader });
    const problems = loaded.problems.map((p) => {
      const index = indexes.get(p.file);
      return index ? { ...p, file: `${p.file}#${index.pointer(p.line)}`, line: 1, col: 1 } : p;
    });
    const h = createHash("sha256");
    for (const { row, place } of placed)
      h.update(place).update("\0").update(canonical(row.document)).update("\0");
    if (secrets.fingerprint) h.update("secrets\0").update(secrets.fingerprint);
    return {
      revision: `sha256:${h.digest("hex")}`,
      desired: loaded.state,
      problems,
      files: rows.length,
      documents: loaded.documents,
    };
  }
}

/** The API address of a stored resource: `api:/v1/tenants/T/resources/KIND/KEY` (each part URL-encoded). */
export function storedPlace(r: Pick<StoredResource, "tenant" | "kind" | "key">): string {
  const enc = encodeURIComponent;
  // The key after its kind, as the route's `{key}` carries it.
  const key = r.key.startsWith(`${r.kind}/`) ? r.key.slice(r.kind.length + 1) : r.key;
  return `api:/v1/tenants/${enc(r.tenant)}/resources/${enc(r.kind)}/${enc(key)}`;
}

/**
 * Numbers every node of a JSON value (depth first, the root 1), so the loader's
 * `position(path)` can answer with a number that `pointer(line)` turns back into the
 * node's JSON pointer. A path that does not exist answers with its nearest ancestor.
 */
class PathIndex {
  readonly #byPointer = new Map<string, number>();
  readonly #pointers: string[] = [];

  constructor(value: unknown) {
    const walk = (v: unknown, pointer: string) => {
      this.#pointers.push(pointer);
      this.#byPointer.set(pointer, this.#pointers.length);
      if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(x, `${pointer}/${i}`);
      else if (v && typeof v === "object")
        for (const [k, x] of Object.entries(v)) walk(x, `${pointer}/${pointerSegment(k)}`);
    };
    walk(value, "");
  }

  position(path: ReadonlyArray<string | number>, key?: boolean): { line: number; col: number } {
    for (let n = path.length; n >= 0; n--) {
      const line = this.#byPointer.get(
        path
          .slice(0, n)
          .map((s) => `/${pointerSegment(String(s))}`)
          .join(""),
      );
      if (line !== undefined) return { line, col: key ? 2 : 1 };
    }
    return { line: 1, col: 1 };
  }

  /** The JSON pointer of node number `line` (`""` for the root or an unknown number). */
  pointer(line: number): string {
    return this.#pointers[line - 1] ?? "";
  }
}

/** A JSON pointer segment (RFC 6901): `~` as `~0`, `/` as `~1`. */
const pointerSegment = (s: string) => s.replaceAll("~", "~0").replaceAll("/", "~1");

/** JSON with object keys sorted, so equal documents give equal text. */
function canonical(v: unknown): string {
  return JSON.stringify(v ?? null, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}
