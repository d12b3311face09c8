/**
 * How every list behaves: search (`q`, case-insensitive, in the text columns), filter by
 * `status`, sort by any column (`sort=col` / `-col`), pages by `page`+`size` (size up
 * to 500) or by the opaque `cursor` of the previous page, and CSV export.
 */
import { stringify } from "csv-stringify/sync";
import { pageSize } from "./decided.js";
import { invalid } from "./errors.js";

/** The list query parameters of the contract. */
export interface ListQuery {
  page?: number;
  size?: number;
  cursor?: string;
  q?: string;
  status?: string;
  sort?: string;
}

type Cell = string | number | boolean | null | undefined;

/** The columns of one list: how to read each (sortable, searchable if text). */
export interface ListColumns<T> {
  columns: Record<string, (item: T) => Cell>;
  /** Columns searched by `q`. */
  searchable: string[];
  /** Sort when none is asked for. */
  defaultSort: string;
}

/** One page as the contract's `*Page` schemas describe it. */
export interface Page<T> {
  items: T[];
  page: number;
  size: number;
  total: number;
  nextCursor: string | null;
}

function compareCells(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === "string" && typeof b === "string") return a.localeCompare(b, "en", { numeric: true });
  return a < b ? -1 : 1;
}

/** Filters, searches and sorts `items` per the query; throws 400 on an unknown sort column. */
export function selectItems<T extends { status?: string; id: string }>(
  items: T[],
  query: ListQuery,
  spec: ListColumns<T>,
): T[] {
  const sort = query.sort ?? spec.defaultSort;
  const desc = sort.startsWith("-");
  const column = desc ? sort.slice(1) : sort;
  const read = spec.columns[column];
  if (!read) throw invalid("sort", `unknown column "${column}"`, { allowed: Object.keys(spec.columns) });
  let out = query.status ? items.filter((i) => i.status === query.status) : items;
  const q = query.q?.trim().toLowerCase();
  if (q) {
    const readers = spec.searchable.map((c) => spec.columns[c]).filter((r) => r !== undefined);
    out = out.filter((i) =>
      readers.some((r) =>
        String(r(i) ?? "")
          .toLowerCase()
          .includes(q),
      ),
    );
  }
  // Ties broken by id, so pages are stable.
  return [...out].sort(
    (a, b) => (desc ? -1 : 1) * (compareCells(read(a), read(b)) || compareCells(a.id, b.id)),
  );
}

const encodeCursor = (offset: number): string =>
  Buffer.from(JSON.stringify({ o: offset })).toString("base64url");
function decodeCursor(cursor: string): number {
  try {
    const o = (JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { o?: unknown }).o;
    if (typeof o === "number" && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // falls through to the error below
  }
  throw invalid("cursor", "not a cursor this server returned");
}

/** One page of `items` (already filtered and sorted). */
export function pageOf<T>(items: T[], query: ListQuery): Page<T> {
  const size = Math.min(query.size ?? pageSize.default, pageSize.max);
  const offset = query.cursor !== undefined ? decodeCursor(query.cursor) : ((query.page ?? 1) - 1) * size;
  const end = offset + size;
  return {
    items: items.slice(offset, end),
    page: Math.floor(offset / size) + 1,
    size,
    total: items.length,
    nextCursor: end < items.length ? encodeCursor(end) : null,
  };
}

/** Filter, sort and page in one step. */
export function listPage<T extends { status?: string; id: string }>(
  items: T[],
  query: ListQuery,
  spec: ListColumns<T>,
): Page<T> {
  return pageOf(selectItems(items, query, spec), query);
}

/** The whole selection as CSV with a header row of the column names. */
export function toCsv<T>(items: T[], spec: ListColumns<T>): string {
  const names = Object.keys(spec.columns);
  const rows = items.map((i) => names.map((n) => spec.columns[n]?.(i) ?? ""));
  return stringify([names, ...rows], { cast: { boolean: (b) => String(b) } });
}
