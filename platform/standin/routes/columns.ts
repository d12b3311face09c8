/** The columns of every list (sort keys, search, CSV), as the manual's lists show them. */
import type {
  Customer,
  Extension,
  LogEntry,
  NumberBlock,
  Pbx,
  SipTrunk,
  User,
} from "../../client/api.gen.js";
import type { ListColumns } from "../listing.js";

/** Customer list: name, fiscal code, VAT number, status (+ code, creation). */
export const customerColumns: ListColumns<Customer> = {
  columns: {
    businessName: (c) => c.businessName,
    customerCode: (c) => c.customerCode,
    fiscalCode: (c) => c.fiscalCode,
    vatNumber: (c) => c.vatNumber,
    omniaManager: (c) => c.omniaManager,
    status: (c) => c.status,
    createdAt: (c) => c.createdAt,
  },
  searchable: ["businessName", "customerCode", "fiscalCode", "vatNumber"],
  defaultSort: "createdAt",
};

/** User list: first and last name, email, created at, status (+ roles). */
export const userColumns: ListColumns<User> = {
  columns: {
    firstName: (u) => u.firstName,
    lastName: (u) => u.lastName,
    email: (u) => u.email,
    department: (u) => u.department,
    adminConsoleRole: (u) => u.adminConsoleRole,
    omniaManagerRole: (u) => u.omniaManagerRole,
    mayManageCustomers: (u) => u.mayManageCustomers,
    createdAt: (u) => u.createdAt,
    status: (u) => u.status,
  },
  searchable: ["firstName", "lastName", "email", "department"],
  defaultSort: "createdAt",
};

/** SIP trunk list: description, operator, endpoint, username (+ name). */
export const trunkColumns: ListColumns<SipTrunk> = {
  columns: {
    name: (t) => t.name,
    description: (t) => t.description,
    operator: (t) => t.operator,
    endpoint: (t) => t.endpoint,
    username: (t) => t.username,
    status: (t) => t.status,
    createdAt: (t) => t.createdAt,
  },
  searchable: ["name", "description", "operator", "endpoint", "username"],
  defaultSort: "createdAt",
};

/** PBX list: status, numbers, extensions, Start/Plus licenses (+ name, kind). */
export const pbxColumns: ListColumns<Pbx> = {
  columns: {
    name: (p) => p.name,
    kind: (p) => p.kind,
    group: (p) => p.group,
    status: (p) => p.status,
    numbers: (p) => p.counts.numbers,
    extensions: (p) => p.counts.extensions,
    start: (p) => p.counts.start,
    plus: (p) => p.counts.plus,
    callCenter: (p) => p.callCenter,
    hotel: (p) => p.hotel,
    createdAt: (p) => p.createdAt,
  },
  searchable: ["name", "group"],
  defaultSort: "createdAt",
};

/** Extension list: number, names, email, license, Meeting ID, status. */
export const extensionColumns: ListColumns<Extension> = {
  columns: {
    number: (e) => e.number,
    firstName: (e) => e.user?.firstName,
    lastName: (e) => e.user?.lastName,
    email: (e) => e.user?.email,
    license: (e) => e.license,
    meetingId: (e) => e.meetingId,
    status: (e) => e.status,
    createdAt: (e) => e.createdAt,
  },
  searchable: ["number", "firstName", "lastName", "email"],
  defaultSort: "createdAt",
};

/** Number list: number, type (blockDigits), operator, status. */
export const numberColumns: ListColumns<NumberBlock> = {
  columns: {
    number: (n) => n.number,
    blockDigits: (n) => n.blockDigits,
    operator: (n) => n.operator,
    status: (n) => n.status,
    createdAt: (n) => n.createdAt,
  },
  searchable: ["number", "operator"],
  defaultSort: "createdAt",
};

/** Log list: time, operation, object, actor, IP; newest first. */
export const logColumns: ListColumns<LogEntry> = {
  columns: {
    time: (l) => l.time,
    operation: (l) => l.operation,
    objectType: (l) => l.objectType,
    object: (l) => l.object,
    actor: (l) => l.actor,
    ip: (l) => l.ip,
  },
  searchable: ["operation", "object", "actor", "ip"],
  defaultSort: "-time",
};
