/**
 * The checks one document cannot make on its own: references to undeclared tenants,
 * PBXs, trunks and users; natural keys declared twice; extension numbers clashing inside
 * a PBX group; number blocks that are not geographic numbers of their country's plan
 * (numbering.ts), overlap or do not start on a block boundary; a user
 * defined differently in two places. Every check indexes by key: linear in documents.
 */
import type { KindName } from "../model/desired-state.js";
import { pbxKey, tenantKey, userKey } from "../model/keys.js";
import { documentRefs, keyOf, registry, rootKind } from "../model/registry.js";
import { type Entry, keyField, locate, problemAt } from "./documents.js";
import { numberingProblems } from "./numbering.js";
import { msg, type Problem } from "./problems.js";

/** A user as some document defines it, for the consistency check and inline creation. */
export interface UserDefinition {
  email: string;
  firstName: string;
  lastName: string;
  /** The User document, or the extension that defines the user inline. */
  entry: Entry<"User"> | Entry<"Extension">;
}

/** What the cross-document checks learnt that building the state needs. */
export interface CrossResult {
  problems: Problem[];
  /** Users defined only inline in extensions (first definition of each), by user key. */
  inlineUsers: Map<string, UserDefinition>;
}

const who = (e: Entry) => ({ kind: e.kind, name: e.name });

/**
 * Runs every cross-document check over the valid `entries`; `declared` holds the keys of
 * documents that failed their schema but whose key could be read, so that references to
 * them are not reported a second time.
 */
export function crossCheck(entries: Entry[], declared: ReadonlySet<string> = new Set()): CrossResult {
  const problems: Problem[] = [];
  const byKey = new Map<string, Entry>();
  for (const e of entries) {
    const first = byKey.get(e.key);
    if (first) {
      problems.push(
        problemAt(
          e.parsed,
          keyField[e.kind],
          who(e),
          msg.duplicateKey(e.key, locate(first.parsed, keyField[first.kind])),
          "duplicate-key",
        ),
      );
    } else {
      byKey.set(e.key, e);
    }
  }
  const exists = (key: string) => byKey.has(key) || declared.has(key);
  const of = <K extends KindName>(kind: K) => entries.filter((e): e is Entry<K> => e.kind === kind);

  // References to parents, as the kind registry describes them: the tenant first, then (in
  // a declared tenant) every containing parent the document names. Users named by
  // extensions are checked with the inline definitions (checkUsers).
  const tenantOf = (code: string) => keyOf(rootKind, { tenant: code, name: "", spec: {} });
  for (const e of entries) {
    const d = registry[e.kind];
    if (d.root) continue;
    if (!exists(tenantOf(e.tenant))) {
      problems.push(
        problemAt(e.parsed, ["metadata", "tenant"], who(e), msg.unknownTenant(e.tenant), "unknown-reference"),
      );
      continue;
    }
    const refs = documentRefs(e.kind, e.doc);
    for (const p of d.parents) {
      const key = refs && !p.association ? p.key(refs) : undefined;
      if (key === undefined || exists(key)) continue;
      const [section, field] = p.field;
      const name = String(
        (e.doc as unknown as Record<string, Record<string, unknown>>)[section]?.[field] ?? "",
      );
      problems.push(
        problemAt(
          e.parsed,
          p.field,
          who(e),
          msg.unknownReference(registry[p.kind].label, e.tenant, name),
          "unknown-reference",
        ),
      );
    }
  }
  checkOmniaManager(entries, problems);
  checkGroupKinds(of("Pbx"), problems);
  checkGroups(of("Pbx"), of("Extension"), problems);
  checkBlocks(of("Number"), problems);
  const inlineUsers = checkUsers(of("User"), of("Extension"), exists, problems);
  return { problems, inlineUsers };
}

/**
 * The kinds that live in Omnia Manager. Source: the manual, "Omnia Manager permette la
 * gestione dei PBX e dei relativi Interni, delle Numerazioni e dei SIP Trunk", and a
 * customer's Omnia Manager is a switch of the customer ("Scegliere se abilitare l'Omnia
 * Manager sul Cliente"); the platform refuses these objects for a customer without it.
 */
