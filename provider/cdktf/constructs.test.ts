/**
 * Synth tests of the Kalliope constructs, run once on `cdktf` 0.21 and once on `cdktn` 0.24
 * (their entry points cdktf.ts and cdktn.ts), with each library's `Testing.synth` and
 * `toHaveResourceWithProperties`.
 */
import { join } from "node:path";
import * as cdktf from "cdktf";
import * as cdktn from "cdktn";
import { describe, expect, it } from "vitest";
import { errSecretMissing, errSecretTwice, terraformKinds } from "../../controller/model/terraform.js";
import * as onCdktf from "./cdktf.js";
import * as onCdktn from "./cdktn.js";
import { errSecretLiteral } from "./document.js";
import { fixturePins } from "./fixtures/make-fixtures.js";

// The libraries' jest matchers register through the global `expect` (notes: CDKTF section).
(globalThis as { expect?: unknown }).expect = expect;
cdktf.Testing.setupJest();

declare module "vitest" {
  interface Matchers<T> {
    toHaveResourceWithProperties(type: { tfResourceType: string }, properties: Record<string, unknown>): T;
  }
}

const fixtures = join(import.meta.dirname, "fixtures");
const tenantProps = {
  businessName: "Acme S.r.l.",
  customerCode: "ACME001",
  vatNumber: "08712340150",
  fiscalCode: "08712340150",
} as const;

// One table over both libraries. cdktn's classes are cdktf's under another package (same API,
// same tokens), but TypeScript sees private members of two declarations; the test uses them
// through cdktf's types while the values stay cdktn's own.
const libraries = [
  ["cdktf", cdktf, onCdktf],
  ["cdktn", cdktn as unknown as typeof cdktf, onCdktn],
] as const;

