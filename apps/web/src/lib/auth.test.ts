import { describe, expect, it } from "vitest";
import { failureText, looksLikeEmail, safeNext } from "./auth";
import { MESSAGES } from "./i18n";

const ORIGIN = "https://carewatch.example";

describe("safeNext: only a path on this origin", () => {
  it("keeps a same-origin path with its query and hash", () => {
    expect(safeNext("/wall", ORIGIN)).toBe("/wall");
    expect(safeNext("/wall?lang=en#x", ORIGIN)).toBe("/wall?lang=en#x");
    expect(safeNext("/", ORIGIN)).toBe("/");
  });
  it("refuses other origins, protocol-relative and odd forms", () => {
    for (const bad of ["https://evil.example/", "//evil.example/wall", "/\\evil.example", "javascript:alert(1)", "wall", "", null, undefined]) {
      expect(safeNext(bad, ORIGIN), String(bad)).toBe("/");
    }
  });
  it("never goes back to the login or an invitation", () => {
    expect(safeNext("/login?next=/wall", ORIGIN)).toBe("/");
    expect(safeNext("/invite/cwi_x", ORIGIN)).toBe("/");
  });
});

describe("messages", () => {
  it("an email needs an @ and no spaces", () => {
    expect(looksLikeEmail("a@b.vn")).toBe(true);
    expect(looksLikeEmail("a b@c")).toBe(false);
    expect(looksLikeEmail("ab.vn")).toBe(false);
  });
  it("the server's detail first, then ours by status", () => {
    const m = MESSAGES.vi;
    expect(failureText({ ok: false, status: 401, detail: "Sai. · Wrong.", retryAfter: null }, m, "vi", "x")).toBe("Sai. · Wrong.");
    expect(failureText({ ok: false, status: 401, detail: null, retryAfter: null }, m, "vi", m.loginFailed)).toBe(m.loginFailed);
    expect(failureText({ ok: false, status: 429, detail: null, retryAfter: 600 }, m, "vi", "x")).toBe("Quá nhiều lần thử. Hãy thử lại sau 10 phút.");
    expect(failureText({ ok: false, status: 0, detail: null, retryAfter: null }, m, "vi", "x")).toBe(m.networkError);
    expect(failureText({ ok: false, status: 502, detail: null, retryAfter: null }, MESSAGES.en, "en", "x")).toContain("(502)");
  });
});
