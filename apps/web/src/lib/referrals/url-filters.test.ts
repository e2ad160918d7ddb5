import { describe, expect, it } from "vitest";
import { dayToInput, DEFAULT_FILTERS, filtersToQuery, parseDayInput, parseFilters, periodOf, validDay } from "./url-filters";

const url = (q: string) => new URL(`http://x/referrals?${q}`);

describe("referral filters in the URL", () => {
  it("round-trips every filter, defaults left out, other parameters kept", () => {
    const f = {
      state: "all",
      facility: "sl-psychiatric",
      destination: "Bệnh viện Bạch Mai",
      urgency: "urgent",
      from: "2026-11-01",
      to: "2026-11-30",
      overdueOnly: true,
      open: "sl-psychiatric/R-1",
    } as const;
    const q = filtersToQuery(f, new URLSearchParams("lang=en&state=closed"));
    expect(q).toBe(
      "lang=en&state=all&facility=sl-psychiatric&destination=B%E1%BB%87nh+vi%E1%BB%87n+B%E1%BA%A1ch+Mai&urgency=urgent&from=2026-11-01&to=2026-11-30&overdue=1&open=sl-psychiatric%2FR-1",
    );
    expect(parseFilters(url(q))).toEqual(f);
    expect(filtersToQuery(DEFAULT_FILTERS)).toBe("");
  });

  it("unreadable values fall back to their defaults", () => {
    expect(parseFilters(url("state=stuck&urgency=soon&from=2026-02-30&to=yesterday&overdue=yes&facility=%20"))).toEqual(DEFAULT_FILTERS);
  });

  it("days are whole local days in Asia/Ho_Chi_Minh, the end day included", () => {
    expect(periodOf({ from: "2026-11-01", to: "2026-11-30" })).toEqual({ from: Date.parse("2026-10-31T17:00:00Z"), to: Date.parse("2026-11-30T17:00:00Z") });
    expect(periodOf({ from: null, to: null })).toEqual({});
    expect(validDay("2026-12-31")).toBe("2026-12-31");
    expect(validDay("2026-13-01")).toBeNull();
  });
});

describe("days typed as dd/mm/yyyy", () => {
  it("reads a real day, with or without leading zeros, and writes it back", () => {
    expect(parseDayInput("01/11/2026")).toBe("2026-11-01");
    expect(parseDayInput(" 1/2/2026 ")).toBe("2026-02-01");
    expect(dayToInput("2026-11-01")).toBe("01/11/2026");
    expect(dayToInput(null)).toBe("");
  });
  it.each(["31/02/2026", "2026-11-01", "11/2026", "hôm qua", ""])("refuses %j", (text) => {
    expect(parseDayInput(text)).toBeNull();
  });
});
