import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDemo } from "./demo.js";

describe("runDemo", () => {
  it("starts the controller on the drifted demo platform and the first reconcile brings every tenant in sync", async () => {
    const out: string[] = [];
    const r = await runDemo({
      port: 0,
      controllerPort: 0,
      exit: true,
      color: false,
      write: (t) => out.push(t),
    });
    const text = out.join("");
    expect(r.converged, text).toBe(true);
    expect(Object.fromEntries(r.tenants.map((t) => [t.tenant, t.phase]))).toEqual({
      BRAMBILLA01: "InSync",
      "CONTI-LEGAL": "InSync",
      "HLM-STRESA": "Drifted",
    });
    expect(r.tenants.map((t) => t.tenant).length, text).toBeGreaterThanOrEqual(3);
    expect(text).toContain("[3/3] First reconcile");
    expect(text).toContain(`dashboard: ${r.url}/`);
    expect(r.token).toMatch(/^omn_/);
    // The printed token is the admin token the controller accepts.
    expect(text).toContain(r.token);
  });

  it("serves the API with the printed token until told to stop", async () => {
    let stop: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const out: string[] = [];
    const running = runDemo({
      port: 0,
      controllerPort: 0,
      color: false,
      write: (t) => out.push(t),
      untilStopped: () => stopped,
    });
    for (let i = 0; i < 600 && !out.join("").includes("Press Ctrl-C"); i++)
      await new Promise((r) => setTimeout(r, 100));
    const text = out.join("");
    const url = /dashboard: (\S+)\/\n/.exec(text)?.[1];
    const token = /token: +(omn_\S+)/.exec(text)?.[1];
    expect(url, text).toBeDefined();
    const unauthorised = await fetch(`${url}/v1/tenants`);
    expect(unauthorised.status).toBe(401);
    const tenants = await fetch(`${url}/v1/tenants`, { headers: { authorization: `Bearer ${token}` } });
    expect(tenants.status).toBe(200);
    const body = (await tenants.json()) as { items: { phase: string }[] };
    expect(body.items.length).toBeGreaterThanOrEqual(3);
    // The hotel's driftMode is warn: its hand changes are reported (Drifted), never repaired.
    expect(body.items.map((t) => t.phase).sort()).toEqual(["Drifted", "InSync", "InSync"]);
    stop();
    await running;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(out.join("")).toMatch(/Controller and stand-in stopped; (\S+) removed\.\n$/);
    // The temporary state folder (with its secret key) is gone.
    const state = /state: +(\S+) \(embedded/.exec(out.join(""))?.[1] as string;
    expect(existsSync(state)).toBe(false);
  });

  it("--terraform: an empty platform, an api source for the provider, and the provider installed for init offline", async () => {
    let stop: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const out: string[] = [];
    let checked = false;
    const running = runDemo({
      port: 0,
      controllerPort: 0,
      terraform: true,
      color: false,
      write: (t) => {
        out.push(t);
        if (t.includes("Press Ctrl-C")) stop();
      },
      untilStopped: async () => {
        await stopped;
        const text = out.join("");
        const rc = /TF_CLI_CONFIG_FILE=(\S+)/.exec(text)?.[1] ?? "";
        expect(existsSync(rc), text).toBe(true);
        const mirror = /path\s+=\s+"([^"]+)"/.exec(readFileSync(rc, "utf8"))?.[1] ?? "";
        expect(existsSync(join(mirror, "registry.terraform.io", "omnia-iac", "kalliope"))).toBe(true);
        const url = /OMNIA_CONTROLLER_URL=(\S+)/.exec(text)?.[1];
        const token = /OMNIA_TOKEN=(\S+)/.exec(text)?.[1];
        const sources = await fetch(`${url}/v1/sources`, { headers: { authorization: `Bearer ${token}` } });
        expect(
          ((await sources.json()) as { items: { id: string; location: { type: string } }[] }).items,
        ).toEqual([expect.objectContaining({ id: "demo-tf", location: { type: "api" } })]);
        checked = true;
      },
    });
    const r = await running;
    expect(checked).toBe(true);
    expect(r.tenants).toEqual([]);
  });
});
