/**
 * Checks a resource document sent to the API with the loader's own envelope and schema
 * checks (controller/load `checkDocument`, the step every source's documents take), so a
 * bad field is refused at the PUT with its JSON pointer instead of failing the tenant's
 * next reconcile. Cross-document rules (a PBX that must exist, numbering) still run at
 * reconcile time, when the source reads all the tenant's documents.
 */
import { checkDocument } from "../load/documents.js";
import type { NodePath, ParsedDocument } from "../load/parse.js";
import type { Validators } from "../load/schema.js";

/** One problem of a document: where (a JSON pointer into it) and what. */
export interface DocumentProblem {
  /** E.g. `/spec/license`; `` for the whole document. */
  pointer: string;
  message: string;
}

/**
 * The envelope and schema problems of `doc`, each with the pointer of its field; empty
 * when the document is valid. `doc` is not changed (the schema's defaults go to a copy).
 */
export function documentProblems(validators: Validators, doc: unknown): DocumentProblem[] {
  // The loader reports places as line:col of a YAML file; a JSON body has none, so each
  // place asked for gets a "line" that numbers the path it was asked for.
  const paths: NodePath[] = [];
  const parsed: ParsedDocument = {
    file: "body",
    value: structuredClone(doc),
    position(path) {
      paths.push(path);
      return { line: paths.length, col: 1 };
    },
  };
  return checkDocument(validators, parsed).problems.map((p) => {
    const path = paths[p.line - 1] ?? [];
    return { pointer: path.length === 0 ? "" : `/${path.join("/")}`, message: p.message };
  });
}
