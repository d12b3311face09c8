/**
 * The sub-APIs of the client, one per area of the platform, each a thin typed layer over
 * `CallPort.call` (a Transport, or one bound to a signal) with the contract's paths. Lists are async iterators over every page
 * (cursor paging); `listAll` collects them.
 */
import type * as Api from "./api.gen.js";
import type { CallPort, CallSpec } from "./transport.js";

/** Query of a list: search, status filter, sort (`col` or `-col`). */
export interface ListOptions {
  q?: string;
  status?: Api.Status;
  sort?: string;
}

interface PageShape<T> {
  items: T[];
  nextCursor: string | null;
}

/** Iterates every item of a list, page by page, following `nextCursor`. */
export async function* iteratePages<T>(t: CallPort, spec: CallSpec): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await t.call<PageShape<T>>({
      ...spec,
      query: { ...spec.query, size: t.pageSize, ...(cursor ? { cursor } : {}) },
    });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** Collects an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A list method pair. */
export interface Listing<T, Q = ListOptions> {
  /** Every item, fetched page by page as the loop advances. */
  list(query?: Q): AsyncIterable<T>;
  /** Every item, in an array. */
  listAll(query?: Q): Promise<T[]>;
}

function listing<T, Q extends object = ListOptions>(
  t: CallPort,
  path: string,
  params: Record<string, string> = {},
): Listing<T, Q> {
  const list = (query?: Q) =>
    iteratePages<T>(t, { method: "GET", path, params, query: { ...(query ?? {}) } as CallSpec["query"] });
  return { list, listAll: (query?: Q) => collect(list(query)) };
}

/** CSV export of a list (the whole selection, header row first). */
function exportCsv(t: CallPort, path: string, params: Record<string, string> = {}) {
  return (query?: ListOptions): Promise<string> =>
    t.call<string>({ method: "GET", path, params, query: { ...query }, accept: "text/csv" });
}

/** Verbs of an object at `base/{idName}`. */
function objectVerbs<T, C, U>(t: CallPort, base: string, idName: string, params: Record<string, string>) {
  const at = `${base}/{${idName}}`;
  const p = (id: string) => ({ ...params, [idName]: id });
  return {
    get: (id: string) => t.call<T>({ method: "GET", path: at, params: p(id) }),
    create: (input: C) => t.call<T>({ method: "POST", path: base, params, body: input }),
    update: (id: string, patch: U) => t.call<T>({ method: "PATCH", path: at, params: p(id), body: patch }),
    delete: (id: string) => t.call<void>({ method: "DELETE", path: at, params: p(id) }),
    action: (id: string, action: string) =>
      t.call<T>({ method: "POST", path: `${at}/${action}`, params: p(id) }),
  };
}

/** `client.company`: the partner's own company, read and edit. */
export function companyApi(t: CallPort) {
  return {
    get: () => t.call<Api.Company>({ method: "GET", path: "/rest/company" }),
    update: (patch: Api.CompanyUpdate) =>
      t.call<Api.Company>({ method: "PATCH", path: "/rest/company", body: patch }),
  };
}

/** `client.customers`: list, get, create, update, suspend, resume, delete, CSV export. */
export function customersApi(t: CallPort) {
  const v = objectVerbs<Api.Customer, Api.CustomerCreate, Api.CustomerUpdate>(
    t,
    "/rest/customers",
    "customerId",
    {},
  );
  return {
    ...listing<Api.Customer>(t, "/rest/customers"),
    exportCsv: exportCsv(t, "/rest/customers/export.csv"),
    get: v.get,
    create: v.create,
    update: v.update,
    suspend: (id: string) => v.action(id, "suspend"),
    resume: (id: string) => v.action(id, "resume"),
    delete: v.delete,
  };
}

/** `client.users(customerId)`: invite (create), edit roles, delete, resend invitation. */
export function usersApi(t: CallPort, customerId: string) {
  const params = { customerId };
  const v = objectVerbs<Api.User, Api.UserCreate, Api.UserUpdate>(
    t,
    "/rest/customers/{customerId}/users",
    "userId",
    params,
  );
  return {
    ...listing<Api.User>(t, "/rest/customers/{customerId}/users", params),
    exportCsv: exportCsv(t, "/rest/customers/{customerId}/users/export.csv", params),
    get: v.get,
    create: v.create,
    update: v.update,
    delete: v.delete,
    resendInvitation: (id: string) => v.action(id, "resend-invitation"),
  };
}

