/**
 * The partner of examples/gitops-partner (3 customers, 5 PBXs, 2 SIP trunks, 12 number blocks,
 * 60 extensions) written as Kalliope constructs. `cdktf synth` (or `cdktn synth`) runs this file;
 * tests call `buildApp` with their own output folder. Extensions come from one spreadsheet per
 * PBX under `interni/` (the platform's bulk-import layout, read as `omnia import-sheet` reads it).
 *
 * Secrets are never values here: every PIN and the trunk password name an environment variable
 * of the CONTROLLER (`fromEnv`), in this partner's namespace `OMNIA_SECRET_DEMO_` (the
 * controller's rule: `OMNIA_SECRET_<PARTNER>_`, the partner id upper-cased, here `demo` as in
 * examples/controller/controller.yaml).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
// On CDK Terrain: `from "cdktn"` here and `from "omnia-iac/cdktn"` below (README.md).
import { App, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { KalliopeProvider, type Pbx, Tenant } from "omnia-iac/cdktf";

/** The controller's secret namespace of this partner. */
const secrets = "OMNIA_SECRET_DEMO_";

/** `OMNIA_SECRET_DEMO_PIN_<TENANT>_<PBX>_<NUMBER>`: import-sheet's PIN names, in the partner's namespace. */
export const pinEnv = (tenant: string, pbx: string, number: string): string =>
  `${secrets}PIN_${tenant}_${pbx}_${number}`.toUpperCase().replace(/[^A-Z0-9_]/g, "_");

/** Options of `buildApp`. */
export interface BuildOptions {
  /** Where `cdk.tf.json` goes (default: the CDKTF CLI's, `cdktf.out`). */
  readonly outdir?: string;
  /** Folder of the extension sheets (default: `interni/` beside this file). */
  readonly sheets?: string;
}

/** The partner's stack: the provider block and every customer. */
class PartnerStack extends TerraformStack {
  /** Resolves once every spreadsheet has been read into extensions. */
  readonly ready: Promise<void>;

  constructor(scope: Construct, id: string, sheets: string) {
    super(scope, id);
    // controller_url and token come from OMNIA_CONTROLLER_URL and OMNIA_TOKEN at plan time.
    new KalliopeProvider(this, "kalliope");
    const fromSheet = (pbx: Pbx) =>
      pbx.addExtensionsFromSheet(join(sheets, `${pbx.props.name}.csv`), { pinEnvName: pinEnv });
    this.ready = Promise.all([
      ...ferramentaBrambilla(this).map(fromSheet),
      ...studioLegaleConti(this).map(fromSheet),
      ...hotelLagoMaggiore(this).map(fromSheet),
    ]).then(() => undefined);
  }
}

/** Ferramenta Brambilla: two PBXs (one in group rete-lombarda), a Fastweb trunk, 7 blocks. */
function ferramentaBrambilla(stack: Construct): Pbx[] {
  const tenant = new Tenant(stack, "ferramenta-brambilla", {
    name: "ferramenta-brambilla",
    businessName: "Ferramenta Brambilla S.r.l.",
    customerCode: "BRAMBILLA01",
    vatNumber: "08712340150",
    fiscalCode: "08712340150",
    omniaManager: true,
  });
  const users = [
    [
      "giulia-brambilla",
      "Giulia",
      "Brambilla",
      "Direzione",
      { adminConsoleRole: "admin", omniaManagerRole: "pbxAdmin", mayManageCustomers: false },
    ],
    [
      "marco-colombo",
      "Marco",
      "Colombo",
      "Amministrazione",
      { adminConsoleRole: "viewer", omniaManagerRole: "viewer" },
    ],
    ["francesca-ferrari", "Francesca", "Ferrari", "Vendite", {}],
  ] as const;
  for (const [name, firstName, lastName, department, roles] of users) {
    tenant.addUser({
      name,
      firstName,
      lastName,
      department,
      email: `${name.replace("-", ".")}@ferramenta-brambilla.example`,
      ...roles,
    });
  }
  // The warehouse edits the department on the platform itself: never compared nor written.
  tenant.addUser({
    name: "luca-galli",
    ignore: ["spec.department"],
    firstName: "Luca",
    lastName: "Galli",
    email: "luca.galli@ferramenta-brambilla.example",
    department: "Magazzino",
  });
  const milano = tenant.addPbx({ name: "sede-milano", kind: "single", callCenter: true });
  const bergamo = tenant.addPbx({
    name: "magazzino-bergamo",
    kind: "group",
    group: "rete-lombarda",
    labels: { site: "bergamo" },
  });
  milano.addExtension({
    name: "sede-milano-219",
    number: "219",
    license: "plus",
    status: "suspended",
    pinFromEnv: pinEnv("BRAMBILLA01", "sede-milano", "219"),
  });
  const trunk = tenant.addSipTrunk({
    name: "fastweb-milano",
    description: "Trunk principale sede di Milano",
    operator: "Fastweb",
    endpoint: "sip.fastweb-voip.example:5060",
    authRequired: true,
    username: "brambilla01",
    passwordFromEnv: `${secrets}TRUNK_BRAMBILLA01_FASTWEB_MILANO`,
  });
  const blocks = [
    ["+390287654000", 3, milano],
    ["+390287655100", 2, milano],
    ["+390287655200", 2, milano],
    ["+390287655310", 1, milano],
    ["+390354567800", 2, bergamo],
    ["+390354567910", 1, bergamo],
    ["+390354567920", 1, bergamo],
  ] as const;
  for (const [number, blockDigits, pbx] of blocks) {
    tenant.addNumber({ name: `did-${number.slice(1)}`, number, blockDigits, pbx, trunk });
  }
  return [milano, bergamo];
}

