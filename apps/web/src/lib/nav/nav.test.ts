import { describe, expect, it } from "vitest";
import { currentLink, hasNav, linksFor } from "./nav";

describe("the person's top bar", () => {
  const hrefs = (role: string, facilityId: string | null = null) => linksFor({ role, provinces: [], facilityId }).map((l) => l.page);
  it("links only the pages the role may open (the domain's PAGES)", () => {
    expect(hrefs("admin")).toEqual(["/", "/wall", "/referrals", "/targets", "/reports", "/import", "/admin"]);
    expect(hrefs("manager")).toEqual(["/", "/wall", "/referrals", "/targets", "/reports"]);
    expect(hrefs("facility", "f1")).toEqual(["/", "/entry", "/import"]);
    expect(hrefs("no-such-role")).toEqual([]);
  });
  it("is on a person's pages only", () => {
    expect(["/", "/facilities/x", "/referrals", "/targets", "/reports/son-la/2026-11"].every(hasNav)).toBe(true);
    expect(["/wall", "/entry", "/login", "/admin", "/invite/x", "/factories"].some(hasNav)).toBe(false);
  });
  it("marks the current page, `/` only for itself", () => {
    const links = linksFor({ role: "admin", provinces: [], facilityId: null });
    expect(currentLink("/", links)?.page).toBe("/");
    expect(currentLink("/referrals", links)?.page).toBe("/referrals");
    expect(currentLink("/facilities/x", links)).toBeUndefined();
  });
});
