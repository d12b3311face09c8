import { describe, expect, it } from "vitest";
import { type ListColumns, listPage, selectItems, toCsv } from "./listing.js";

interface Row {
  id: string;
  name: string;
  size: number;
  status: string;
}
const columns: ListColumns<Row> = {
  columns: { name: (r) => r.name, size: (r) => r.size, status: (r) => r.status },
  searchable: ["name"],
  defaultSort: "name",
};
const rows = (names: string[]): Row[] =>
  names.map((name, i) => ({
    id: `r_${i + 1}`,
    name,
    size: names.length - i,
    status: i % 2 ? "suspended" : "active",
  }));
const names = (page: { items: Row[] }) => page.items.map((r) => r.name);

describe("lists", () => {
  it.each([
    ["by name", { sort: "name" }, ["a", "b", "c", "d"]],
    ["by name, descending", { sort: "-name" }, ["d", "c", "b", "a"]],
    ["by size", { sort: "size" }, ["d", "c", "b", "a"]],
    ["suspended only", { status: "suspended" }, ["b", "d"]],
    ["searching 'C'", { q: "C" }, ["c"]],
  ])("selects %s", (_name, query, want) => {
    expect(selectItems(rows(["a", "b", "c", "d"]), query, columns).map((r) => r.name)).toEqual(want);
  });

  it("pages by page and size", () => {
    const page = listPage(rows(["a", "b", "c", "d", "e"]), { page: 2, size: 2 }, columns);
    expect({ names: names(page), page: page.page, total: page.total }).toEqual({
      names: ["c", "d"],
      page: 2,
      total: 5,
    });
  });

  it("continues after the cursor's item even when items came and went in between", () => {
    const items = rows(["b", "d", "f", "h"]);
    const first = listPage(items, { size: 2 }, columns);
    expect(names(first)).toEqual(["b", "d"]);
    // An item before the cursor is deleted and one is created before it: an offset would repeat "f".
    const changed = [
      ...items.filter((r) => r.name !== "b"),
      { id: "r_9", name: "a", size: 0, status: "active" },
    ];
    const second = listPage(changed, { size: 2, cursor: first.nextCursor ?? "" }, columns);
    expect({ names: names(second), nextCursor: second.nextCursor }).toEqual({
      names: ["f", "h"],
      nextCursor: null,
    });
  });

  it.each([
    ["garbage", "not-a-cursor", "cursor: not a cursor this server returned"],
    [
      "another sort's cursor",
      Buffer.from(JSON.stringify({ s: "-name", v: "b", i: "r_1" })).toString("base64url"),
      'cursor: the cursor was made for sort "-name", not "name"',
    ],
  ])("rejects %s", (_name, cursor, message) => {
    expect(() => listPage(rows(["a"]), { cursor }, columns)).toThrow(message);
  });

  it("rejects an unknown sort column naming the allowed ones", () => {
    expect(() => selectItems(rows(["a"]), { sort: "colour" }, columns)).toThrow(
      'sort: unknown column "colour"',
    );
  });

  it("exports CSV with a header row and booleans as words", () => {
    const csv = toCsv([{ id: "x", on: true, name: "a,b" }], {
      columns: { name: (r) => r.name, on: (r) => r.on },
      searchable: [],
      defaultSort: "name",
    });
    expect(csv).toBe('name,on\n"a,b",true\n');
  });
});
