/**
 * Extension numbering across PBXs: a number is unique in its PBX, and across the PBXs
 * of one group (the manual's group PBXs share a numbering plan). Shared by the extension
 * and PBX operations (a PBX that joins a group must not bring a clashing number).
 */
import { numberingScope } from "../decided.js";
import type { ExtensionRec, PbxRec } from "../state.js";
import type { OpCtx } from "./context.js";

/** The extension that already holds `number` in the PBX's numbering scope, if any. */
export function extensionNumberTaken(
  ctx: OpCtx,
  pbx: Pick<PbxRec, "id" | "kind"> & { group?: string | undefined },
  number: string,
  exceptId?: string,
): ExtensionRec | undefined {
  const scope = numberingScope(pbx);
  for (const e of ctx.state.extensions.values()) {
    if (e.number !== number || e.id === exceptId) continue;
    if (e.pbxId === pbx.id) return e;
    const other = ctx.state.pbxs.get(e.pbxId);
    const sameScope = other && other.id !== pbx.id && numberingScope(other) === scope;
    if (sameScope && ctx.state.customers.get(other.customerId)?.partnerId === ctx.partner.id) return e;
  }
  return undefined;
}