describe.each(libraries)("on %s", (_name, lib, k) => {
  const newStack = () => new lib.TerraformStack(lib.Testing.app(), "stack");
  const has = (synth: string, type: string, props: Record<string, unknown>) =>
    lib.Testing.toHaveResourceWithProperties(synth, type, props);
  const parse = (synth: string) =>
    JSON.parse(synth) as { resource: Record<string, Record<string, Record<string, unknown>>> };

  it("synthesizes the provider block with its source and version constraint", () => {
    const stack = newStack();
    new k.KalliopeProvider(stack, "kalliope", { controllerUrl: "https://omnia.example.it", source: "acme" });
    const out = JSON.parse(lib.Testing.synth(stack));
    expect(out.provider.kalliope).toEqual([{ controller_url: "https://omnia.example.it", source: "acme" }]);
    expect(out.terraform.required_providers.kalliope).toEqual({
      source: "omnia-iac/kalliope",
      version: "0.1.0",
    });
  });

  it("refuses a literal provider token, which cdk.tf.json would hold in clear", () => {
    const stack = newStack();
    expect(() => new k.KalliopeProvider(stack, "kalliope", { token: "omn_secret" })).toThrow(
      /^stack\/kalliope: token is a literal/,
    );
  });

  it("synthesizes every construct with snake_case attributes and its static resource type", () => {
    const stack = newStack();
    const tenant = new k.Tenant(stack, "acme", { ...tenantProps, omniaManager: true, driftMode: "warn" });
    new k.User(stack, "giulia", {
      tenant: "ACME001",
      firstName: "Giulia",
      lastName: "Rossi",
      email: "giulia@acme.example",
      adminConsoleRole: "admin",
      mayManageCustomers: false,
    });
    new k.Pbx(stack, "hq", {
      tenant: "ACME001",
      name: "hq",
      kind: "group",
      group: "north",
      callCenter: true,
    });
    new k.SipTrunk(stack, "main", {
      tenant: "ACME001",
      name: "main",
      description: "Main trunk",
      operator: "Fastweb",
      endpoint: "sip.example.it:5060",
      authRequired: true,
      username: "acme",
      passwordFromEnv: "OMNIA_SECRET_DEMO_TRUNK",
    });
    new k.PhoneNumber(stack, "did", {
      tenant: "ACME001",
      number: "+390212345600",
      blockDigits: 2,
      pbx: "hq",
      trunk: "main",
      deletionPolicy: "orphan",
    });
    new k.Extension(stack, "ext", {
      tenant: "ACME001",
      pbx: "hq",
      number: "201",
      license: "plus",
      pinFromEnv: "OMNIA_SECRET_DEMO_PIN_201",
      user: { email: "giulia@acme.example", firstName: "Giulia", lastName: "Rossi" },
      labels: { team: "sales" },
      ignore: ["spec.user"],
    });
    const synth = lib.Testing.synth(stack);
    expect(synth).toHaveResourceWithProperties(k.Tenant, { customer_code: "ACME001", omnia_manager: true });
    const want: [{ tfResourceType: string }, Record<string, unknown>][] = [
      [k.Tenant, { business_name: "Acme S.r.l.", vat_number: "08712340150", drift_mode: "warn" }],
      [k.User, { first_name: "Giulia", admin_console_role: "admin", may_manage_customers: false }],
      [k.Pbx, { name: "hq", kind: "group", group: "north", call_center: true }],
      [
        k.SipTrunk,
        {
          auth_required: true,
          password_from_env: "OMNIA_SECRET_DEMO_TRUNK",
          endpoint: "sip.example.it:5060",
        },
      ],
      [
        k.PhoneNumber,
        { number: "+390212345600", block_digits: 2, pbx: "hq", trunk: "main", deletion_policy: "orphan" },
      ],
      [
        k.Extension,
        {
          pin_from_env: "OMNIA_SECRET_DEMO_PIN_201",
          user: { email: "giulia@acme.example", first_name: "Giulia", last_name: "Rossi" },
          labels: { team: "sales" },
          ignore: ["spec.user"],
        },
      ],
    ];
    for (const [type, props] of want)
      expect(has(synth, type.tfResourceType, props), type.tfResourceType).toBe(true);
    expect(Object.keys(parse(synth).resource).sort()).toEqual(
      Object.values(terraformKinds)
        .map((k) => k.typeName)
        .sort(),
    );
    expect(tenant.id).toMatch(/^\$\{TfToken\[/);
  });

  it("exposes id, platform_id, platform_status and meeting_id as references Terraform resolves", () => {
    const stack = newStack();
    const pbx = new k.Tenant(stack, "acme", tenantProps).addPbx({ name: "hq", kind: "single" });
    const ext = pbx.addExtension({ number: "201", license: "plus", pinFromEnv: "OMNIA_SECRET_DEMO_PIN" });
    new lib.TerraformOutput(stack, "ids", {
      value: [ext.id, ext.platformId, ext.meetingId, pbx.platformId, pbx.platformStatus],
    });
    const out = JSON.parse(lib.Testing.synth(stack));
    const extAddress = `kalliope_extension.${ext.friendlyUniqueId}`;
    expect(out.output.ids.value).toEqual([
      `\${${extAddress}.id}`,
      `\${${extAddress}.platform_id}`,
      `\${${extAddress}.meeting_id}`,
      `\${kalliope_pbx.${pbx.friendlyUniqueId}.platform_id}`,
      `\${kalliope_pbx.${pbx.friendlyUniqueId}.platform_status}`,
    ]);
  });

  it("add* methods fill in the tenant and PBX and make each child depend on its parents", () => {
    const stack = newStack();
    const tenant = new k.Tenant(stack, "acme", tenantProps);
    const hq = tenant.addPbx({ name: "hq", kind: "single" });
    const trunk = tenant.addSipTrunk({
      name: "main",
      description: "Main",
      operator: "TIM",
      endpoint: "sip.tim.example",
    });
    const ext = hq.addExtension({
      number: "201",
      license: "start",
      pinFromEnv: "OMNIA_SECRET_DEMO_PIN",
      user: { email: "Giulia@ACME.example" },
    });
    // The user comes after the extension that names it, its email in another case: linked all the same.
    const user = tenant.addUser({ firstName: "Giulia", lastName: "Rossi", email: "giulia@acme.example" });
    const block = tenant.addNumber({ number: "+390212345670", blockDigits: 1, pbx: hq, trunk });
    const addr = (r: { terraformResourceType: string; friendlyUniqueId: string }) =>
      `${r.terraformResourceType}.${r.friendlyUniqueId}`;

    const res = parse(lib.Testing.synth(stack)).resource;
    expect(res.kalliope_pbx?.[hq.friendlyUniqueId]).toMatchObject({
      tenant: "ACME001",
      depends_on: [addr(tenant)],
    });
    expect(res.kalliope_sip_trunk?.[trunk.friendlyUniqueId]).toMatchObject({
      tenant: "ACME001",
      name: "main",
    });
    expect(res.kalliope_user?.[user.friendlyUniqueId]).toMatchObject({
      tenant: "ACME001",
      depends_on: [addr(tenant)],
    });
    expect(res.kalliope_extension?.[ext.friendlyUniqueId]).toMatchObject({
      tenant: "ACME001",
      pbx: "hq",
      depends_on: [addr(hq), addr(user)],
    });
    expect(res.kalliope_number?.[block.friendlyUniqueId]).toMatchObject({
      tenant: "ACME001",
      pbx: "hq",
      trunk: "main",
      depends_on: [addr(tenant), addr(hq), addr(trunk)],
    });
    expect(ext.node.path).toBe("stack/acme/hq/ext-201");
    expect(k.Extension.tfResourceType).toBe("kalliope_extension");
  });

  it("adds one extension per sheet row, through omnia import-sheet's reader, PINs as environment names", async () => {
    const stack = newStack();
    const hq = new k.Tenant(stack, "acme", tenantProps).addPbx({ name: "hq", kind: "single" });
    const added = await hq.addExtensionsFromSheet(join(fixtures, "interni.xlsx"), {
      defaults: { labels: { source: "sheet" } },
    });
    expect(added.map((e) => e.props.number)).toEqual(["201", "202", "017", "203"]);
    const synth = lib.Testing.synth(stack);
    expect(
      has(synth, "kalliope_extension", {
        name: "hq-201",
        number: "201",
        license: "plus",
        pin_from_env: "OMNIA_SECRET_PIN_ACME001_HQ_201",
        user: { email: "niccolo.damico@acme.example", first_name: "Niccolò", last_name: "D'Amico" },
        labels: { source: "sheet" },
      }),
    ).toBe(true);
    expect(
      has(synth, "kalliope_extension", {
        number: "017",
        license: "start",
        user: { email: "lucia.pela@acme.example", first_name: "Lucìa", last_name: "Pelà" },
      }),
    ).toBe(true);
    expect(
      has(synth, "kalliope_extension", { number: "203", user: { email: "giulia.rossi@acme.example" } }),
    ).toBe(true);
    for (const pin of fixturePins) expect(synth).not.toContain(pin);
  });

  it("names PIN variables in the partner's namespace when asked", async () => {
    const stack = newStack();
    const hq = new k.Tenant(stack, "acme", tenantProps).addPbx({ name: "sala", kind: "single" });
    await hq.addExtensionsFromSheet(
      join(import.meta.dirname, "..", "..", "controller", "sheet", "fixtures", "case-06", "interni.csv"),
      { pinEnvName: (t, p, n) => `OMNIA_SECRET_DEMO_PIN_${t}_${p}_${n}`.toUpperCase() },
    );
    const synth = lib.Testing.synth(stack);
    // A Windows-1252 sheet of Italian Excel (issue 8, case 06): names arrive with their accents.
    expect(
      has(synth, "kalliope_extension", {
        number: "201",
        pin_from_env: "OMNIA_SECRET_DEMO_PIN_ACME001_SALA_201",
        user: {
          email: "niccolo.damico@trattoria-esempio.example",
          first_name: "Niccolò",
          last_name: "D'Amico",
        },
      }),
    ).toBe(true);
    expect(synth).not.toContain("\uFFFD");
  });

  it("refuses a sheet with bad rows, naming the PBX's path and each FILE:ROW:COL, and adds nothing", async () => {
    const stack = newStack();
    const hq = new k.Tenant(stack, "acme", tenantProps).addPbx({ name: "hq", kind: "single" });
    const file = join(fixtures, "interni-bad.xlsx");
    const err = await hq.addExtensionsFromSheet(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(k.KalliopePropsError);
    expect(String((err as Error).message)).toMatch(
      /^stack\/acme\/hq: the extensions spreadsheet has problems/,
    );
    expect((err as InstanceType<typeof k.KalliopePropsError>).problems).toEqual([
      k.errSheet,
      expect.stringMatching(new RegExp(`^${file}:2:5 \\(Licenza\\): "gold" is not a license`)),
      expect.stringMatching(new RegExp(`^${file}:3:1 \\(Interno\\): repeats extension number 201 of row 2`)),
    ]);
    expect(hq.node.children).toHaveLength(0);
  });

  it.each([
    [
      "a license the schema does not allow",
      { number: "201", license: "gold", pinFromEnv: "OMNIA_SECRET_X" },
      `stack/acme/hq/ext-201: field 'license' must be one of: "start", "plus" (got "gold")`,
    ],
    [
      "an extension number of one digit",
      { number: "2", license: "start", pinFromEnv: "OMNIA_SECRET_X" },
      "stack/acme/hq/ext-2: field 'number' does not match ^[0-9]{2,6}$",
    ],
    [
      "no PIN at all",
      { number: "201", license: "start" },
      `stack/acme/hq/ext-201: pin ${errSecretMissing} (pinFromEnv)`,
    ],
    [
      "a PIN given as a literal",
      { number: "201", license: "start", pin: "4711" },
      `stack/acme/hq/ext-201: pin ${errSecretLiteral}`,
    ],
    [
      "a half-named user",
      {
        number: "201",
        license: "start",
        pinFromEnv: "OMNIA_SECRET_X",
        user: { email: "a@acme.example", firstName: "A" },
      },
      "stack/acme/hq/ext-201: missing required field 'lastName' (required when 'firstName' is given)",
    ],
  ])("refuses %s when the construct is made, naming its path", (_case, props, message) => {
    const hq = new k.Tenant(newStack(), "acme", tenantProps).addPbx({ name: "hq", kind: "single" });
    expect(() => hq.addExtension(props as never)).toThrow(message);
  });

  it("refuses a PBX of kind single with a group, and a tenant with a bad VAT number", () => {
    const tenant = new k.Tenant(newStack(), "acme", tenantProps);
    expect(() => tenant.addPbx({ name: "hq", kind: "single", group: "north" })).toThrow(
      "stack/acme/hq: field 'group' is not allowed when kind is 'single'",
    );
    expect(() => new k.Tenant(newStack(), "bad", { ...tenantProps, vatNumber: "12345678901" })).toThrow(
      /^stack\/bad: field 'vatNumber' must be an Italian VAT number/,
    );
  });

  it("synthesizes the same attributes for an app with HCL output, strings kept strings", () => {
    const stack = newStack();
    new k.KalliopeProvider(stack, "kalliope", { controllerUrl: "https://omnia.example.it" });
    const tenant = new k.Tenant(stack, "acme", {
      ...tenantProps,
      omniaManager: false,
      labels: { value: "v" },
    });
    tenant.addPbx({ name: "hq", kind: "single", hotel: true }).addExtension({
      number: "017",
      license: "start",
      pinFromEnv: "OMNIA_SECRET_DEMO_PIN_017",
      user: { email: "giulia@acme.example" },
      ignore: ["spec.user"],
    });
    tenant.addNumber({ number: "+390212345600", blockDigits: 2, pbx: "hq", trunk: "main" });
    const hclText = String(lib.Testing.synthHcl(stack)).replace(/\s+/g, " ");
    for (const want of [
      'controller_url = "https://omnia.example.it"',
      'customer_code = "ACME001"',
      "omnia_manager = false",
      'labels = { value = "v" }',
      "hotel = true",
      'number = "017"',
      'user = { email = "giulia@acme.example" }',
      'ignore = [ "spec.user" ]',
      "block_digits = 2",
    ]) {
      expect(hclText).toContain(want);
    }
  });

  it("accepts key fields and a PIN variable's name given as tokens, checking the rest", () => {
    const stack = newStack();
    const tenant = new lib.TerraformVariable(stack, "tenant", { type: "string" });
    const pinEnv = new lib.TerraformVariable(stack, "pin_env", { type: "string" });
    // No name: it derives from the key, which only Terraform knows.
    const props = { tenant: tenant.stringValue, pbx: "hq", license: "start", pinFromEnv: pinEnv.stringValue };
    new k.Extension(stack, "ext", { ...props, number: "201" } as never);
    expect(has(lib.Testing.synth(stack), "kalliope_extension", { tenant: `\${var.tenant}` })).toBe(true);
    expect(() => new k.Extension(stack, "bad", { ...props, number: "2" } as never)).toThrow(
      "stack/bad: field 'number' does not match ^[0-9]{2,6}$",
    );
  });

  it("keeps a write-only PIN given as a sensitive variable out of cdk.tf.json", () => {
    const stack = newStack();
    const pin = new lib.TerraformVariable(stack, "pin_201", { type: "string", sensitive: true });
    const hq = new k.Tenant(stack, "acme", tenantProps).addPbx({ name: "hq", kind: "single" });
    hq.addExtension({ number: "201", license: "start", pin: pin.stringValue, pinWoVersion: 2 });
    const synth = lib.Testing.synth(stack);
    expect(has(synth, "kalliope_extension", { pin: `\${var.pin_201}`, pin_wo_version: 2 })).toBe(true);
    expect(() =>
      hq.addExtension({
        number: "202",
        license: "start",
        pin: pin.stringValue,
        pinFromEnv: "OMNIA_SECRET_X",
      }),
    ).toThrow(`stack/acme/hq/ext-202: pin and pinFromEnv: ${errSecretTwice}`);
  });
});
