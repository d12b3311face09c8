import { describe, expect, it } from "vitest";
import { pickLocale, translator } from "./i18n.js";

describe("pickLocale", () => {
  it.each([
    [undefined, undefined, "en"],
    [undefined, "it-IT,it;q=0.9,en;q=0.8", "it"],
    [undefined, "de-DE,it;q=0.5,en;q=0.7", "en"],
    [undefined, "de-DE,it;q=0.7,en;q=0.5", "it"],
    [undefined, "en;q=0, it", "it"],
    [undefined, "fr, de", "en"],
    [undefined, "IT", "it"],
    [undefined, "en;q=abc, it;q=0.1", "it"],
    ["it", "en", "it"],
    ["en", "it", "en"],
    ["fr", "it", "it"],
  ])("cookie %s with Accept-Language %s speaks %s", (cookie, accept, want) => {
    expect(pickLocale(cookie, accept)).toBe(want);
  });
});

describe("translator", () => {
  const now = new Date("2026-11-29T19:00:00Z");
  it("formats dates, ages, numbers and changes in the locale", () => {
    const en = translator("en", { now });
    const it = translator("it", { now });
    expect(en.number(1234.5)).toBe("1,234.5");
    expect(it.number(1234.5)).toBe("1234,5");
    expect(it.number(12345)).toBe("12.345");
    expect(en.percent(12.5)).toBe("+12.5%");
    expect(it.percent(-50)).toBe("-50%");
    expect(en.percent(null)).toBe("—");
    expect(en.age(new Date(now.getTime() - 5 * 60_000))).toBe("5 minutes ago");
    expect(it.age(new Date(now.getTime() - 3 * 3600_000))).toBe("3 ore fa");
    expect(it.date(now)).toContain("20:00"); // Europe/Rome by default
    expect(en.duration(650)).toBe("650 ms");
    expect(it.duration(1500)).toBe("1,5 s");
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    const it = translator("it");
    expect(it.t("shown", { from: "1", to: "50", total: "1.003" })).toBe("1–50 di 1.003");
    expect(it.t("thisMonth")).toBe("{change} questo mese");
  });
});
