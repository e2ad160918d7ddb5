import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_TIME_ZONE, dayStart, hourStart, localDay, toZonedIso, zoneOffsetMs } from "./time.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("Asia/Ho_Chi_Minh (default, UTC+7, no DST)", () => {
  it("is the default zone", () => expect(DEFAULT_TIME_ZONE).toBe("Asia/Ho_Chi_Minh"));

  it("the local day turns over at 17:00Z", () => {
    expect(localDay(Date.parse("2026-11-21T16:59:59.999Z"))).toBe("2026-11-21");
    expect(localDay(Date.parse("2026-11-21T16:59:59Z"), "Asia/Ho_Chi_Minh")).toBe("2026-11-21");
    expect(localDay(Date.parse("2026-11-21T17:00:00Z"), "Asia/Ho_Chi_Minh")).toBe("2026-11-22");
    expect(localDay(Date.parse("2026-12-31T17:00:00Z"))).toBe("2027-01-01");
  });

  it("dayStart('2026-11-22') is 2026-11-21T17:00Z", () => {
    expect(dayStart("2026-11-22")).toBe(Date.UTC(2026, 10, 21, 17));
    expect(dayStart("2026-11-22", "Asia/Ho_Chi_Minh")).toBe(Date.UTC(2026, 10, 21, 17));
    expect(dayStart("2027-01-01")).toBe(Date.UTC(2026, 11, 31, 17));
    expect(dayStart("2028-02-29")).toBe(Date.UTC(2028, 1, 28, 17));
  });

  it("hourStart truncates to the local clock hour", () => {
    expect(hourStart(Date.UTC(2026, 10, 22, 1, 15, 30, 123))).toBe(Date.UTC(2026, 10, 22, 1));
    expect(hourStart(Date.UTC(2026, 10, 22, 1))).toBe(Date.UTC(2026, 10, 22, 1));
    expect(hourStart(Date.UTC(2026, 10, 22, 0, 59, 59, 999))).toBe(Date.UTC(2026, 10, 22, 0));
  });

  it("toZonedIso gives +07:00", () => {
    expect(toZonedIso(Date.UTC(2026, 10, 22, 1, 15))).toBe("2026-11-22T08:15:00+07:00");
    expect(toZonedIso(Date.UTC(2026, 10, 21, 17))).toBe("2026-11-22T00:00:00+07:00");
    expect(toZonedIso(Date.UTC(2026, 10, 21, 16, 59, 59))).toBe("2026-11-21T23:59:59+07:00");
    expect(Date.parse(toZonedIso(Date.UTC(2026, 10, 22, 1, 15)))).toBe(Date.UTC(2026, 10, 22, 1, 15));
  });

  it("the offset is 7 hours", () => {
    expect(zoneOffsetMs(Date.UTC(2026, 0, 1), "Asia/Ho_Chi_Minh")).toBe(7 * HOUR);
    expect(zoneOffsetMs(Date.UTC(2026, 6, 1), "Asia/Ho_Chi_Minh")).toBe(7 * HOUR);
  });
});

