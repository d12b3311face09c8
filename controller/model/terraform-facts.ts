/** The shape of `terraform.gen.ts` (generate-terraform.ts writes it; terraform.ts reads it). */

/** One document field as the Terraform mapping needs it. */
export interface FieldFact {
  /** Document path, dot separated: `metadata.name`, `spec.user.email`. */
  path: string;
  /** JSON type: string, number (integers too), bool, object (with `fields`), map (of strings), list (of strings). */
  type: "string" | "number" | "bool" | "object" | "map" | "list";
  /** The document requires it. */
  required: boolean;
  /** The schema's default, filled in by the loader when absent. */
  default?: string | number | boolean;
  /** Allowed values (`enum`). */
  enum?: readonly (string | number)[];
  /** The schema's description (markdown-safe text). */
  description: string;
  /** A secret reference (`common.schema.json#/$defs/secretRef`). */
  secret?: true;
  /** An object's own fields. */
  fields?: FieldFact[];
}
