/**
 * The stand-in's whole state, in memory: partners with their API users, customers and
 * everything below them, the audit log, the used nonces and the idempotency replays.
 * Plain records (JSON-serialisable) so the state can be saved to a file on shutdown and
 * loaded at start. Secrets are kept only as salted hashes.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import type { AdminStatus, License, PbxKind, Status } from "../client/api.gen.js";
import { digestPassword } from "../client/auth.js";

/** A partner (reseller): its domain, salt, API users and own company data. */
export interface PartnerRec {
  id: string;
  domain: string;
  salt: string;
  apiUsers: { username: string; passwordDigest: string }[];
  company: { businessName: string; customerCode: string; vatNumber: string; fiscalCode: string };
}
/** A customer of a partner. */
export interface CustomerRec {
  id: string;
  partnerId: string;
  businessName: string;
  customerCode: string;
  vatNumber: string;
  fiscalCode: string;
  omniaManager: boolean;
  status: AdminStatus;
  createdAt: string;
}
/** A user of a customer. */
export interface UserRec {
  id: string;
  customerId: string;
  firstName: string;
  lastName: string;
  email: string;
  department?: string;
  adminConsoleRole: "admin" | "viewer" | "none";
  omniaManagerRole: "pbxAdmin" | "viewer" | "none";
  mayManageCustomers: boolean;
  status: Status;
  /** When a pending user becomes active (epoch ms). */
  activeAt: number;
  invitationsSent: number;
  createdAt: string;
}
/** A SIP trunk of a customer (password as a salted hash). */
export interface TrunkRec {
  id: string;
  customerId: string;
  name: string;
  description: string;
  operator: string;
  endpoint: string;
  authRequired: boolean;
  username?: string;
  passwordHash?: string;
  status: AdminStatus;
  createdAt: string;
}
/** A PBX of a customer. */
export interface PbxRec {
  id: string;
  customerId: string;
  name: string;
  kind: PbxKind;
  group?: string;
  callCenter: boolean;
  hotel: boolean;
  status: Status;
  activeAt: number;
  createdAt: string;
}
/** An extension of a PBX (PIN as a salted hash). */
export interface ExtensionRec {
  id: string;
  customerId: string;
  pbxId: string;
  number: string;
  license: License;
  meetingId: string | null;
  userId: string | null;
  pinHash: string;
  status: Status;
  createdAt: string;
}
/** A number block of a customer. */
export interface NumberRec {
  id: string;
  customerId: string;
  number: string;
  blockDigits: 1 | 2 | 3;
  trunkId: string;
  pbxId: string;
  status: AdminStatus;
  createdAt: string;
}
/** One audit log entry. */
export interface LogRec {
  id: string;
  partnerId: string;
  time: string;
  operation: string;
  objectType: "company" | "customer" | "user" | "trunk" | "pbx" | "extension" | "number";
  objectId: string;
  object: string;
  actor: string;
  ip: string;
  customerId: string | null;
  details: Record<string, unknown>;
}

/** The serialisable part of the state (what `--state FILE` holds). */
export interface StateData {
  nextId: number;
  partners: PartnerRec[];
  customers: CustomerRec[];
  users: UserRec[];
  trunks: TrunkRec[];
  pbxs: PbxRec[];
  extensions: ExtensionRec[];
  numbers: NumberRec[];
  log: LogRec[];
}

type Tables = Omit<StateData, "nextId" | "partners" | "log">;
type TableName = keyof Tables;
type RecOf<T extends TableName> = Tables[T][number];

const prefixes: Record<TableName, string> = {
  customers: "cus",
  users: "usr",
  trunks: "trk",
  pbxs: "pbx",
  extensions: "ext",
  numbers: "num",
};

/** Salted hash of a write-only secret (the stand-in never keeps it in clear). */
export function hashSecret(value: string): string {
  const salt = randomBytes(8).toString("hex");
  return `${salt}:${createHash("sha256").update(`${salt}:${value}`).digest("hex")}`;
}

/** In-memory tables indexed by id, with an id sequence and the audit log. */
export class StandinState {
  private nextId = 1;
  readonly partners = new Map<string, PartnerRec>();
  readonly customers = new Map<string, CustomerRec>();
  readonly users = new Map<string, UserRec>();
  readonly trunks = new Map<string, TrunkRec>();
  readonly pbxs = new Map<string, PbxRec>();
  readonly extensions = new Map<string, ExtensionRec>();
  readonly numbers = new Map<string, NumberRec>();
  readonly log: LogRec[] = [];

  /** A new id for a table, e.g. `ext_1f`. */
  newId(table: TableName | "partners" | "log"): string {
    const prefix = table === "partners" ? "ptn" : table === "log" ? "log" : prefixes[table];
    return `${prefix}_${this.nextId++}`;
  }

  /** Adds a partner whose API user signs with `password` (kept only as its digest). */
  addPartner(domain: string, username: string, password: string, company: PartnerRec["company"]): PartnerRec {
    const salt = randomBytes(16).toString("hex");
    const partner: PartnerRec = {
      id: this.newId("partners"),
      domain,
      salt,
      apiUsers: [{ username, passwordDigest: digestPassword(password, salt) }],
      company,
    };
    this.partners.set(partner.id, partner);
    return partner;
  }

  partnerByDomain(domain: string): PartnerRec | undefined {
    for (const p of this.partners.values()) if (p.domain === domain) return p;
    return undefined;
  }

  /** Records of `table` whose customerId is `customerId`. */
  ofCustomer<T extends TableName>(table: T, customerId: string): RecOf<T>[] {
    const out: RecOf<T>[] = [];
    for (const rec of (this[table] as Map<string, RecOf<T>>).values()) {
      if ((rec as { customerId?: string }).customerId === customerId) out.push(rec);
    }
    return out;
  }

  /** Customers of one partner. */
  customersOf(partnerId: string): CustomerRec[] {
    return [...this.customers.values()].filter((c) => c.partnerId === partnerId);
  }

  toJSON(): StateData {
    return {
      nextId: this.nextId,
      partners: [...this.partners.values()],
      customers: [...this.customers.values()],
      users: [...this.users.values()],
      trunks: [...this.trunks.values()],
      pbxs: [...this.pbxs.values()],
      extensions: [...this.extensions.values()],
      numbers: [...this.numbers.values()],
      log: this.log,
    };
  }

  /** Rebuilds a state from `toJSON()` output. */
  static fromJSON(data: StateData): StandinState {
    const state = new StandinState();
    state.nextId = data.nextId;
    for (const p of data.partners) state.partners.set(p.id, p);
    for (const table of Object.keys(prefixes) as TableName[]) {
      const map = state[table] as Map<string, { id: string }>;
      for (const rec of data[table]) map.set(rec.id, rec);
    }
    state.log.push(...data.log);
    return state;
  }

  /** Writes the state as JSON (secrets only as hashes and digests). */
  async save(file: string): Promise<void> {
    await writeFile(file, `${JSON.stringify(this.toJSON())}\n`);
  }

  /** Reads a state file written by `save`. */
  static async load(file: string): Promise<StandinState> {
    return StandinState.fromJSON(JSON.parse(await readFile(file, "utf8")) as StateData);
  }
}
