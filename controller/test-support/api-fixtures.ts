/**
 * API objects for engine tests, shaped as the platform returns them (platform/client/api.gen.ts),
 * with overridable fields. One customer "ACME001" with a user, a trunk, a PBX, a number and
 * two extensions unless a test says otherwise.
 */
import type { Customer, Extension, NumberBlock, Pbx, SipTrunk, User } from "../../platform/client/api.gen.js";
import type { CustomerListing } from "../engine/adapters/live-from-api.js";

const at = "2026-01-01T00:00:00.000Z";

export const apiCustomer = (o: Partial<Customer> = {}): Customer => ({
  id: "cus_1",
  businessName: "Acme S.r.l.",
  customerCode: "ACME001",
  vatNumber: "01234560017",
  fiscalCode: "01234560017",
  omniaManager: true,
  status: "active",
  createdAt: at,
  ...o,
});

export const apiUser = (o: Partial<User> = {}): User => ({
  id: "usr_1",
  customerId: "cus_1",
  firstName: "Giulia",
  lastName: "Rossi",
  email: "giulia.rossi@acme.example",
  department: "Sales",
  adminConsoleRole: "admin",
  omniaManagerRole: "pbxAdmin",
  mayManageCustomers: false,
  status: "active",
  createdAt: at,
  ...o,
});

export const apiTrunk = (o: Partial<SipTrunk> = {}): SipTrunk => ({
  id: "trk_1",
  customerId: "cus_1",
  name: "fastweb",
  description: "Main trunk",
  operator: "Fastweb",
  endpoint: "sip.fastweb.example:5060",
  authRequired: true,
  username: "acme",
  hasPassword: true,
  status: "active",
  createdAt: at,
  ...o,
});

export const apiPbx = (o: Partial<Pbx> = {}): Pbx => ({
  id: "pbx_1",
  customerId: "cus_1",
  name: "headquarters",
  kind: "single",
  callCenter: true,
  hotel: false,
  status: "active",
  counts: { numbers: 1, extensions: 2, start: 1, plus: 1 },
  createdAt: at,
  ...o,
});

export const apiNumber = (o: Partial<NumberBlock> = {}): NumberBlock => ({
  id: "num_1",
  customerId: "cus_1",
  number: "+390212345600",
  lastNumber: "+390212345699",
  blockDigits: 2,
  trunkId: "trk_1",
  pbxId: "pbx_1",
  operator: "Fastweb",
  status: "active",
  createdAt: at,
  ...o,
});

export const apiExtension = (o: Partial<Extension> = {}): Extension => ({
  id: "ext_1",
  customerId: "cus_1",
  pbxId: "pbx_1",
  number: "201",
  license: "plus",
  meetingId: "M".repeat(42),
  user: { id: "usr_1", email: "giulia.rossi@acme.example", firstName: "Giulia", lastName: "Rossi" },
  hasPin: true,
  status: "active",
  createdAt: at,
  ...o,
});

/** The listing of one customer: the defaults above plus a second, suspended Start extension without user. */
export const apiListing = (o: Partial<CustomerListing> = {}): CustomerListing => ({
  customer: apiCustomer(),
  users: [apiUser()],
  trunks: [apiTrunk()],
  pbxs: [apiPbx()],
  numbers: [apiNumber()],
  extensions: [
    apiExtension(),
    apiExtension({
      id: "ext_2",
      number: "202",
      license: "start",
      meetingId: null,
      user: null,
      status: "suspended",
    }),
  ],
  ...o,
});