/** Studio Legale Conti: a PBX in group rete-lombarda (shares numbering with Bergamo) and one in Rome. */
function studioLegaleConti(stack: Construct): Pbx[] {
  const tenant = new Tenant(stack, "studio-legale-conti", {
    name: "studio-legale-conti",
    labels: { segment: "professional" },
    businessName: "Studio Legale Avv. Marco Conti",
    customerCode: "CONTI-LEGAL",
    vatNumber: "12345090984",
    fiscalCode: "CNTMRC72C14H501E",
    omniaManager: true,
  });
  tenant.addUser({
    name: "marco-conti",
    firstName: "Marco",
    lastName: "Conti",
    email: "marco.conti@studiolegaleconti.example",
    department: "Soci",
    adminConsoleRole: "admin",
    omniaManagerRole: "pbxAdmin",
    mayManageCustomers: false,
  });
  tenant.addUser({
    name: "elena-marchetti",
    firstName: "Elena",
    lastName: "Marchetti",
    email: "elena.marchetti@studiolegaleconti.example",
    department: "Segreteria",
    adminConsoleRole: "viewer",
    omniaManagerRole: "none",
  });
  return [
    tenant.addPbx({ name: "studio-milano", kind: "group", group: "rete-lombarda" }),
    // Left on the platform if removed from here.
    // deletionPolicy "orphan" in the gitops example; under Terraform, keeping is Terraform's
    // (see the number block of the hotel below).
    tenant.addPbx({ name: "studio-roma", kind: "single" }),
  ];
}

/**
 * Hotel Lago Maggiore: a shared PBX with the hotel module, a WindTre trunk, 5 blocks. The
 * gitops example sets `driftMode: "warn"` here (drift reported, never written); under
 * Terraform, `plan` reports drift and `apply` repairs it, and "warn" would also forbid the
 * controller to create the tenant at all, so it is left out.
 */
function hotelLagoMaggiore(stack: Construct): Pbx[] {
  const tenant = new Tenant(stack, "hotel-lago-maggiore", {
    name: "hotel-lago-maggiore",
    labels: { segment: "hospitality" },
    businessName: "Hotel Lago Maggiore S.p.A.",
    customerCode: "HLM-STRESA",
    vatNumber: "01987650031",
    fiscalCode: "01987650031",
    omniaManager: true,
  });
  tenant.addUser({
    name: "roberto-bianchi",
    firstName: "Roberto",
    lastName: "Bianchi",
    email: "roberto.bianchi@hotellagomaggiore.example",
    department: "Direzione",
    adminConsoleRole: "admin",
    omniaManagerRole: "pbxAdmin",
  });
  tenant.addUser({
    name: "chiara-ricci",
    firstName: "Chiara",
    lastName: "Ricci",
    email: "chiara.ricci@hotellagomaggiore.example",
    department: "Ricevimento",
    adminConsoleRole: "none",
    omniaManagerRole: "viewer",
  });
  const stresa = tenant.addPbx({
    name: "hotel-stresa",
    kind: "shared",
    group: "lago-maggiore",
    hotel: true,
    callCenter: true,
  });
  const trunk = tenant.addSipTrunk({
    name: "windtre-stresa",
    description: "Trunk hotel Stresa",
    operator: "WindTre",
    endpoint: "voip.windtre-business.example",
    authRequired: false,
  });
  const blocks = [
    ["+390323931000", 3],
    ["+390323932100", 2],
    ["+390323932200", 2],
    ["+390323932310", 1],
    ["+390323932320", 1],
  ] as const;
  // The gitops example keeps the main block on the platform when removed (deletionPolicy
  // "orphan"). Under Terraform, keeping is Terraform's (`lifecycle.preventDestroy`, or
  // `terraform state rm`); an orphaned block would also stop `destroy` deleting its PBX and
  // tenant, which the platform refuses while the block uses them.
  for (const [number, blockDigits] of blocks) {
    tenant.addNumber({
      name: `did-${number.slice(1)}`,
      number,
      blockDigits,
      pbx: stresa,
      trunk,
    });
  }
  return [stresa];
}

/**
 * Builds the app with the partner's stack (`demo-partner`) and reads every sheet; the caller
 * synthesizes it. Throws `KalliopePropsError` naming the construct path for a bad prop or row.
 */
export async function buildApp(options: BuildOptions = {}): Promise<App> {
  const app = new App(options.outdir ? { outdir: options.outdir } : {});
  const stack = new PartnerStack(app, "demo-partner", options.sheets ?? join(import.meta.dirname, "interni"));
  await stack.ready;
  return app;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  (await buildApp()).synth();
}
