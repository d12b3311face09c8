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

/** Text order with numbers by value ("ext_9" before "ext_10"); one instance, it is costly to make. */
const collator = new Intl.Collator("en", { numeric: true });

function compareCells(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === "string" && typeof b === "string") return collator.compare(a, b);
  return a < b ? -1 : 1;
}

/** A position in a sorted list: the sort column's value and the id (the tie-breaker). */
type Position = [Cell, string];

/** The order a query asks for: which column, which way, and how to compare positions. */
interface Ordering<T> {
  sort: string;
  position(item: T): Position;
  compare(a: Position, b: Position): number;
}

function orderingOf<T extends { id: string }>(query: ListQuery, spec: ListColumns<T>): Ordering<T> {
  const sort = query.sort ?? spec.defaultSort;
  const desc = sort.startsWith("-");
  const column = desc ? sort.slice(1) : sort;
  const read = spec.columns[column];
  if (!read) throw invalid("sort", `unknown column "${column}"`, { allowed: Object.keys(spec.columns) });
  return {
    sort,
    position: (item) => [read(item) ?? null, item.id],
    // Ties broken by id, so the order is total and pages are stable.
    compare: (a, b) => (desc ? -1 : 1) * (compareCells(a[0], b[0]) || compareCells(a[1], b[1])),
  };
}

/** Filters, searches and sorts `items` per the query; throws 400 on an unknown sort column. */
export function selectItems<T extends { status?: string; id: string }>(
  items: T[],
  query: ListQuery,
  spec: ListColumns<T>,
): T[] {
  const order = orderingOf(query, spec);
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
  return [...out].sort((a, b) => order.compare(order.position(a), order.position(b)));
}

/**
 * Cursors are keyset positions (the last item's sort value and id), not offsets: a page
 * after the cursor starts right after that item even when objects were created or
 * deleted in between, so a paging client neither skips nor repeats items.
 */
const encodeCursor = (sort: string, after: Position): string =>
  Buffer.from(JSON.stringify({ s: sort, v: after[0], i: after[1] })).toString("base64url");

function decodeCursor(cursor: string, sort: string): Position {
  let parsed: { s?: unknown; v?: unknown; i?: unknown } = {};
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as typeof parsed;
  } catch {
    // reported below
  }
  const v = parsed.v;
  const cell = v === null || ["string", "number", "boolean"].includes(typeof v);
  if (typeof parsed.i !== "string" || !cell) throw invalid("cursor", "not a cursor this server returned");
  if (parsed.s !== sort) throw invalid("cursor", `the cursor was made for sort "${parsed.s}", not "${sort}"`);
  return [v as Cell, parsed.i];
}

/** Index of the first item after `after` in `sorted` (binary search). */
function firstAfter<T>(sorted: T[], order: Ordering<T>, after: Position): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (order.compare(order.position(sorted[mid] as T), after) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Filter, sort and page in one step: `page`+`size`, or `cursor`+`size`. */
export function listPage<T extends { status?: string; id: string }>(
  items: T[],
  query: ListQuery,
  spec: ListColumns<T>,
): Page<T> {
  const order = orderingOf(query, spec);
  const sorted = selectItems(items, query, spec);
  const size = Math.min(query.size ?? pageSize.default, pageSize.max);
  const start =
    query.cursor !== undefined
      ? firstAfter(sorted, order, decodeCursor(query.cursor, order.sort))
      : ((query.page ?? 1) - 1) * size;
  const pageItems = sorted.slice(start, start + size);
  const last = pageItems.at(-1);
  return {
    items: pageItems,
    page: Math.floor(start / size) + 1,
    size,
    total: sorted.length,
    nextCursor: last && start + size < sorted.length ? encodeCursor(order.sort, order.position(last)) : null,
  };
}

/** The whole selection as CSV with a header row of the column names. */
export function toCsv<T>(items: T[], spec: ListColumns<T>): string {
  const names = Object.keys(spec.columns);
  const rows = items.map((i) => names.map((n) => spec.columns[n]?.(i) ?? ""));
  return stringify([names, ...rows], { cast: { boolean: (b) => String(b) } });
}