describe("other zones", () => {
  it("Europe/Berlin: day starts at local midnight across DST changes", () => {
    expect(dayStart("2026-01-15", "Europe/Berlin")).toBe(Date.UTC(2026, 0, 14, 23)); // CET
    expect(dayStart("2026-07-15", "Europe/Berlin")).toBe(Date.UTC(2026, 6, 14, 22)); // CEST
    expect(dayStart("2026-03-29", "Europe/Berlin")).toBe(Date.UTC(2026, 2, 28, 23)); // spring-forward day (23 h long)
    expect(dayStart("2026-03-30", "Europe/Berlin")).toBe(Date.UTC(2026, 2, 29, 22));
    expect(dayStart("2026-10-25", "Europe/Berlin")).toBe(Date.UTC(2026, 9, 24, 22)); // fall-back day (25 h long)
    expect(dayStart("2026-10-26", "Europe/Berlin")).toBe(Date.UTC(2026, 9, 25, 23));
    expect(dayStart("2026-03-30", "Europe/Berlin") - dayStart("2026-03-29", "Europe/Berlin")).toBe(23 * HOUR);
    expect(dayStart("2026-10-26", "Europe/Berlin") - dayStart("2026-10-25", "Europe/Berlin")).toBe(25 * HOUR);
  });

  it("Europe/Berlin: offsets and formatting follow DST", () => {
    expect(toZonedIso(Date.UTC(2026, 0, 15, 12), "Europe/Berlin")).toBe("2026-01-15T13:00:00+01:00");
    expect(toZonedIso(Date.UTC(2026, 6, 15, 12), "Europe/Berlin")).toBe("2026-07-15T14:00:00+02:00");
    expect(localDay(Date.UTC(2026, 6, 14, 22), "Europe/Berlin")).toBe("2026-07-15");
    expect(localDay(Date.UTC(2026, 6, 14, 21, 59, 59), "Europe/Berlin")).toBe("2026-07-14");
  });

  it("America/Sao_Paulo 2018-11-04: clocks jumped from 00:00 to 01:00, so the day starts at 01:00 local", () => {
    const start = dayStart("2018-11-04", "America/Sao_Paulo");
    expect(start).toBe(Date.UTC(2018, 10, 4, 3));
    expect(localDay(start, "America/Sao_Paulo")).toBe("2018-11-04");
    expect(localDay(start - 1, "America/Sao_Paulo")).toBe("2018-11-03");
    expect(toZonedIso(start, "America/Sao_Paulo")).toBe("2018-11-04T01:00:00-02:00");
  });

  it("negative and half-hour offsets format correctly", () => {
    expect(toZonedIso(Date.UTC(2026, 0, 15, 12), "America/New_York")).toBe("2026-01-15T07:00:00-05:00");
    expect(toZonedIso(Date.UTC(2026, 0, 15, 12), "Asia/Kolkata")).toBe("2026-01-15T17:30:00+05:30");
    expect(toZonedIso(Date.UTC(2026, 0, 15, 12), "UTC")).toBe("2026-01-15T12:00:00+00:00");
    expect(hourStart(Date.UTC(2026, 0, 1, 10, 15), "Asia/Kolkata")).toBe(Date.UTC(2026, 0, 1, 9, 30));
    expect(dayStart("2026-01-01", "Asia/Kolkata")).toBe(Date.UTC(2025, 11, 31, 18, 30));
  });
});

describe("properties", () => {
  const zones = [
    "Asia/Ho_Chi_Minh",
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "America/Havana",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
  ];
  const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 0, 1) });
  const zone = fc.constantFrom(...zones);

  it("dayStart(localDay(t)) is the first instant of t's local day", () => {
    fc.assert(
      fc.property(instant, zone, (t, tz) => {
        const day = localDay(t, tz);
        const start = dayStart(day, tz);
        expect(start).toBeLessThanOrEqual(t);
        expect(t - start).toBeLessThan(DAY + 2 * HOUR);
        expect(localDay(start, tz)).toBe(day);
        expect(localDay(start - 1, tz)).not.toBe(day);
      }),
      { numRuns: 1500 },
    );
  });

  it("every calendar day 2000–2030 starts where its local date begins, even where DST changes at midnight", () => {
    const wrong: string[] = [];
    for (const tz of ["America/Sao_Paulo", "America/Havana", "Asia/Beirut"]) {
      for (let d = Date.UTC(2000, 0, 1); d < Date.UTC(2031, 0, 1); d += DAY) {
        const day = new Date(d).toISOString().slice(0, 10);
        const start = dayStart(day, tz);
        if (localDay(start, tz) !== day || localDay(start - 1, tz) === day) wrong.push(`${tz} ${day}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("hourStart: within the hour, on a local :00:00, idempotent", () => {
    fc.assert(
      fc.property(instant, fc.constantFrom("Asia/Ho_Chi_Minh", "UTC", "Asia/Kolkata", "Asia/Kathmandu", "Europe/Berlin"), (t, tz) => {
        const h = hourStart(t, tz);
        expect(h).toBeLessThanOrEqual(t);
        expect(t - h).toBeLessThan(HOUR);
        expect(toZonedIso(h, tz).slice(13, 19)).toBe(":00:00");
        expect(hourStart(h, tz)).toBe(h);
      }),
      { numRuns: 1000 },
    );
  });

  it("toZonedIso round-trips through Date.parse (to the second) and carries an offset", () => {
    fc.assert(
      fc.property(instant, zone, (t, tz) => {
        const s = toZonedIso(t, tz);
        expect(s).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
        expect(Date.parse(s)).toBe(Math.floor(t / 1000) * 1000);
        expect(s.slice(0, 10)).toBe(localDay(t, tz));
      }),
      { numRuns: 1000 },
    );
  });

  it("Asia/Ho_Chi_Minh: localDay equals the UTC date of t + 7 h", () => {
    fc.assert(
      fc.property(instant, (t) => {
        expect(localDay(t)).toBe(new Date(t + 7 * HOUR).toISOString().slice(0, 10));
        expect(dayStart(localDay(t))).toBe(Math.floor((t + 7 * HOUR) / DAY) * DAY - 7 * HOUR);
      }),
      { numRuns: 500 },
    );
  });
});
