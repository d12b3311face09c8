/**
 * The stand-in's whole state, in memory: partners with their API users, customers and
 * everything below them, the audit log, the used nonces and the idempotency replays.
 * Plain records (JSON-serialisable) so the state can be saved to a file on shutdown and
 * loaded at start. Secrets are kept only as salted hashes.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import type {
  Company,
  Customer,
  Extension,
  LogEntry,
  NumberBlock,
  Pbx,
  SipTrunk,
  User,
} from "../client/api.gen.js";
import { digestPassword } from "../client/auth.js";

// Records are the contract's objects (api.gen.ts) plus what only the platform keeps
// (owner ids, secret hashes, when a pending object turns active), minus what is computed
// when answering (a PBX's counts, hasPassword, a number's last number and operator), so no
// field list is written twice.

/** A partner (reseller): its domain, salt, API users and own company data. */
export interface PartnerRec {
  id: string;
  domain: string;
  salt: string;
  apiUsers: { username: string; passwordDigest: string }[];
  company: Omit<Company, "domain">;
}
/** A customer of a partner. */
export type CustomerRec = Customer & { partnerId: string };
/** A user of a customer. */
export type UserRec = User & {
  /** When a pending user becomes active (epoch ms). */
  activeAt: number;
  invitationsSent: number;
};
/** A SIP trunk of a customer (password as a salted hash). */
export type TrunkRec = Omit<SipTrunk, "hasPassword"> & { passwordHash?: string };
/** A PBX of a customer. */
export type PbxRec = Omit<Pbx, "counts"> & {
  /** When a pending PBX becomes active (epoch ms). */
  activeAt: number;
};
/** An extension of a PBX (PIN as a salted hash; the user by id). */
export type ExtensionRec = Omit<Extension, "user" | "hasPin"> & { userId: string | null; pinHash: string };
/** A number block of a customer. */
export type NumberRec = Omit<NumberBlock, "lastNumber" | "operator">;
/** One audit log entry. */
export type LogRec = LogEntry & { partnerId: string };

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

  /**
   * Adds another API user to the partner of `domain` (a colleague, a technician): its
   * changes are logged under its own name. Throws when the domain or the username is taken.
   */
  addApiUser(domain: string, username: string, password: string): void {
    const partner = this.partnerByDomain(domain);
    if (!partner) throw new Error(`no partner with domain ${domain}`);
    if (partner.apiUsers.some((u) => u.username === username))
      throw new Error(`user ${username}@${domain} exists`);
    partner.apiUsers.push({ username, passwordDigest: digestPassword(password, partner.salt) });
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
