/**
 * What a Terraform refresh costs the platform, against the real controller service and the
 * stand-in (test-support/world.ts): a provider process reads every resource of a tenant out
 * of one listing of the tenant, so N reads cost one observe of the platform, not N; a write
 * to the tenant drops the listing, so a read after it sees the platform as it is then.
 */
import { describe, expect, it } from "vitest";
import type { TfObject } from "../plugin/contract.js";
import { ctx, planAndApply, resourceOf, useProviderWorld } from "./test-support/world.js";

const w = useProviderWorld();
const tenant = "TFCOST01";
const count = 8;
const numberOf = (i: number) => String(400 + i);

/** The stand-in's GETs (observe's list calls) made while `run` runs. */
async function platformReads(run: () => Promise<unknown>): Promise<number> {
  const gets = () =>
    Object.entries(w.standin.stats.byRoute)
      .filter(([route]) => route.startsWith("GET "))
      .reduce((n, [, c]) => n + c, 0);
  const before = gets();
  await run();
  return gets() - before;
}

describe("refresh cost", () => {
  const states: TfObject[] = [];

  it("reads N resources of a tenant for the cost of one observe, in sequence or at once", async () => {
    const p = await w.provider();
    const applied = async (type: string, set: TfObject) => {
      const { applied: a } = await planAndApply(resourceOf(p, type), set, null);
      expect(a.diagnostics).toEqual([]);
      return a.newState as TfObject;
    };
    await applied("kalliope_tenant", {
      business_name: "TF Cost S.r.l.",
      customer_code: tenant,
      vat_number: "08712340150",
      fiscal_code: "08712340150",
    });
    await applied("kalliope_pbx", { tenant, name: "hq", kind: "single" });
    for (let i = 0; i < count; i++)
      states.push(
        await applied("kalliope_extension", {
          tenant,
          pbx: "hq",
          number: numberOf(i),
          license: "start",
          pin_from_env: "OMNIA_SECRET_DEMO_PIN_201",
        }),
      );

    // One observe's worth: a fresh provider process reading one resource.
    const one = await platformReads(async () => {
      const r = resourceOf(await w.provider(), "kalliope_extension");
      expect((await r.read(states[0] as TfObject, new Uint8Array(), ctx)).newState).toMatchObject({
        number: numberOf(0),
      });
    });
    expect(one).toBeGreaterThan(0);

    const sequential = await platformReads(async () => {
      const r = resourceOf(await w.provider(), "kalliope_extension");
      for (const s of states) {
        const read = await r.read(s, new Uint8Array(), ctx);
        expect(read.diagnostics).toEqual([]);
        expect(read.newState).toMatchObject({ id: s.id, license: "start" });
      }
    });
    expect(sequential, `${count} reads in sequence: ${sequential} platform reads, one observe ${one}`).toBe(
      one,
    );

    const together = await platformReads(async () => {
      const r = resourceOf(await w.provider(), "kalliope_extension");
      const reads = await Promise.all(states.map((s) => r.read(s, new Uint8Array(), ctx)));
      expect(reads.map((x) => (x.newState as TfObject).id)).toEqual(states.map((s) => s.id));
    });
    expect(together, `${count} reads at once: ${together} platform reads, one observe ${one}`).toBe(one);
  });

  it("reads the tenant again after the provider writes to it", async () => {
    const p = await w.provider();
    const r = resourceOf(p, "kalliope_extension");
    const [first, second] = states as [TfObject, TfObject];
    const read = () => r.read(second, new Uint8Array(), ctx);
    expect(await platformReads(read)).toBeGreaterThan(0);
    expect(await platformReads(read), "a second read out of the listing").toBe(0);
    const { applied } = await planAndApply(
      r,
      {
        tenant,
        pbx: "hq",
        number: numberOf(0),
        license: "plus",
        pin_from_env: "OMNIA_SECRET_DEMO_PIN_201",
      },
      first,
    );
    expect(applied.diagnostics).toEqual([]);
    expect(await platformReads(read), "the listing is read again after a write").toBeGreaterThan(0);
    const firstAgain = await r.read(first, new Uint8Array(), ctx);
    expect(firstAgain.newState).toMatchObject({ license: "plus" });
  });
});
