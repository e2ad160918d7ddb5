// Grouping (province → facility type) and paging of the wall's tiles. Pure, so tested in Node.
// Every tile has the same size: a page is `rowsPerPage` rows of `cols` tiles, each row under
// its province's header, tiles inside boxes of their facility type.
import type { FacilityStatus, FacilityType } from "@carewatch/domain";
import { FACILITY_TYPE_ORDER } from "./i18n";

export interface Totals {
  facilities: number;
  capacity: number;
  occupied: number;
  available: number;
}

export interface TypeChunk {
  type: FacilityType;
  /** Totals of the whole type in the province (not only this chunk). */
  totals: Totals;
  facilities: FacilityStatus[];
  /** Not the first chunk of this type (the rest of it is on an earlier row). */
  continued: boolean;
}

export interface Row {
  province: { id: string; name: string };
  totals: Totals;
  continued: boolean;
  chunks: TypeChunk[];
}

export type Page = Row[];

export function totalsOf(list: readonly FacilityStatus[]): Totals {
  let capacity = 0;
  let occupied = 0;
  let available = 0;
  for (const f of list) {
    capacity += f.capacity;
    occupied += f.occupied;
    available += f.available;
  }
  return { facilities: list.length, capacity, occupied, available };
}

const collator = new Intl.Collator("vi");

export interface ProvinceGroup {
  province: { id: string; name: string };
  totals: Totals;
  types: { type: FacilityType; totals: Totals; facilities: FacilityStatus[] }[];
}

/** Provinces in the registry's order (unknown ones after), types in a fixed order, names sorted. */
export function groupFacilities(list: readonly FacilityStatus[], provinces: readonly { id: string; name: string }[]): ProvinceGroup[] {
  const order = new Map(provinces.map((p, i) => [p.id, i]));
  const byProvince = new Map<string, FacilityStatus[]>();
  for (const f of list) {
    const arr = byProvince.get(f.province);
    if (arr) arr.push(f);
    else byProvince.set(f.province, [f]);
  }
  const ids = [...byProvince.keys()].sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9) || collator.compare(a, b));
  return ids.map((id) => {
    const facilities = byProvince.get(id) ?? [];
    const types = new Map<FacilityType, FacilityStatus[]>();
    for (const f of facilities) {
      const arr = types.get(f.type);
      if (arr) arr.push(f);
      else types.set(f.type, [f]);
    }
    const typeRank = (t: FacilityType) => {
      const i = FACILITY_TYPE_ORDER.indexOf(t);
      return i < 0 ? 99 : i;
    };
    return {
      province: { id, name: provinces.find((p) => p.id === id)?.name ?? id },
      totals: totalsOf(facilities),
      types: [...types.entries()]
        .sort(([a], [b]) => typeRank(a) - typeRank(b))
        .map(([type, fs]) => ({ type, totals: totalsOf(fs), facilities: [...fs].sort((a, b) => collator.compare(a.name, b.name)) })),
    };
  });
}

/** Rows of at most `cols` tiles; a type that does not fit the rest of a row continues on the next. */
export function rowsOf(groups: readonly ProvinceGroup[], cols: number): Row[] {
  const c = Math.max(1, Math.floor(cols));
  const rows: Row[] = [];
  for (const g of groups) {
    let row: Row = { province: g.province, totals: g.totals, continued: false, chunks: [] };
    let used = 0;
    for (const t of g.types) {
      let rest = t.facilities;
      let continued = false;
      while (rest.length > 0) {
        if (used === c) {
          rows.push(row);
          row = { province: g.province, totals: g.totals, continued: true, chunks: [] };
          used = 0;
        }
        const take = rest.slice(0, c - used);
        rest = rest.slice(take.length);
        row.chunks.push({ type: t.type, totals: t.totals, facilities: take, continued });
        used += take.length;
        continued = true;
      }
    }
    if (row.chunks.length) rows.push(row);
  }
  return rows;
}

export function paginate(rows: readonly Row[], rowsPerPage: number): Page[] {
  const n = Math.max(1, Math.floor(rowsPerPage));
  const pages: Page[] = [];
  for (let i = 0; i < rows.length; i += n) pages.push(rows.slice(i, i + n));
  return pages.length ? pages : [[]];
}

/** Columns for a viewport: 5 on 16:9 (1920×1080 and 3840×2160 alike), fewer when narrower. */
export function columnsFor(width: number, height: number): number {
  if (width <= 0 || height <= 0) return 5;
  return Math.min(6, Math.max(1, Math.round((width / height) * 2.85)));
}
