/** Admin Console routes: salt, company, dashboard, logs, customers and their users. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type {
  CompanyUpdate,
  CustomerCreate,
  CustomerUpdate,
  LogEntry,
  UserCreate,
  UserUpdate,
} from "../../client/api.gen.js";
import { notFound } from "../errors.js";
import { customerOf } from "../ops/context.js";
import * as customers from "../ops/customers.js";
import { dashboard } from "../ops/dashboard.js";
import * as users from "../ops/users.js";
import { customerView, userView } from "../ops/views.js";
import { customerColumns, logColumns, userColumns } from "./columns.js";
import { answerList, defineOp, ids, opCtx, type RouteDeps } from "./define.js";

/** Registers the Admin Console routes (and the public salt). */
export async function adminConsoleRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const ctx = opCtx.bind(null, deps);

  defineOp(app, "getSalt", (r) => {
    const { domain } = r.params as { domain: string };
    const partner = deps.state.partnerByDomain(domain);
    if (!partner) throw notFound("domain", domain);
    return { salt: partner.salt };
  });

  defineOp(app, "getCompany", (r) => customers.getCompany(ctx(r)));
  defineOp<CompanyUpdate>(app, "updateCompany", (r) => customers.updateCompany(ctx(r), r.body));
  defineOp(app, "getDashboard", (r) => dashboard(ctx(r)));

  const logList = (kind: "admin" | "manager") => (r: FastifyRequest, reply: FastifyReply) => {
    const c = ctx(r);
    const wantedCustomer = (r.query as { customerId?: string }).customerId;
    if (wantedCustomer) customerOf(c, wantedCustomer);
    const entries: LogEntry[] = [];
    for (const { partnerId: _p, ...entry } of deps.state.log) {
      if (_p !== c.partner.id) continue;
      if (kind === "manager" && entry.objectType !== "extension") continue;
      if (wantedCustomer && entry.customerId !== wantedCustomer) continue;
      entries.push(entry);
    }
    return answerList(r, reply, entries, logColumns);
  };
  defineOp(app, "listAdminLog", logList("admin"));
  defineOp(app, "listManagerLog", logList("manager"));

  const customerViews = (r: FastifyRequest) => deps.state.customersOf(ctx(r).partner.id).map(customerView);
  defineOp(app, "listCustomers", (r, reply) => answerList(r, reply, customerViews(r), customerColumns));
  defineOp(app, "exportCustomersCsv", (r, reply) =>
    answerList(r, reply, customerViews(r), customerColumns, true),
  );
  defineOp<CustomerCreate>(
    app,
    "createCustomer",
    (r) => customerView(customers.createCustomer(ctx(r), r.body)),
    201,
  );
  defineOp(app, "getCustomer", (r) => customerView(customerOf(ctx(r), ids(r).customerId)));
  defineOp<CustomerUpdate>(app, "updateCustomer", (r) =>
    customerView(customers.updateCustomer(ctx(r), ids(r).customerId, r.body)),
  );
  defineOp(app, "deleteCustomer", (r) => customers.deleteCustomer(ctx(r), ids(r).customerId), 204);
  defineOp(app, "suspendCustomer", (r) =>
    customerView(customers.setCustomerStatus(ctx(r), ids(r).customerId, "suspended")),
  );
  defineOp(app, "resumeCustomer", (r) =>
    customerView(customers.setCustomerStatus(ctx(r), ids(r).customerId, "active")),
  );

  const userViews = (r: FastifyRequest) => {
    const c = ctx(r);
    customerOf(c, ids(r).customerId);
    return deps.state.ofCustomer("users", ids(r).customerId).map((u) => userView(u, c.now));
  };
  defineOp(app, "listUsers", (r, reply) => answerList(r, reply, userViews(r), userColumns));
  defineOp(app, "exportUsersCsv", (r, reply) => answerList(r, reply, userViews(r), userColumns, true));
  defineOp<UserCreate>(
    app,
    "createUser",
    (r) => {
      const c = ctx(r);
      return userView(users.createUser(c, ids(r).customerId, r.body), c.now);
    },
    201,
  );
  defineOp(app, "getUser", (r) => {
    const c = ctx(r);
    return userView(users.getUser(c, ids(r).customerId, ids(r).userId), c.now);
  });
  defineOp<UserUpdate>(app, "updateUser", (r) => {
    const c = ctx(r);
    return userView(users.updateUser(c, ids(r).customerId, ids(r).userId, r.body), c.now);
  });
  defineOp(app, "deleteUser", (r) => users.deleteUser(ctx(r), ids(r).customerId, ids(r).userId), 204);
  defineOp(app, "resendInvitation", (r) => {
    const c = ctx(r);
    return userView(users.resendInvitation(c, ids(r).customerId, ids(r).userId), c.now);
  });
}
