import { describe, expect, it } from "vitest";
import type { FacilityStatus } from "@carewatch/domain";
import { attentionItems, DEFAULT_QUERY, queryFromParams, queryToParams, tableRows, totalsByType, type OverviewQuery } from "./overview";

function f(id: string, over: Partial<FacilityStatus> = {}): FacilityStatus {
  return {
    facility_id: id,
    name: id,
    name_en: id,
    type: "drug_rehab",
    province: "son-la",
    capacity: 100,
    occupied: 50,
    available: 50,
    occupancy_pct: 50,
    level: "normal",
    stale: false,
    data_quality: "ok",
    last_event_at: "2026-11-22T08:00:00+07:00",
    as_of_seq: 1,
    reporting_interval_minutes: 15,
    time_zone: "Asia/Ho_Chi_Minh",
    today: { admissions: 0, discharges: 0, treatments: {}, referrals_open: 0 },
    units: [],
    ...over,
  };
}

const list = [
  f("a", { occupancy_pct: 50 }),
  f("b", { level: "over", occupancy_pct: 104, occupied: 104, available: 0 }),
  f("c", { stale: true, province: "lao-cai", type: "social_work" }),
  f("d", { level: "critical", occupancy_pct: 96, data_quality: "inconsistent" }),
  f("e", { level: "high", occupancy_pct: 88, type: "psychiatric" }),
];

describe("the overview table", () => {
  it("puts what needs attention first by default: over, critical (+inconsistent), high, stale, then the rest", () => {
    expect(tableRows(list, DEFAULT_QUERY).map((x) => x.facility_id)).toEqual(["b", "d", "e", "c", "a"]);
  });

  it("filters by province, type, level and staleness", () => {
    const q = (over: Partial<OverviewQuery>) => tableRows(list, { ...DEFAULT_QUERY, ...over }).map((x) => x.facility_id);
    expect(q({ province: "lao-cai" })).toEqual(["c"]);
    expect(q({ type: "psychiatric" })).toEqual(["e"]);
    expect(q({ level: "critical" })).toEqual(["d"]);
    expect(q({ staleness: "stale" })).toEqual(["c"]);
    expect(q({ staleness: "fresh" })).toHaveLength(4);
  });

  it("sorts by occupancy either way, ties by name", () => {
    const up = tableRows(list, { ...DEFAULT_QUERY, sort: "occupancy" }).map((x) => x.facility_id);
    expect(up).toEqual(["a", "c", "e", "d", "b"]);
    expect(tableRows(list, { ...DEFAULT_QUERY, sort: "occupancy", desc: true }).map((x) => x.facility_id)).toEqual(["b", "d", "e", "a", "c"]);
  });

  it("round-trips its query through the URL, keeping only what differs from the default, and ignores junk", () => {
    const q: OverviewQuery = { province: "son-la", type: "psychiatric", level: null, staleness: "stale", sort: "occupancy", desc: true };
    const p = queryToParams(q);
    expect(p.toString()).toBe("province=son-la&type=psychiatric&staleness=stale&sort=occupancy&desc=1");
    expect(queryFromParams(p)).toEqual(q);
    expect(queryToParams(DEFAULT_QUERY).toString()).toBe("");
    expect(queryFromParams(new URLSearchParams("type=spaceship&sort=__proto__&level=over"))).toEqual({ ...DEFAULT_QUERY, level: "over" });
  });

  it("totals per type over the rows shown, in the fixed type order", () => {
    const t = totalsByType(list);
    expect(t.map((x) => x.type)).toEqual(["drug_rehab", "psychiatric", "social_work"]);
    expect(t[0]).toMatchObject({ facilities: 3, capacity: 300, occupied: 50 + 104 + 50, occupancyPct: 68 });
  });
});

describe("attention", () => {
  it("lists over, critical, inconsistent and stale, most pressing first, one item per reason", () => {
    expect(attentionItems(list).map((i) => `${i.kind}:${i.facility.facility_id}`)).toEqual(["over:b", "critical:d", "inconsistent:d", "stale:c"]);
    expect(attentionItems([f("calm")])).toEqual([]);
  });
});
