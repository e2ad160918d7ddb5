// The province overview's table and attention list, from the board's live statuses. Pure, so
// tested in Node; the page only renders what these return.
import type { FacilityStatus, FacilityType, Level } from "@carewatch/domain";
import { FACILITY_TYPE_ORDER } from "../i18n";
import { totalsOf, type Totals } from "../layout";

export const SORT_KEYS = ["attention", "name", "province", "type", "occupancy", "available", "last"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const STALENESS = ["all", "stale", "fresh"] as const;
export type Staleness = (typeof STALENESS)[number];

export interface OverviewQuery {
  province: string | null;
  type: FacilityType | null;
  level: Level | null;
  staleness: Staleness;
  sort: SortKey;
  desc: boolean;
}

export const DEFAULT_QUERY: OverviewQuery = { province: null, type: null, level: null, staleness: "all", sort: "attention", desc: false };

const LEVEL_RANK: Record<Level, number> = { over: 3, critical: 2, high: 1, normal: 0 };

/** How much a facility needs a look: level first, then inconsistent, then stale. */
export function attentionRank(f: FacilityStatus): number {
  return LEVEL_RANK[f.level] * 4 + (f.data_quality === "inconsistent" ? 2 : 0) + (f.stale ? 1 : 0);
}

/** The query in a URL's search params (only what differs from the default), and back: a link shows the same table. */
export function queryToParams(q: OverviewQuery, into = new URLSearchParams()): URLSearchParams {
  for (const k of ["province", "type", "level", "staleness", "sort"] as const) {
    const v = q[k];
    if (v !== null && v !== DEFAULT_QUERY[k]) into.set(k, v);
    else into.delete(k);
  }
  if (q.desc) into.set("desc", "1");
  else into.delete("desc");
  return into;
}

export function queryFromParams(p: URLSearchParams): OverviewQuery {
  const pick = <T extends string>(v: string | null, allowed: readonly T[]): T | null =>
    v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : null;
  return {
    province: p.get("province") || null,
    type: pick(p.get("type"), FACILITY_TYPE_ORDER),
    level: pick(p.get("level"), ["normal", "high", "critical", "over"] as const),
    staleness: pick(p.get("staleness"), STALENESS) ?? "all",
    sort: pick(p.get("sort"), SORT_KEYS) ?? "attention",
    desc: p.get("desc") === "1",
  };
}

const collator = new Intl.Collator("vi");

function compare(a: FacilityStatus, b: FacilityStatus, key: SortKey): number {
  switch (key) {
    case "attention":
      return attentionRank(b) - attentionRank(a) || (b.occupancy_pct ?? -1) - (a.occupancy_pct ?? -1);
    case "name":
      return collator.compare(a.name, b.name);
    case "province":
      return collator.compare(a.province, b.province);
    case "type":
      return FACILITY_TYPE_ORDER.indexOf(a.type) - FACILITY_TYPE_ORDER.indexOf(b.type);
    case "occupancy":
      return (a.occupancy_pct ?? -1) - (b.occupancy_pct ?? -1);
    case "available":
      return a.available - b.available;
    case "last":
      return (a.last_event_at ? Date.parse(a.last_event_at) : 0) - (b.last_event_at ? Date.parse(b.last_event_at) : 0);
  }
}

/** The rows the table shows: filtered, sorted (ties by name, so the order never jumps on a patch). */
export function tableRows(list: readonly FacilityStatus[], q: OverviewQuery): FacilityStatus[] {
  const rows = list.filter(
    (f) =>
      (q.province === null || f.province === q.province) &&
      (q.type === null || f.type === q.type) &&
      (q.level === null || f.level === q.level) &&
      (q.staleness === "all" || (q.staleness === "stale") === f.stale),
  );
  return rows.sort((a, b) => (q.desc ? -1 : 1) * compare(a, b, q.sort) || collator.compare(a.name, b.name));
}

export interface TypeTotals extends Totals {
  type: FacilityType;
  occupancyPct: number | null;
}

/** Totals per facility type, in the fixed type order, for the rows shown. */
export function totalsByType(rows: readonly FacilityStatus[]): TypeTotals[] {
  return FACILITY_TYPE_ORDER.flatMap((type) => {
    const of = rows.filter((f) => f.type === type);
    if (!of.length) return [];
    const t = totalsOf(of);
    return [{ type, ...t, occupancyPct: t.capacity > 0 ? Math.round((t.occupied / t.capacity) * 1000) / 10 : null }];
  });
}

export type AttentionKind = "over" | "critical" | "inconsistent" | "stale";

export interface AttentionItem {
  kind: AttentionKind;
  facility: FacilityStatus;
}

/**
 * The few things that need a look first, most pressing first: over capacity, critical,
 * inconsistent counts, silent facilities. (Overdue referrals and targets behind pace come from
 * their own reads and join these on the page.) One item per facility and reason.
 */
export function attentionItems(list: readonly FacilityStatus[]): AttentionItem[] {
  const items: AttentionItem[] = [];
  for (const f of list) {
    if (f.level === "over" || f.level === "critical") items.push({ kind: f.level, facility: f });
    if (f.data_quality === "inconsistent") items.push({ kind: "inconsistent", facility: f });
    if (f.stale) items.push({ kind: "stale", facility: f });
  }
  const rank: Record<AttentionKind, number> = { over: 0, critical: 1, inconsistent: 2, stale: 3 };
  return items.sort((a, b) => rank[a.kind] - rank[b.kind] || (b.facility.occupancy_pct ?? 0) - (a.facility.occupancy_pct ?? 0));
}
