/** Placeholder replaced below. */
import type { PartnerRec, StandinState } from "../state.js";
export async function seedDemo(_state: StandinState, _partner: PartnerRec): Promise<void> {}
