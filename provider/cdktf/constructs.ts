/**
 * The Kalliope constructs, written once for any CDKTF library: `defineKalliope(lib)` takes the
 * app's `cdktf` (0.21) or `cdktn` (0.24) module and returns the classes built on its
 * `TerraformProvider` and `TerraformResource` (entry points cdktf.ts and cdktn.ts). Hand-written
 * bindings (../../shared/terraform-plugin-notes.md): each resource has a static
 * `tfResourceType`, synthesizes the snake_case attributes of `terraformKinds`
 * (controller/model/terraform.ts, the provider's own mapping) and exposes its computed
 * attributes as tokens. Props are checked against the kind's JSON Schema when the construct is
 * made; a bad prop throws `KalliopePropsError` naming the construct's path.
 */
import type { Construct } from "constructs";
import { userKey } from "../../controller/model/keys.js";
import type { KindName } from "../../controller/model/resources.gen.js";
import { terraformKinds } from "../../controller/model/terraform.js";
import { extensionsFromSheet, pinEnvName } from "../../controller/sheet/extensions-from-sheet.js";
import { errNoRows } from "../../controller/sheet/import-sheet.js";
import { readSheet } from "../../controller/sheet/read-sheet.js";
import { type AnyProps, attributeOf, attributesOf, problemsOf } from "./document.js";
import type { CdktfLibrary, Dependable, ProviderLike, ResourceLike } from "./library.js";
import {
  type ExtensionProps,
  type NumberProps,
  type PbxProps,
  providerVersion,
  type SipTrunkProps,
  type TenantProps,
  type UserProps,
} from "./props.gen.js";

/** The provider's source address (TF.md): `terraform init` finds it under this name. */
export const providerSource = "omnia-iac/kalliope";
/** The provider's local name, the prefix of its resource types. */
export const providerName = "kalliope";

/** Props that a construct's path must accompany: what the kind's schema (or a secret rule) refuses. */
export class KalliopePropsError extends Error {
  /**
   * @param path the construct's `node.path` (e.g. `stack/acme/hq/ext-201`)
   * @param problems one message per problem, prop names as written in the props
   */
  constructor(
    readonly path: string,
    readonly problems: readonly string[],
  ) {
    super(`${path}: ${problems.join("; ")}`);
    this.name = "KalliopePropsError";
  }
}

/** A spreadsheet `addExtensionsFromSheet` cannot turn into extensions: every problem, FILE:ROW:COL first. */
export const errSheet = "the extensions spreadsheet has problems; nothing was added";

/** Props of the provider block; each falls back to the environment variable Terraform's provider reads. */
export interface KalliopeProviderProps {
  /** URL of the omnia controller API, e.g. `https://omnia.example.it`. Default: env `OMNIA_CONTROLLER_URL`. */
  readonly controllerUrl?: string;
  /**
   * API token (`omn_...`, scope write). A token (a sensitive TerraformVariable) only, never a
   * literal: cdk.tf.json would hold it in clear. Default: env `OMNIA_TOKEN` (recommended).
   */
  readonly token?: string;
  /** The partner's API source id, when it has several. Default: env `OMNIA_SOURCE`. */
  readonly source?: string;
  /** Alias of this provider configuration, for a second controller. */
  readonly alias?: string;
}

/** What a Tenant's `add*` methods take: the kind's props without the tenant, which the parent gives. */
export type TenantChildProps<P> = Omit<P, "tenant">;

/** Props of `tenant.addNumber`: the PBX and the trunk by name or as constructs (then depended on). */
export type NumberChildProps = Omit<NumberProps, "tenant" | "pbx" | "trunk"> & {
  /** The PBX (same tenant) the block is routed to: its name, or the construct. */
  readonly pbx: string | PbxConstruct;
  /** The SIP trunk (same tenant) the block arrives on: its name, or the construct. */
  readonly trunk: string | SipTrunkConstruct;
};

