/**
 * A loader's problem as the API shows it (`LoadProblemView`): the place and the message
 * apart, so a client (the Terraform provider) can put each in its own line. A document
 * stored through the API has no lines: its place is its address with the field's JSON
 * pointer (controller/sources/stored.ts), and the `1:1` the loader gives it is left out.
 */
import type { Problem as LoadProblem } from "../load/index.js";
import type { LoadProblemView } from "./ports.js";

/** `p` as a `LoadProblemView`; the message keeps the document's kind and name when known. */
export function loadProblemView(p: LoadProblem): LoadProblemView {
  const stored = p.file.startsWith("api:");
  const construct = p.construct ? ` (${p.construct})` : "";
  const place = `${stored ? p.file : `${p.file}:${p.line}:${p.col}`}${construct}`;
  const who = p.kind ? `${p.kind}/${p.name ?? "?"}: ` : "";
  return { place, message: `${who}${p.message}` };
}

/** Most problems put into one problem document's `detail`; the rest are counted. */
export const maxProblemsInDetail = 10;

/** A problem as one line of text, `place: message`. */
export const problemText = (p: LoadProblemView): string => `${p.place}: ${p.message}`;

/** `reason`, followed by the problems (`place: message`, at most `maxProblemsInDetail`). */
export function detailWithProblems(reason: string, problems: readonly LoadProblemView[]): string {
  if (problems.length === 0) return reason;
  const shown = problems.slice(0, maxProblemsInDetail).map(problemText);
  const more = problems.length - shown.length;
  return [reason, ...shown, ...(more > 0 ? [`(and ${more} more)`] : [])].join("\n");
}
