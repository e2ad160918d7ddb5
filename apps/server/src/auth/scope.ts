import { mayOpenPage, mayReadFacility, type Principal, type Registry, type TickerLine } from "@carewatch/domain";

/**
 * Who may watch the board (tRPC board reads and the live socket): whoever may open the wall
 * page, per the domain's PAGES (a display, an admin or a manager).
 */
export function mayWatchBoard(p: Principal | null): boolean {
  return p !== null && mayOpenPage(p, "/wall") === "ok";
}

/** The facilities of the registry a principal may read, by id; `all` when that is every one. */
export interface Scope {
  all: boolean;
  ids: ReadonlySet<string>;
  /** Equal for principals who see the same facilities (a socket room's name). */
  key: string;
}

export function scopeOf(p: Principal, registry: Registry): Scope {
  const ids = new Set(registry.facilities.filter((f) => mayReadFacility(p, f)).map((f) => f.id));
  const all = ids.size === registry.facilities.length;
  return { all, ids, key: all ? "scope:all" : `scope:${[...ids].sort().join(",")}` };
}

export function inScope(scope: Scope, facilityId: string): boolean {
  return scope.all || scope.ids.has(facilityId);
}

/** The part of a board answer a scope may see (facilities by `facility_id`, ticker lines likewise). */
export function scoped<T extends { facilities: { facility_id: string }[]; ticker: TickerLine[] }>(scope: Scope, v: T): T {
  if (scope.all) return v;
  return { ...v, facilities: v.facilities.filter((f) => scope.ids.has(f.facility_id)), ticker: v.ticker.filter((t) => scope.ids.has(t.facility_id)) };
}