/** Options of `pbx.addExtensionsFromSheet`. */
export interface SheetOptions {
  /**
   * The name of the controller's environment variable holding each extension's PIN. Default:
   * `omnia import-sheet`'s, `OMNIA_SECRET_PIN_<TENANT>_<PBX>_<NUMBER>` (controller/sheet
   * `pinEnvName`); a controller serving several partners wants their namespace,
   * `OMNIA_SECRET_<PARTNER>_...`. PINs never come from the sheet.
   */
  readonly pinEnvName?: (tenant: string, pbx: string, number: string) => string;
  /** Props every extension of the sheet gets (labels, driftMode, ...). */
  readonly defaults?: Pick<ExtensionProps, "labels" | "deletionPolicy" | "driftMode" | "ignore">;
}

/** A Kalliope resource: its props and computed attributes. */
export interface KalliopeResource<P> extends ResourceLike {
  /** The props it was made with (with the parent's tenant/PBX filled in). */
  readonly props: P;
  /** The import id (TF.md): the natural key without the kind, starting with the customer code. */
  readonly id: string;
  /** The platform's id of the object, known after apply. */
  readonly platformId: string;
  /** The platform's status (active, pending or suspended), known after apply. */
  readonly platformStatus: string;
}

/** The provider block. */
export interface KalliopeProviderConstruct extends ProviderLike {
  readonly props: KalliopeProviderProps;
}

/** A tenant (customer) and the methods that add its resources. */
export interface TenantConstruct extends KalliopeResource<TenantProps> {
  /** Adds a user (construct id `user-<email>`). */
  addUser(props: TenantChildProps<UserProps>): UserConstruct;
  /** Adds a PBX (construct id: its name). */
  addPbx(props: TenantChildProps<PbxProps>): PbxConstruct;
  /** Adds a SIP trunk (construct id `trunk-<name>`). */
  addSipTrunk(props: TenantChildProps<SipTrunkProps>): SipTrunkConstruct;
  /** Adds a block of numbers (construct id `number-<first number>`). */
  addNumber(props: NumberChildProps): PhoneNumberConstruct;
}

/** A user of a tenant. */
export type UserConstruct = KalliopeResource<UserProps>;
/** A SIP trunk of a tenant. */
export type SipTrunkConstruct = KalliopeResource<SipTrunkProps>;
/** A block of numbers of a tenant. */
export type PhoneNumberConstruct = KalliopeResource<NumberProps>;

/** An extension; `meetingId` is the meeting room of a Plus license, known after apply. */
export interface ExtensionConstruct extends KalliopeResource<ExtensionProps> {
  readonly meetingId: string;
}

/** A PBX and the methods that add its extensions. */
export interface PbxConstruct extends KalliopeResource<PbxProps> {
  /** Adds an extension (construct id `ext-<number>`); it depends on the PBX and on its user when declared here. */
  addExtension(props: Omit<ExtensionProps, "tenant" | "pbx">): ExtensionConstruct;
  /**
   * Adds one extension per row of a CSV or XLSX sheet, read by `omnia import-sheet`'s reader
   * (controller/sheet): same headers, same checks, PINs as `pinFromEnv` references, never
   * values. Throws `KalliopePropsError` (`errSheet` and every FILE:ROW:COL problem) and adds
   * nothing when a row is bad; file system errors pass through.
   */
  addExtensionsFromSheet(file: string, options?: SheetOptions): Promise<ExtensionConstruct[]>;
}

/** The classes `defineKalliope` returns, each taking `(scope, id, props)`. */
export interface KalliopeConstructs {
  KalliopeProvider: new (
    scope: Construct,
    id: string,
    props?: KalliopeProviderProps,
  ) => KalliopeProviderConstruct;
  Tenant: (new (scope: Construct, id: string, props: TenantProps) => TenantConstruct) & TypeName;
  User: (new (scope: Construct, id: string, props: UserProps) => UserConstruct) & TypeName;
  Pbx: (new (scope: Construct, id: string, props: PbxProps) => PbxConstruct) & TypeName;
  Extension: (new (scope: Construct, id: string, props: ExtensionProps) => ExtensionConstruct) & TypeName;
  PhoneNumber: (new (scope: Construct, id: string, props: NumberProps) => PhoneNumberConstruct) & TypeName;
  SipTrunk: (new (scope: Construct, id: string, props: SipTrunkProps) => SipTrunkConstruct) & TypeName;
}

