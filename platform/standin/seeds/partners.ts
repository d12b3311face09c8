/**
 * The partners every stand-in starts with. `demo` with API user `admin`/`admin` is the
 * vendor's factory default and what `omnia platform` prints; `other` exists so tests can
 * show that one partner never reaches another's customers.
 */
import type { PartnerRec, StandinState } from "../state.js";

/** Credentials of a seeded partner's API user. */
export interface PartnerLogin {
  domain: string;
  username: string;
  password: string;
}

/** The demo partner's login (vendor factory default; printing it is intended). */
export const demoLogin: PartnerLogin = { domain: "demo", username: "admin", password: "admin" };
/** A second partner, for isolation tests. */
export const otherLogin: PartnerLogin = { domain: "other", username: "admin", password: "other-partner-pw" };

/** Adds the demo and other partners. */
export function seedPartners(state: StandinState): { demo: PartnerRec; other: PartnerRec } {
  const demo = state.addPartner(demoLogin.domain, demoLogin.username, demoLogin.password, {
    businessName: "Demo Telecomunicazioni S.r.l.",
    customerCode: "DEMO",
    vatNumber: "01234560017",
    fiscalCode: "01234560017",
  });
  const other = state.addPartner(otherLogin.domain, otherLogin.username, otherLogin.password, {
    businessName: "Altro Partner S.p.A.",
    customerCode: "OTHER",
    vatNumber: "09876543217",
    fiscalCode: "09876543217",
  });
  return { demo, other };
}