const omniaManagerKinds: ReadonlySet<KindName> = new Set<KindName>([
  "Pbx",
  "SipTrunk",
  "Number",
  "Extension",
]);

/**
 * Omnia Manager objects of a tenant declared with `omniaManager: false`, and its users
 * given an Omnia Manager role, each named with the tenant's place.
 */
function checkOmniaManager(entries: Entry[], problems: Problem[]): void {
  const disabled = new Map<string, Entry>(); // customer code -> Tenant entry
  for (const e of entries)
    if (registry[e.kind].root && (e.doc.spec as { omniaManager?: boolean }).omniaManager === false)
      disabled.set(e.tenant, e);
  if (disabled.size === 0) return;
  for (const e of entries) {
    const tenant = disabled.get(e.tenant);
    if (!tenant) continue;
    const at = locate(tenant.parsed, ["spec", "omniaManager"]);
    const role =
      e.kind === "User" ? (e.doc.spec as { omniaManagerRole?: string }).omniaManagerRole : undefined;
    if (role !== undefined && role !== "none") {
      // The manual: the Omnia Manager role administers PBXs and SIP trunks, which the
      // customer can only have with Omnia Manager enabled.
      problems.push(
        problemAt(
          e.parsed,
          ["spec", "omniaManagerRole"],
          who(e),
          msg.omniaManagerRoleDisabled(role, e.tenant, at),
          "manual-rule",
        ),
      );
    }
    if (!omniaManagerKinds.has(e.kind)) continue;
    problems.push(
      problemAt(
        e.parsed,
        ["metadata", "tenant"],
        who(e),
        msg.omniaManagerDisabled(e.tenant, at, registry[e.kind].label),
        "manual-rule",
      ),
    );
  }
}

/**
 * A PBX group is of one kind: the manual's shared PBXs join a group to share queues,
 * groups, routes and BLF, its group PBXs to share the internal numbering plan. A group
 * joined by both would be one group meaning two things (decided for this project, as
 * the stand-in's `groupKindOf`); the first PBX of the group (in file order) sets its kind.
 */
function checkGroupKinds(pbxs: Entry<"Pbx">[], problems: Problem[]): void {
  const first = new Map<string, Entry<"Pbx">>(); // group name -> first PBX that joined it
  for (const p of pbxs) {
    const { kind, group } = p.doc.spec;
    if (kind === "single" || !group) continue;
    const other = first.get(group);
    if (!other) first.set(group, p);
    else if (other.doc.spec.kind !== kind)
      problems.push(
        problemAt(
          p.parsed,
          ["spec", "kind"],
          who(p),
          msg.groupKindClash(
            group,
            kind,
            `${other.tenant}/${other.name}`,
            other.doc.spec.kind,
            locate(other.parsed, ["spec", "kind"]),
          ),
          "manual-rule",
        ),
      );
  }
}

/** Extension numbers are unique across the PBXs of kind "group" that share a group name. */
function checkGroups(pbxs: Entry<"Pbx">[], extensions: Entry<"Extension">[], problems: Problem[]): void {
  const groupOf = new Map<string, string>(); // pbx key -> group name
  for (const p of pbxs)
    if (p.doc.spec.kind === "group" && p.doc.spec.group) groupOf.set(p.key, p.doc.spec.group);
  const plans = new Map<string, Map<string, Entry<"Extension">>>(); // group -> number -> first extension
  for (const e of extensions) {
    const ownPbx = pbxKey(e.tenant, e.doc.metadata.pbx ?? "");
    const group = groupOf.get(ownPbx);
    if (!group) continue;
    const plan = plans.get(group) ?? new Map<string, Entry<"Extension">>();
    plans.set(group, plan);
    const first = plan.get(e.doc.spec.number);
    if (!first) {
      plan.set(e.doc.spec.number, e);
    } else if (first.key !== e.key) {
      const other = `${first.tenant}/${first.doc.metadata.pbx ?? ""} ${first.doc.spec.number}`;
      problems.push(
        problemAt(
          e.parsed,
          ["spec", "number"],
          who(e),
          msg.groupClash(e.doc.spec.number, group, other, locate(first.parsed, ["spec", "number"])),
          "group-clash",
        ),
      );
    }
  }
}

