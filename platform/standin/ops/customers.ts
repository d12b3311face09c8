/** Admin Console rules for the partner's company and its customers. */
import type { Company, CompanyUpdate, CustomerCreate, CustomerUpdate } from "../../client/api.gen.js";
import { conflict, inUse } from "../errors.js";
import type { CustomerRec } from "../state.js";
import { audit, changes, customerOf, type OpCtx } from "./context.js";

/** The partner's own company data. */
export function getCompany(ctx: OpCtx): Company {
  return { domain: ctx.partner.domain, ...ctx.partner.company };
}

/** Edits the partner's company data. */
export function updateCompany(ctx: OpCtx, patch: CompanyUpdate): Company {
  Object.assign(ctx.partner.company, patch);
  audit(ctx, {
    operation: "company.updated",
    objectType: "company",
    objectId: ctx.partner.id,
    object: ctx.partner.company.businessName,
    customerId: null,
    details: changes({ ...patch }),
  });
  return getCompany(ctx);
}

/** Creates a customer; its customerCode is unique on the whole platform (409 conflict). */
export function createCustomer(ctx: OpCtx, input: CustomerCreate): CustomerRec {
  for (const c of ctx.state.customers.values()) {
    if (c.customerCode.toLowerCase() === input.customerCode.toLowerCase()) {
      // Another partner's customer is not disclosed by id.
      throw conflict("customer", input.customerCode, c.partnerId === ctx.partner.id ? c.id : undefined);
    }
  }
  const customer: CustomerRec = {
    id: ctx.state.newId("customers"),
    partnerId: ctx.partner.id,
    businessName: input.businessName,
    customerCode: input.customerCode,
    vatNumber: input.vatNumber,
    fiscalCode: input.fiscalCode,
    omniaManager: input.omniaManager ?? true,
    status: "active",
    createdAt: ctx.now.toISOString(),
  };
  ctx.state.customers.set(customer.id, customer);
  audit(ctx, {
    operation: "customer.created",
    objectType: "customer",
    objectId: customer.id,
    object: customer.customerCode,
    customerId: customer.id,
    details: changes({ ...input }),
  });
  return customer;
}

/** Edits registry data and turns Omnia Manager on or off. */
export function updateCustomer(ctx: OpCtx, id: string, patch: CustomerUpdate): CustomerRec {
  const customer = customerOf(ctx, id);
  Object.assign(customer, patch);
  audit(ctx, {
    operation: "customer.updated",
    objectType: "customer",
    objectId: id,
    object: customer.customerCode,
    customerId: id,
    details: changes({ ...patch }),
  });
  return customer;
}

/** Suspends (`suspended`) or resumes (`active`) a customer. */
export function setCustomerStatus(ctx: OpCtx, id: string, status: "active" | "suspended"): CustomerRec {
  const customer = customerOf(ctx, id);
  customer.status = status;
  audit(ctx, {
    operation: status === "suspended" ? "customer.suspended" : "customer.resumed",
    objectType: "customer",
    objectId: id,
    object: customer.customerCode,
    customerId: id,
  });
  return customer;
}

/** Deletes a customer that holds nothing any more (else 409 in_use). */
export function deleteCustomer(ctx: OpCtx, id: string): void {
  const customer = customerOf(ctx, id);
  const used: string[] = [];
  for (const table of ["users", "trunks", "pbxs", "numbers", "extensions"] as const) {
    const n = ctx.state.ofCustomer(table, id).length;
    if (n > 0) used.push(`${n} ${table}`);
  }
  if (used.length > 0) throw inUse(`customer ${customer.customerCode}`, used);
  ctx.state.customers.delete(id);
  audit(ctx, {
    operation: "customer.deleted",
    objectType: "customer",
    objectId: id,
    object: customer.customerCode,
    customerId: id,
  });
}