/** The static resource type of a resource class, as CDKTF's generated bindings have it. */
export interface TypeName {
  readonly tfResourceType: string;
}

const metadata = { providerName, providerVersionConstraint: providerVersion };

/**
 * The attributes as an app with `hclOutput` renders them: each value wrapped with its type,
 * as the libraries' generated bindings do. Typed rather than plain: the renderer guesses an
 * untyped "201" to be the number 201, and takes a label named `value` for its own wrapper.
 * Every list of these kinds holds strings; every object (labels, an extension's user) is a
 * map of strings.
 */
function hclAttributes(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, hclValue(value)]));
}

/** One value with the type the libraries' HCL renderer wants: strings stay strings (`"017"`). */
function hclValue(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) return { value, isBlock: false, type: "list", storageClassType: "stringList" };
  if (typeof value === "object" && value !== null)
    return { value, isBlock: false, type: "map", storageClassType: "stringMap" };
  return { value, isBlock: false, type: "simple", storageClassType: typeof value };
}

/** Builds the constructs on `lib` (the app's `cdktf` or `cdktn` module, through `asLibrary`). */
export function defineKalliope(lib: CdktfLibrary): KalliopeConstructs {
  const isToken = (v: unknown) => lib.Token.isUnresolved(v);

  class KalliopeProvider extends lib.TerraformProvider implements KalliopeProviderConstruct {
    static readonly tfResourceType = providerName;
    constructor(
      scope: Construct,
      id: string,
      readonly props: KalliopeProviderProps = {},
    ) {
      super(scope, id, {
        terraformResourceType: providerName,
        terraformGeneratorMetadata: metadata,
        terraformProviderSource: providerSource,
      });
      if (typeof props.token === "string" && !isToken(props.token)) {
        throw new KalliopePropsError(this.node.path, [
          "token is a literal: cdk.tf.json would hold it in clear; set OMNIA_TOKEN, or pass a sensitive TerraformVariable's value",
        ]);
      }
      this.alias = props.alias;
    }
    override synthesizeAttributes(): Record<string, unknown> {
      const { controllerUrl, token, source, alias } = this.props;
      return Object.fromEntries(
        Object.entries({ controller_url: controllerUrl, token, source, alias }).filter(
          ([, v]) => v !== undefined,
        ),
      );
    }
    override synthesizeHclAttributes(): Record<string, unknown> {
      return hclAttributes(this.synthesizeAttributes());
    }
  }

  /** The shared part of every resource: type, metadata, validation, attributes, computed ids. */
  function resource<P extends object>(kind: KindName) {
    const tfType = terraformKinds[kind].typeName;
    const computed = (propName: string) => attributeOf(kind, propName).name;
    return class extends lib.TerraformResource implements KalliopeResource<P> {
      static readonly tfResourceType = tfType;
      constructor(
        scope: Construct,
        id: string,
        readonly props: P,
        dependsOn: Dependable[] = [],
      ) {
        super(scope, id, {
          terraformResourceType: tfType,
          terraformGeneratorMetadata: metadata,
          ...(dependsOn.length > 0 ? { dependsOn } : {}),
        });
        const problems = problemsOf(kind, props as AnyProps, isToken);
        if (problems.length > 0) throw new KalliopePropsError(this.node.path, problems);
      }
      override synthesizeAttributes(): Record<string, unknown> {
        return attributesOf(kind, this.props as AnyProps);
      }
      override synthesizeHclAttributes(): Record<string, unknown> {
        return hclAttributes(this.synthesizeAttributes());
      }
      get id(): string {
        return this.getStringAttribute(computed("id"));
      }
      get platformId(): string {
        return this.getStringAttribute(computed("platformId"));
      }
      get platformStatus(): string {
        return this.getStringAttribute(computed("platformStatus"));
      }
    };
  }

  class User extends resource<UserProps>("User") {}
  class SipTrunk extends resource<SipTrunkProps>("SipTrunk") {}
  class PhoneNumber extends resource<NumberProps>("Number") {}

  class Extension extends resource<ExtensionProps>("Extension") implements ExtensionConstruct {
    get meetingId(): string {
      return this.getStringAttribute(attributeOf("Extension", "meetingId").name);
    }
  }

  /** What a PBX and its tenant share to link extensions to users declared in the tenant. */
  interface UserLinks {
    /** By the user's natural key (keys.ts `userKey`). */
    users: Map<string, User>;
    extensions: Extension[];
  }
  const linksOf = new WeakMap<object, UserLinks>();
  // `depends_on` holds plain addresses (`kalliope_user.<logical id>`), as the library renders a
  // `dependsOn` given to the constructor; a user added after its extension is linked here.
  const link = (ext: Extension, user: User) => {
    const address = `${user.terraformResourceType}.${user.friendlyUniqueId}`;
    ext.dependsOn = [...new Set([...(ext.dependsOn ?? []), address])];
  };

  class Pbx extends resource<PbxProps>("Pbx") implements PbxConstruct {
    addExtension(props: Omit<ExtensionProps, "tenant" | "pbx">): Extension {
      const full = { ...props, tenant: this.props.tenant, pbx: this.props.name } as ExtensionProps;
      const ext = new Extension(this, `ext-${props.number}`, full, [this]);
      const links = linksOf.get(this);
      if (links) {
        links.extensions.push(ext);
        const user = props.user?.email ? links.users.get(userKey(full.tenant, props.user.email)) : undefined;
        if (user) link(ext, user);
      }
      return ext;
    }
    async addExtensionsFromSheet(file: string, options: SheetOptions = {}): Promise<Extension[]> {
      const { tenant, name: pbx } = this.props;
      const table = await readSheet(file);
      const { docs, problems } = extensionsFromSheet(table, { tenant, pbx });
      if (docs.length === 0 && problems.length === 0) problems.push(`${file} ${errNoRows}`);
      if (problems.length > 0) throw new KalliopePropsError(this.node.path, [errSheet, ...problems]);
      const envName = options.pinEnvName ?? pinEnvName;
      return docs.map(({ metadata: meta, spec }) => {
        // The document's pin is import-sheet's `fromEnv` reference; `envName` gives the prop its name.
        const { pin: _pin, ...rest } = spec;
        return this.addExtension({
          ...options.defaults,
          ...rest,
          name: meta.name,
          pinFromEnv: envName(tenant, pbx, spec.number),
        });
      });
    }
  }

  class Tenant extends resource<TenantProps>("Tenant") implements TenantConstruct {
    private readonly links: UserLinks = { users: new Map(), extensions: [] };
    addUser(props: TenantChildProps<UserProps>): User {
      const user = new User(this, `user-${props.email}`, { ...props, tenant: this.props.customerCode }, [
        this,
      ]);
      // By natural key: emails compare case-insensitively, as the loader matches them.
      const key = userKey(this.props.customerCode, props.email);
      this.links.users.set(key, user);
      for (const ext of this.links.extensions) {
        if (ext.props.user && userKey(ext.props.tenant, ext.props.user.email) === key) link(ext, user);
      }
      return user;
    }
    addPbx(props: TenantChildProps<PbxProps>): Pbx {
      const pbx = new Pbx(this, props.name, { ...props, tenant: this.props.customerCode }, [this]);
      linksOf.set(pbx, this.links);
      return pbx;
    }
    addSipTrunk(props: TenantChildProps<SipTrunkProps>): SipTrunk {
      return new SipTrunk(this, `trunk-${props.name}`, { ...props, tenant: this.props.customerCode }, [this]);
    }
    addNumber(props: NumberChildProps): PhoneNumber {
      const deps: Dependable[] = [this];
      const nameOf = (x: string | KalliopeResource<{ name: string }>) => {
        if (typeof x === "string") return x;
        deps.push(x);
        return x.props.name;
      };
      const full: NumberProps = {
        ...props,
        tenant: this.props.customerCode,
        pbx: nameOf(props.pbx),
        trunk: nameOf(props.trunk),
      };
      return new PhoneNumber(this, `number-${props.number}`, full, deps);
    }
  }

  return { KalliopeProvider, Tenant, User, Pbx, Extension, PhoneNumber, SipTrunk };
}
