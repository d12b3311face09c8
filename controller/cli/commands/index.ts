/**
 * Every `omnia` command, in the order `omnia --help` lists them. Each file in this folder
 * exports `register(program)`; add a command by adding its file and one line here.
 */
import type { Command } from "commander";
import { register as apply } from "./apply.js";
import { register as demo } from "./demo.js";
import { register as drift } from "./drift.js";
import { register as exportTenant } from "./export.js";
import { register as importSheet } from "./import-sheet.js";
import { register as plan } from "./plan.js";
import { register as platform } from "./platform.js";
import { register as provider } from "./provider.js";
import { register as serve } from "./serve.js";
import { register as validate } from "./validate.js";

export const commands: Array<(program: Command) => void> = [
  validate,
  plan,
  apply,
  drift,
  exportTenant,
  importSheet,
  platform,
  provider,
  serve,
  demo,
];
