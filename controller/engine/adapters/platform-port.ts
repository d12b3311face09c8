/**
 * The slice of the platform client (platform/client `OmniaClient`) that the engine uses:
 * list, create, update, suspend, resume and delete per sub-API. The engine depends on this
 * shape only, so a test can hand it the real client against the stand-in or a wrapper
 * that injects failures.
 */
import type {
  Customer,
  CustomerCreate,
  CustomerUpdate,
  Extension,
  ExtensionCreate,
  ExtensionUpdate,
  NumberBlock,
  NumberBlockCreate,
  Pbx,
  PbxCreate,
  PbxUpdate,
  SipTrunk,
  SipTrunkCreate,
  SipTrunkUpdate,
  User,
  UserCreate,
  UserUpdate,
} from "../../../platform/client/api.gen.js";

/** List, create, update and delete of one collection. */
interface Collection<T, C, U> {
  list(): AsyncIterable<T>;
  create(body: C): Promise<T>;
  update(id: string, body: U): Promise<T>;
  delete(id: string): Promise<unknown>;
}

/** Suspend and resume of a collection with an administrative status. */
interface Suspendable<T> {
  suspend(id: string): Promise<T>;
  resume(id: string): Promise<T>;
}

/** What the engine calls on the platform. */
export interface PlatformPort {
  customers: Collection<Customer, CustomerCreate, CustomerUpdate> & Suspendable<Customer>;
  users(customerId: string): Collection<User, UserCreate, UserUpdate>;
  trunks(customerId: string): Collection<SipTrunk, SipTrunkCreate, SipTrunkUpdate>;
  pbxs(customerId: string): Collection<Pbx, PbxCreate, PbxUpdate> & Suspendable<Pbx>;
  extensions(customerId: string): {
    list(query?: { pbxId?: string }): AsyncIterable<Extension>;
    create(pbxId: string, body: ExtensionCreate): Promise<Extension>;
    update(id: string, body: ExtensionUpdate): Promise<Extension>;
    delete(id: string): Promise<unknown>;
  } & Suspendable<Extension>;
  numbers(customerId: string): {
    list(): AsyncIterable<NumberBlock>;
    create(body: NumberBlockCreate): Promise<NumberBlock>;
    delete(id: string): Promise<unknown>;
  };
  /**
   * The same client (limits, counters, connections) with every call bound to `signal`:
   * when it fires, in-flight calls are aborted and queued ones never start
   * (PlatformError `aborted`).
   */
  withSignal(signal: AbortSignal): PlatformPort;
}