/**
 * A block of `d` digits covers the numbers of the same length that share all but its last
 * `d` digits: index every block by that prefix, then look each block's shorter prefixes up.
 */
function checkBlocks(numbers: Entry<"Number">[], problems: Problem[]): void {
  const byPrefix = new Map<string, Entry<"Number">>();
  const prefixOf = (n: string, digits: number) => `${n.length}:${n.slice(0, n.length - digits)}`;
  for (const e of numbers) {
    const { number, blockDigits } = e.doc.spec;
    for (const reason of numberingProblems(number, blockDigits))
      problems.push(problemAt(e.parsed, ["spec", "number"], who(e), reason, "number-plan"));
    if (!number.endsWith("0".repeat(blockDigits))) {
      problems.push(
        problemAt(e.parsed, ["spec", "number"], who(e), msg.numberBlock(number, blockDigits), "number-block"),
      );
    }
  }
  // Larger blocks first, so each overlap is reported once, on the smaller (inner) block.
  const sorted = [...numbers].sort((a, b) => b.doc.spec.blockDigits - a.doc.spec.blockDigits);
  for (const e of sorted) {
    const { number, blockDigits } = e.doc.spec;
    let hit: Entry<"Number"> | undefined;
    for (let d = 3; d >= blockDigits && !hit; d--) {
      const other = byPrefix.get(prefixOf(number, d));
      if (other && other.doc.spec.number !== number) hit = other; // the same number is a duplicate key
    }
    if (hit) {
      const size = 10 ** blockDigits;
      const otherSize = 10 ** hit.doc.spec.blockDigits;
      problems.push(
        problemAt(
          e.parsed,
          ["spec", "number"],
          who(e),
          msg.numberOverlap(
            number,
            size,
            hit.doc.spec.number,
            otherSize,
            locate(hit.parsed, ["spec", "number"]),
          ),
          "number-overlap",
        ),
      );
    } else if (!byPrefix.has(prefixOf(number, blockDigits))) {
      byPrefix.set(prefixOf(number, blockDigits), e);
    }
  }
}

/**
 * A user's names must agree wherever it is defined (User document or inline in an
 * extension); an extension naming only an email needs the user defined somewhere.
 */
function checkUsers(
  users: Entry<"User">[],
  extensions: Entry<"Extension">[],
  exists: (key: string) => boolean,
  problems: Problem[],
): Map<string, UserDefinition> {
  const defined = new Map<string, UserDefinition>();
  for (const u of users) {
    if (!defined.has(u.key)) defined.set(u.key, { ...u.doc.spec, entry: u });
  }
  const inline = new Map<string, UserDefinition>();
  for (const e of extensions) {
    const user = e.doc.spec.user;
    if (!user?.firstName || !user.lastName) continue;
    const key = userKey(e.tenant, user.email);
    const first = defined.get(key);
    if (!first) {
      const def = { email: user.email, firstName: user.firstName, lastName: user.lastName, entry: e };
      defined.set(key, def);
      inline.set(key, def);
    } else if (first.firstName !== user.firstName || first.lastName !== user.lastName) {
      const path = first.entry.kind === "User" ? ["spec"] : ["spec", "user"];
      problems.push(
        problemAt(
          e.parsed,
          ["spec", "user"],
          who(e),
          msg.userConflict(
            user.email,
            `${user.firstName} ${user.lastName}`,
            `${first.firstName} ${first.lastName}`,
            locate(first.entry.parsed, path),
          ),
          "user-conflict",
        ),
      );
    }
  }
  for (const e of extensions) {
    const user = e.doc.spec.user;
    if (!user || user.firstName) continue;
    const key = userKey(e.tenant, user.email);
    if (!defined.has(key) && !exists(key) && exists(tenantKey(e.tenant))) {
      problems.push(
        problemAt(
          e.parsed,
          ["spec", "user", "email"],
          who(e),
          msg.unknownUser(e.tenant, user.email),
          "unknown-reference",
        ),
      );
    }
  }
  return inline;
}
