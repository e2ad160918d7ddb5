import { describe, expect, it } from "vitest";
import { mayOpenPage, mayReadFacility, PAGES, PASSWORD_MIN_LENGTH } from "./access.js";
import type { DisplayPrincipal, FacilityKeyPrincipal, Principal, Role, UserPrincipal } from "./principal.js";
import { isRole, ROLES } from "./principal.js";

const SL_A = { id: "sl-a", province: "son-la" };
const SL_B = { id: "sl-b", province: "son-la" };
const LC_A = { id: "lc-a", province: "lao-cai" };

function user(role: Role, more: Partial<UserPrincipal> = {}): UserPrincipal {
  return { kind: "user", userId: "u_1", email: "a@example.vn", role, provinces: [], facilityId: null, sessionId: "s_1", ...more };
}
const display = (provinces: string[] = []): DisplayPrincipal => ({ kind: "display", displayId: "d_1", name: "Hall", provinces });
const key = (facilityId: string): FacilityKeyPrincipal => ({ kind: "facility_key", keyId: "k_1", facilityId });

describe("roles", () => {
  it("are admin, manager and facility", () => {
    expect(ROLES).toEqual(["admin", "manager", "facility"]);
    expect(ROLES.every(isRole)).toBe(true);
    expect(isRole("display")).toBe(false);
    expect(isRole("ADMIN")).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });
});

describe("mayReadFacility", () => {
  const cases: [string, Principal, boolean, boolean, boolean][] = [
    // principal, reads SL_A, SL_B, LC_A
    ["admin", user("admin"), true, true, true],
    ["manager of every province", user("manager"), true, true, true],
    ["manager of son-la", user("manager", { provinces: ["son-la"] }), true, true, false],
    ["manager of both", user("manager", { provinces: ["son-la", "lao-cai"] }), true, true, true],
    ["clerk of sl-a", user("facility", { facilityId: "sl-a" }), true, false, false],
    ["clerk without a facility", user("facility"), false, false, false],
    ["display", display(), true, true, true],
    ["display of lao-cai", display(["lao-cai"]), false, false, true],
    ["key of lc-a", key("lc-a"), false, false, true],
  ];
  it.each(cases)("%s", (_name, p, a, b, c) => {
    expect([mayReadFacility(p, SL_A), mayReadFacility(p, SL_B), mayReadFacility(p, LC_A)]).toEqual([a, b, c]);
  });

  it("an admin's or a clerk's stray provinces change nothing; an unknown role reads nothing", () => {
    expect(mayReadFacility(user("admin", { provinces: ["lao-cai"] }), SL_A)).toBe(true);
    expect(mayReadFacility(user("facility", { facilityId: "sl-a", provinces: ["lao-cai"] }), LC_A)).toBe(false);
    expect(mayReadFacility(user("auditor" as Role), SL_A)).toBe(false);
  });
});

describe("mayOpenPage", () => {
  const principals: [string, Principal | null][] = [
    ["anonymous", null],
    ["admin", user("admin")],
    ["manager", user("manager", { provinces: ["son-la"] })],
    ["clerk", user("facility", { facilityId: "sl-a" })],
    ["display", display(["lao-cai"])],
    ["key", key("sl-a")],
  ];
  const expected: Record<string, Record<string, string>> = {
    "/": { anonymous: "login", admin: "ok", manager: "ok", clerk: "ok", display: "forbidden", key: "forbidden" },
    "/wall": { anonymous: "login", admin: "ok", manager: "ok", clerk: "forbidden", display: "ok", key: "forbidden" },
    "/login": { anonymous: "ok", admin: "ok", manager: "ok", clerk: "ok", display: "ok", key: "ok" },
    "/invite/cwi_abc": { anonymous: "ok", admin: "ok", manager: "ok", clerk: "ok", display: "ok", key: "ok" },
    "/admin": { anonymous: "login", admin: "ok", manager: "forbidden", clerk: "forbidden", display: "forbidden", key: "forbidden" },
    "/admin/audit": { anonymous: "login", admin: "ok", manager: "forbidden", clerk: "forbidden", display: "forbidden", key: "forbidden" },
    "/import": { anonymous: "login", admin: "ok", manager: "forbidden", clerk: "ok", display: "forbidden", key: "forbidden" },
    "/entry": { anonymous: "login", admin: "forbidden", manager: "forbidden", clerk: "ok", display: "forbidden", key: "forbidden" },
    // A facility's page: any person by role (the server then checks mayReadFacility for the id).
    "/facilities/sl-a": { anonymous: "login", admin: "ok", manager: "ok", clerk: "ok", display: "forbidden", key: "forbidden" },
    "/referrals": { anonymous: "login", admin: "ok", manager: "ok", clerk: "forbidden", display: "forbidden", key: "forbidden" },
    "/targets": { anonymous: "login", admin: "ok", manager: "ok", clerk: "forbidden", display: "forbidden", key: "forbidden" },
    "/reports/son-la/2026-11": { anonymous: "login", admin: "ok", manager: "ok", clerk: "forbidden", display: "forbidden", key: "forbidden" },
    "/administrator": { anonymous: "forbidden", admin: "forbidden", manager: "forbidden", clerk: "forbidden", display: "forbidden", key: "forbidden" },
  };
  for (const [path, row] of Object.entries(expected)) {
    it.each(principals)(`${path}: %s`, (name, p) => expect(mayOpenPage(p, path)).toBe(row[name]));
  }

  it("lists exactly the pages of this slice", () => {
    expect(PAGES).toEqual({
      "/": ["admin", "manager", "facility"],
      "/wall": ["display", "admin", "manager"],
      "/entry": ["facility"],
      "/import": ["facility", "admin"],
      "/admin": ["admin"],
      "/admin/audit": ["admin"],
      "/facilities": ["admin", "manager", "facility"],
      "/referrals": ["admin", "manager"],
      "/targets": ["admin", "manager"],
      "/reports": ["admin", "manager"],
      "/login": "public",
      "/invite": "public",
    });
    expect(Object.isFrozen(PAGES)).toBe(true);
  });

  it("matches whole segments: a key covers the paths below it, `/` only itself", () => {
    const admin = user("admin");
    expect(mayOpenPage(admin, "/wall/")).toBe("ok");
    expect(mayOpenPage(null, "/invite")).toBe("ok");
    expect(mayOpenPage(null, "/invitex")).toBe("forbidden");
    expect(mayOpenPage(admin, "/wallpaper")).toBe("forbidden");
    expect(mayOpenPage(admin, "/anything")).toBe("forbidden");
    expect(mayOpenPage(null, "/login?next=%2Fwall")).toBe("ok");
    expect(mayOpenPage(admin, "/?x=1")).toBe("ok");
  });

  it("refuses dot segments and paths that are not absolute", () => {
    expect(mayOpenPage(null, "/invite/../admin")).toBe("forbidden");
    expect(mayOpenPage(null, "/invite/%2E%2E/admin")).toBe("forbidden");
    expect(mayOpenPage(null, "/login/./x")).toBe("forbidden");
    expect(mayOpenPage(user("admin"), "")).toBe("forbidden");
    expect(mayOpenPage(user("admin"), "wall")).toBe("forbidden");
  });

  it("does not answer inherited object keys as pages", () => {
    expect(mayOpenPage(user("admin"), "/constructor")).toBe("forbidden");
    expect(mayOpenPage(user("admin"), "__proto__")).toBe("forbidden");
  });
});

describe("passwords", () => {
  it("need at least 10 characters", () => expect(PASSWORD_MIN_LENGTH).toBe(10));
});
