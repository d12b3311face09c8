/** Dashboard figures of the partner: customers acquired per month, totals, licenses. */
import type { Dashboard } from "../../client/api.gen.js";
import type { OpCtx } from "./context.js";

const month = (iso: string) => iso.slice(0, 7);
const growth = (now: number, before: number): number | null =>
  before === 0 ? null : Math.round(((now - before) / before) * 1000) / 10;

/** The figures of the partner's dashboard at the context's time. */
export function dashboard(ctx: OpCtx): Dashboard {
  const customers = ctx.state.customersOf(ctx.partner.id);
  const ids = new Set(customers.map((c) => c.id));
  const perMonth = new Map<string, number>();
  for (const c of customers) perMonth.set(month(c.createdAt), (perMonth.get(month(c.createdAt)) ?? 0) + 1);
  const months = [...perMonth.keys()].sort();
  const customersPerMonth = months.map((m, i) => {
    const acquired = perMonth.get(m) ?? 0;
    const previous = i > 0 ? (perMonth.get(months[i - 1] ?? "") ?? 0) : 0;
    return { month: m, acquired, growthPercent: growth(acquired, previous) };
  });
  const thisMonth = month(ctx.now.toISOString());
  const pbxs = [...ctx.state.pbxs.values()].filter((p) => ids.has(p.customerId));
  const before = <T extends { createdAt: string }>(list: T[]) =>
    list.filter((x) => month(x.createdAt) < thisMonth).length;
  const licenses = { start: 0, plus: 0, total: 0 };
  for (const e of ctx.state.extensions.values()) {
    if (!ids.has(e.customerId)) continue;
    licenses[e.license]++;
    licenses.total++;
  }
  return {
    customersPerMonth,
    totals: {
      customers: customers.length,
      customersGrowthPercent: growth(customers.length, before(customers)),
      pbxs: pbxs.length,
      pbxsGrowthPercent: growth(pbxs.length, before(pbxs)),
      licenses,
    },
  };
}