/** `client.trunks(customerId)`: SIP trunks; the password is write-only. */
export function trunksApi(t: CallPort, customerId: string) {
  const params = { customerId };
  const v = objectVerbs<Api.SipTrunk, Api.SipTrunkCreate, Api.SipTrunkUpdate>(
    t,
    "/rest/customers/{customerId}/trunks",
    "trunkId",
    params,
  );
  return {
    ...listing<Api.SipTrunk>(t, "/rest/customers/{customerId}/trunks", params),
    get: v.get,
    create: v.create,
    update: v.update,
    delete: v.delete,
  };
}

/** `client.pbxs(customerId)`: PBXs, options (call center, hotel), suspend/resume. */
export function pbxsApi(t: CallPort, customerId: string) {
  const params = { customerId };
  const v = objectVerbs<Api.Pbx, Api.PbxCreate, Api.PbxUpdate>(
    t,
    "/rest/customers/{customerId}/pbxs",
    "pbxId",
    params,
  );
  return {
    ...listing<Api.Pbx>(t, "/rest/customers/{customerId}/pbxs", params),
    get: v.get,
    create: v.create,
    /** Covers callCenter, hotel, and kind/group. */
    update: v.update,
    suspend: (id: string) => v.action(id, "suspend"),
    resume: (id: string) => v.action(id, "resume"),
    delete: v.delete,
  };
}

/** Extension list query: the list options plus an optional PBX. */
export interface ExtensionListOptions extends ListOptions {
  pbxId?: string;
}

/** `client.extensions(customerId)`: extensions across PBXs; create names the PBX. */
export function extensionsApi(t: CallPort, customerId: string) {
  const params = { customerId };
  const v = objectVerbs<Api.Extension, never, Api.ExtensionUpdate>(
    t,
    "/rest/customers/{customerId}/extensions",
    "extensionId",
    params,
  );
  return {
    ...listing<Api.Extension, ExtensionListOptions>(t, "/rest/customers/{customerId}/extensions", params),
    exportCsv: exportCsv(t, "/rest/customers/{customerId}/extensions/export.csv", params),
    get: v.get,
    /** Creates an extension on a PBX, with `pin` and `userId` or `newUser`. */
    create: (pbxId: string, input: Api.ExtensionCreate) =>
      t.call<Api.Extension>({
        method: "POST",
        path: "/rest/customers/{customerId}/pbxs/{pbxId}/extensions",
        params: { customerId, pbxId },
        body: input,
      }),
    update: v.update,
    suspend: (id: string) => v.action(id, "suspend"),
    resume: (id: string) => v.action(id, "resume"),
    delete: v.delete,
  };
}

/** `client.numbers(customerId)`: number blocks; create and delete only. */
export function numbersApi(t: CallPort, customerId: string) {
  const params = { customerId };
  const v = objectVerbs<Api.NumberBlock, Api.NumberBlockCreate, never>(
    t,
    "/rest/customers/{customerId}/numbers",
    "numberId",
    params,
  );
  return {
    ...listing<Api.NumberBlock>(t, "/rest/customers/{customerId}/numbers", params),
    exportCsv: exportCsv(t, "/rest/customers/{customerId}/numbers/export.csv", params),
    get: v.get,
    create: v.create,
    /** No update: a change is delete + create. */
    delete: v.delete,
  };
}

/** Log query: list options plus one customer. */
export interface LogListOptions extends Omit<ListOptions, "status"> {
  customerId?: string;
}

/** `client.logs`: the Admin Console and Omnia Manager audit logs. */
export function logsApi(t: CallPort) {
  const admin = listing<Api.LogEntry, LogListOptions>(t, "/rest/logs/admin");
  const manager = listing<Api.LogEntry, LogListOptions>(t, "/rest/logs/manager");
  return {
    /** Admin Console log, newest first. */
    admin: admin.list,
    adminAll: admin.listAll,
    /** Omnia Manager log (extension operations), newest first. */
    manager: manager.list,
    managerAll: manager.listAll,
  };
}

/** `client.dashboard`: the dashboard figures. */
export function dashboardApi(t: CallPort) {
  return { get: () => t.call<Api.Dashboard>({ method: "GET", path: "/rest/dashboard" }) };
}
