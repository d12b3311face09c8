#!/usr/bin/env node
/**
 * `terraform-provider-kalliope`: the executable Terraform starts (installed by
 * `omnia provider install`). It serves tfplugin6 over go-plugin's handshake
 * (provider/plugin/serve.ts) and forwards every change to the controller API
 * (provider/resources/). Run by hand, without Terraform's magic cookie, it prints a short
 * message and exits 1.
 *
 * Start-up is on Terraform's critical path (it starts a provider many times per command),
 * so the resources, the controller client and the mapping load only after the handshake
 * line is out.
 */
import { runPlugin } from "./plugin/serve.js";

await runPlugin(async () => (await import("./resources/index.js")).createKalliopeProvider());
