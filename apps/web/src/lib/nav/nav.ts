// The top bar of a logged-in person's pages: which links their role gets (the domain's PAGES
// decide, so a link is never shown for a page the server would refuse) and its words.
import { mayOpenPage, type Role, type UserPrincipal } from "@carewatch/domain/client";
import type { Lang } from "../i18n";

export interface NavLink {
  href: string;
  /** The PAGES entry that guards it. */
  page: string;
  label: Record<Lang, string>;
  testid?: string;
}

export const NAV_LINKS: readonly NavLink[] = [
  { href: "/", page: "/", label: { vi: "Tổng quan", en: "Overview" } },
  { href: "/wall?kiosk=0", page: "/wall", label: { vi: "Màn hình", en: "Wall" } },
  { href: "/referrals", page: "/referrals", label: { vi: "Chuyển tuyến", en: "Referrals" } },
  { href: "/targets", page: "/targets", label: { vi: "Kế hoạch", en: "Plan targets" } },
  { href: "/reports", page: "/reports", label: { vi: "Báo cáo", en: "Reports" } },
  { href: "/entry", page: "/entry", label: { vi: "Nhập số liệu", en: "Enter figures" } },
  { href: "/import", page: "/import", label: { vi: "Nhập bảng tính", en: "Import" } },
  { href: "/admin", page: "/admin", label: { vi: "Quản trị", en: "Administration" }, testid: "admin-link" },
];

/** The pages with this bar: a person's pages, not the kiosk wall, the phone entry page or the login forms. */
export function hasNav(pathname: string): boolean {
  return pathname === "/" || /^\/(facilities|referrals|targets|reports)(\/|$)/.test(pathname);
}

/** The links a role may follow (a person's own facility page is linked from the landing page). */
export function linksFor(me: { role: string; provinces: string[]; facilityId: string | null }): NavLink[] {
  const p: UserPrincipal = { kind: "user", userId: "", email: "", sessionId: "", role: me.role as Role, provinces: me.provinces, facilityId: me.facilityId };
  return NAV_LINKS.filter((l) => mayOpenPage(p, l.page) === "ok");
}

/** The link of the page a pathname is on (for aria-current). */
export function currentLink(pathname: string, links: readonly NavLink[]): NavLink | undefined {
  return links.find((l) => (l.page === "/" ? pathname === "/" : pathname === l.page || pathname.startsWith(l.page + "/")));
}
