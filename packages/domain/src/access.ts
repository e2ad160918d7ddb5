import type { Principal, Role } from "./principal.js";

/**
 * What each principal may do, in one place, so that every transport (pages, REST, tRPC, the
 * socket) answers the same. Pure: the caller brings the principal and the facility.
 */

/** Minimum password length (a longer phrase beats complexity rules; common ones are refused elsewhere). */
export const PASSWORD_MIN_LENGTH = 10;

/** Whom a page is for: a user's role, or a principal kind that is not a user. */
export type Audience = Role | Exclude<Principal["kind"], "user">;

/** The facility as access rules need it (a registry `Facility` fits). */
export interface FacilityScope {
  id: string;
  province: string;
}

/** An empty province list means every province. */
function inProvinces(provinces: readonly string[], province: string): boolean {
  return provinces.length === 0 || provinces.includes(province);
}

/** Whether `p` may read facility `f`'s figures (board, status, trend, live patches). */
export function mayReadFacility(p: Principal, f: FacilityScope): boolean {
  switch (p.kind) {
    case "facility_key":
      return p.facilityId === f.id;
    case "display":
      return inProvinces(p.provinces, f.province);
    case "user":
      switch (p.role) {
        case "admin":
          return true;
        case "manager":
          return inProvinces(p.provinces, f.province);
        case "facility":
          return p.facilityId !== null && p.facilityId === f.id;
        default:
          // A role this code does not know reads nothing.
          return false;
      }
    default:
      return false;
  }
}

/**
 * The web app's pages and who may open them. Refused by default: a page missing here is served
 * to no one, so a new page must be listed before anyone sees it. A key also covers the paths
 * below it (`/invite` → `/invite/<token>`), except `/`, which is the landing page alone.
 */
export const PAGES: Readonly<Record<string, readonly Audience[] | "public">> = Object.freeze({
  "/": Object.freeze(["admin", "manager", "facility"] as const),
  "/wall": Object.freeze(["display", "admin", "manager"] as const),
  "/entry": Object.freeze(["facility"] as const),
  "/import": Object.freeze(["facility", "admin"] as const),
  "/admin": Object.freeze(["admin"] as const),
  "/admin/audit": Object.freeze(["admin"] as const),
  // A facility's page: the server also checks mayReadFacility for the <id> in the path.
  "/facilities": Object.freeze(["admin", "manager", "facility"] as const),
  "/referrals": Object.freeze(["admin", "manager"] as const),
  "/targets": Object.freeze(["admin", "manager"] as const),
  "/reports": Object.freeze(["admin", "manager"] as const),
  "/login": "public",
  "/invite": "public",
});

export type PageAnswer = "ok" | "login" | "forbidden";

/** The PAGES entry for a pathname, or undefined (unlisted, or a path with `.`/`..` segments). */
function pageRule(path: string): readonly Audience[] | "public" | undefined {
  const pathname = path.split(/[?#]/, 1)[0] ?? "";
  if (!pathname.startsWith("/")) return undefined;
  // Dot segments could walk from a public prefix to another page: refuse rather than resolve.
  const segments = pathname.split("/");
  if (segments.some((s) => /^(\.|%2e){1,2}$/i.test(s))) return undefined;
  if (Object.hasOwn(PAGES, pathname)) return PAGES[pathname];
  for (const [page, rule] of Object.entries(PAGES)) {
    if (page !== "/" && pathname.startsWith(page + "/")) return rule;
  }
  return undefined;
}

function audienceOf(p: Principal): Audience {
  return p.kind === "user" ? p.role : p.kind;
}

/**
 * Whether `p` (null: nobody logged in) may open the page at `path`: "ok"; "login" when nobody is
 * logged in and the page is not public (the caller redirects to /login?next=…); "forbidden" when
 * the principal is not listed for the page, or the page is not listed at all (for anyone, logged
 * in or not: logging in would not open it).
 */
export function mayOpenPage(p: Principal | null, path: string): PageAnswer {
  const rule = pageRule(path);
  if (rule === undefined) return "forbidden";
  if (rule === "public") return "ok";
  if (p === null) return "login";
  return rule.includes(audienceOf(p)) ? "ok" : "forbidden";
}
