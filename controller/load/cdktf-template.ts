/**
 * Terraform string templates in a synthesized `cdk.tf.json`: every JSON string of a
 * Terraform JSON configuration is a template (`"${kalliope_tenant.acme.customer_code}"`,
 * `"a-${x}"`, `$${` for a literal `${`; Terraform's "JSON Configuration Syntax",
 * developer.hashicorp.com/terraform/language/syntax/json). The controller reads a file,
 * it does not run Terraform: it resolves only references to attributes of kalliope
 * resources of the same file, the pattern CDKTF writes when a child names its tenant,
 * PBX or trunk through the parent's attribute, and refuses every other expression.
 */

/** A piece of a template: literal text, or an interpolation (`${...}`) or directive (`%{...}`). */
export type TemplatePart =
  | { literal: string }
  | {
      /** The expression between the braces, trimmed. */
      expression: string;
      /** `%{...}` (if/for) rather than `${...}`. */
      directive: boolean;
    };

/** A `${` or `%{` with no closing brace. */
export const errUnterminated = "an interpolation that is never closed (a '}' is missing)";

/**
 * Splits a template into literal text and expressions. `$${` and `%%{` are the escapes of
 * a literal `${` and `%{`. Braces and quoted strings inside an expression are skipped
 * over, so `${jsonencode({a = "}"})}` is one expression. Returns `errUnterminated` as an
 * error when a `${` or `%{` is never closed.
 */
export function parseTemplate(text: string): { parts: TemplatePart[] } | { error: string } {
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i) || text.startsWith("%%{", i)) {
      literal += `${text[i]}{`;
      i += 3;
      continue;
    }
    if (text.startsWith("${", i) || text.startsWith("%{", i)) {
      const end = closingBrace(text, i + 2);
      if (end < 0) return { error: errUnterminated };
      if (literal) parts.push({ literal });
      literal = "";
      parts.push({ expression: text.slice(i + 2, end).trim(), directive: text[i] === "%" });
      i = end + 1;
      continue;
    }
    literal += text[i];
    i++;
  }
  if (literal || parts.length === 0) parts.push({ literal });
  return { parts };
}

/** Index of the `}` that closes a brace opened just before `from`, or -1. */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  let quoted = false;
  for (let j = from; j < text.length; j++) {
    const c = text[j];
    if (quoted) {
      if (c === "\\") j++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return j;
  }
  return -1;
}

/** A reference to an attribute of a resource: `kalliope_tenant.acme.customer_code`. */
export interface ResourceReference {
  /** `kalliope_tenant`. */
  type: string;
  /** The resource's name in the file (CDKTF's logical id). */
  name: string;
  /** The attribute, snake_case. */
  attribute: string;
}

/**
 * Terraform identifiers: letters, digits, `_` and `-`, not starting with a digit or `-`
 * (hashicorp/hcl `hclsyntax` identifiers; CDKTF logical ids are of this form).
 */
const identifier = "[A-Za-z_][A-Za-z0-9_-]*";
const referencePattern = new RegExp(`^(${identifier})\\.(${identifier})\\.(${identifier})$`);

/** The reference an expression is, when it is exactly `TYPE.NAME.ATTRIBUTE` of a resource type. */
export function asResourceReference(expression: string): ResourceReference | undefined {
  const m = referencePattern.exec(expression);
  if (!m) return undefined;
  const [, type, name, attribute] = m as unknown as [string, string, string, string];
  // var.x.y, local.x.y, data.x.y, module.x.y: not resources (Terraform's reserved roots).
  if (["var", "local", "data", "module", "path", "terraform", "count", "each", "self"].includes(type))
    return undefined;
  return { type, name, attribute };
}

/**
 * What an expression the controller does not evaluate reads, for the message that refuses
 * it: "a variable", "a data source", "a function call" ...
 */
export function describeExpression(expression: string, directive: boolean): string {
  if (directive) return "a template directive (if/for)";
  const root = /^([A-Za-z_][A-Za-z0-9_-]*)/.exec(expression)?.[1];
  if (/^[A-Za-z_][A-Za-z0-9_-]*\s*\(/.test(expression)) return "a function call";
  switch (root) {
    case "var":
      return "an input variable";
    case "local":
      return "a local value";
    case "data":
      return "a data source";
    case "module":
      return "a module's output";
    case "count":
    case "each":
      return "count/for_each";
    case "path":
    case "terraform":
    case "self":
      return `Terraform's ${root} object`;
  }
  return "an expression";
}
