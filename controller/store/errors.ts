/**
 * Error texts of the state store, as named constants (style.md §4). A `StoreError`
 * carries one of them plus the detail of the case; the cause, when there is one, is the
 * driver's error.
 */

/** The migrations folder is missing or holds a file that is not `NNNN_name.sql`. */
export const errMigrations = "cannot read the state store migrations";
/** A migration failed to apply; the database keeps the versions before it. */
export const errMigrate = "cannot migrate the state store";
/** The database was migrated by a newer omnia than this one. */
export const errSchemaTooNew = "the state store was migrated by a newer omnia";
/** Another process has the embedded store's data folder open. */
export const errDataDirInUse = "the embedded state store is in use by another process";
/** The embedded store's folder (or its lock file) is on a read-only file system. */
export const errStateReadOnly = "the embedded state store's folder is read-only";
/** This user may not write the embedded store's folder (owner, mode, immutable flag). */
export const errStateNoPermission = "no permission to write the embedded state store's folder";
/** A file stands where the embedded store's folder should be (or the reverse). */
export const errStateNotFolder = "the embedded state store's folder is not a folder";
/** The embedded store's files are damaged, or the folder holds something else. */
export const errStateCorrupt = "the embedded state store's files are damaged";
/** Any other filesystem failure of the embedded store's folder (disk full, ...). */
export const errStateUnusable = "cannot use the embedded state store's folder";
/** The database cannot be reached or opened. */
export const errOpen = "cannot open the state store";
/** A query failed in the database (connection lost, constraint violated, store closed). */
export const errQuery = "a state store query failed";
/** A source wrote an inventory entry that another source owns. */
export const errOwnedByOtherSource = "the resource is owned by another source";
/** A step or run refers to a run the store does not have. */
export const errUnknownRun = "no such run";
/** A step was finished that was never started. */
export const errUnknownStep = "no such step";
/** A tenant's lease changed hands too often to say who holds it. */
export const errLeaseContended = "the tenant lease is contended";
/** A lease argument is out of range. */
export const errLeaseArgs = "invalid lease request";

/** A source spec the store cannot keep (id format, missing partner). */
export const errSourceArgs = "invalid source";
/** A source id the store does not have. */
export const errUnknownSource = "no such source";
/** A source id that another partner registered: one source, one partner. */
export const errSourceOfOtherPartner = "the source belongs to another partner";
/** A queue call out of range (limit, claim time, empty worker). */
export const errQueueArgs = "invalid reconcile request call";
/** A list call out of range (sort, order, limit, offset). */
export const errListArgs = "invalid list request";
/** A tenant status that cannot be kept (empty names, unknown phase, negative counts). */
export const errTenantStatusArgs = "invalid tenant status";
/** An event or webhook delivery that cannot be kept (no partner, empty delivery id). */
export const errEventArgs = "invalid event";
/** A stored resource that cannot be kept (empty source, tenant, kind or key). */
export const errStoredResourceArgs = "invalid stored resource";
/** A stored secret that cannot be kept (empty source or tenant, bad name, nonce or key id). */
export const errStoredSecretArgs = "invalid stored secret";
/** A replica id that is empty. */
export const errReplicaArgs = "invalid replica";
/** A token that cannot be kept (no partner, no hash, unknown scope). */
export const errTokenArgs = "invalid token";

/** A failure of the state store: `message` is `<constant>: <detail>`. */
export class StoreError extends Error {
  constructor(
    /** One of the `err*` constants of this module. */
    readonly reason: string,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(detail ? `${reason}: ${detail}` : reason, options);
    this.name = "StoreError";
  }
}
