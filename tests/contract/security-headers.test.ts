import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { census, REHAB, SONG_MA, T0 } from "../support/contract-helpers.js";
import { createAccount, login } from "../support/accounts.js";
import { startTestServer, type TestServer } from "../support/server.js";

/** Security headers on every kind of response the server sends. */

const EXPECTED = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": "frame-ancestors 'none'",
  "referrer-policy": "strict-origin-when-cross-origin",
};
/** HTML pages carry a full policy in place of the bare frame-ancestors one. */
const { "content-security-policy": _bare, ...EXPECTED_ON_PAGES } = EXPECTED;

/** A policy as directive → sources. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name!.toLowerCase(), sources]),
  );
}
const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
/** The content of the page's one inline <style>. */
const inlineStyle = (html: string) => /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? null;
const metaPolicy = (html: string) => /<meta http-equiv="content-security-policy" content="([^"]*)"/i.exec(html)?.[1]?.replace(/&#39;/g, "'") ?? null;

/** A server-written page: no script, no 'unsafe-inline', its one <style> allowed by its hash. */
function expectOwnPagePolicy(policy: string, html: string) {
  const d = directives(policy);
  expect(d.get("default-src")).toEqual(["'none'"]);
  expect(d.get("script-src")).toBeUndefined();
  expect(policy).not.toContain("unsafe-inline");
  const css = inlineStyle(html);
  expect(css).not.toBeNull();
  expect(d.get("style-src")).toEqual([sha256(css!)]);
}

describe("security headers", () => {
  let s: TestServer;
  let display: string;
  let key: string;
  beforeAll(async () => {
    s = await startTestServer();
    display = await s.display();
    key = await s.key(SONG_MA);
  });
  afterAll(async () => {
    await s?.stop();
  });

  // The server's own HTML pages: their own policy (checked below with the page's body).
  const OWN_PAGES = new Set(["guarded page refused", "unlisted page refused (pages are refused by default)"]);
  const cases: [string, () => Promise<Response>, number][] = [
    ["health", () => fetch(`${s.url}/healthz`), 200],
    [
      "Facility API accepted",
      () =>
        fetch(`${s.url}/api/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify(census(SONG_MA, 3, T0)),
        }),
      202,
    ],
    ["Facility API problem (401)", () => fetch(`${s.url}/api/v1/events`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }), 401],
    [
      "Facility API problem (malformed JSON)",
      () => fetch(`${s.url}/api/v1/events`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: "{" }),
      400,
    ],
    ["API 404 problem", () => fetch(`${s.url}/api/v1/nope`), 404],
    ["OpenAPI document", () => fetch(`${s.url}/api/v1/openapi.json`), 200],
    ["docs page", () => fetch(`${s.url}/api/v1/docs`), 200],
    ["problem type page", () => fetch(`${s.url}/problems/validation`), 200],
    ["problem type 404", () => fetch(`${s.url}/problems/constructor`), 404],
    ["tRPC success", () => fetch(`${s.url}/trpc/board.snapshot`, { headers: { cookie: `cw_display=${display}` } }), 200],
    ["tRPC error", () => fetch(`${s.url}/trpc/board.snapshot`), 401],
    ["guarded page refused", () => fetch(`${s.url}/wall`), 401],
    ["unlisted page refused (pages are refused by default)", () => fetch(`${s.url}/some/client/route`), 403],
    ["page for logged-in people redirects to the login", () => fetch(`${s.url}/`, { redirect: "manual" }), 302],
    ["unrouted method (Hono's 404)", () => fetch(`${s.url}/no-such-page`, { method: "DELETE" }), 404],
    // Socket.IO answers outside Hono: its handshake (refused without a token) and its errors too.
    ["Socket.IO handshake", () => fetch(`${s.url}/socket.io/?EIO=4&transport=polling`), 200],
    ["Socket.IO error (bad transport)", () => fetch(`${s.url}/socket.io/?EIO=4&transport=nope`), 400],
  ];

  for (const [name, request, status] of cases) {
    it(`${name}: ${status} with nosniff, DENY, frame-ancestors 'none' and the referrer policy`, async () => {
      const res = await request();
      const body = await res.text();
      expect(res.status).toBe(status);
      const own = OWN_PAGES.has(name);
      for (const [h, v] of Object.entries(own ? EXPECTED_ON_PAGES : EXPECTED)) expect(res.headers.get(h), `${name}: ${h}`).toBe(v);
      expect(res.headers.get("x-powered-by")).toBeNull();
      if (own) {
        const policy = res.headers.get("content-security-policy")!;
        expect(directives(policy).get("frame-ancestors")).toEqual(["'none'"]);
        expectOwnPagePolicy(policy, body);
      }
    });
  }

  it("the API docs page carries its own policy in a meta tag (no script, its style by hash); the header adds frame-ancestors", async () => {
    const res = await fetch(`${s.url}/api/v1/docs`);
    const html = await res.text();
    expect(res.headers.get("content-security-policy")).toBe("frame-ancestors 'none'");
    const meta = metaPolicy(html);
    expect(meta).not.toBeNull();
    expectOwnPagePolicy(meta!, html);
    // A meta tag cannot carry frame-ancestors (browsers ignore it there, with an error).
    expect(directives(meta!).has("frame-ancestors")).toBe(false);
  });

  it("every page of the web app: the header is the build's meta policy plus frame-ancestors 'none', with no 'unsafe-inline' script", async ({ skip }) => {
    const index = await fetch(`${s.url}/login`);
    const html = await index.text();
    if (index.status === 503) skip("apps/web is not built");
    const meta = metaPolicy(html);
    expect(meta, "the build's index.html carries SvelteKit's CSP meta tag (kit.csp in svelte.config.js)").not.toBeNull();
    const expected = `${meta}; frame-ancestors 'none'`;
    const m = directives(meta!);
    expect(m.get("script-src")).toContain("'self'");
    expect(
      m.get("script-src")!.some((v) => v.startsWith("'sha256-")),
      "the bootstrap script's hash",
    ).toBe(true);
    expect(m.get("script-src")).not.toContain("'unsafe-inline'");
    expect(m.get("script-src")).not.toContain("'unsafe-eval'");
    expect(m.get("style-src")).not.toContain("'unsafe-inline'");
    expect(m.get("default-src")).toEqual(["'self'"]);
    expect(m.get("object-src")).toEqual(["'none'"]);
    expect(m.get("base-uri")).toEqual(["'self'"]);
    expect(m.get("form-action")).toEqual(["'self'"]);
    // The bootstrap script's hash is the hash of the script the page really has.
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1];
    expect(m.get("script-src")).toContain(sha256(script!));

    await createAccount(s, { email: "csp.admin@example.vn", role: "admin" });
    await createAccount(s, { email: "csp.manager@example.vn", role: "manager" });
    await createAccount(s, { email: "csp.clerk@example.vn", role: "facility", facilityId: REHAB });
    const adminCookie = (await login(s.url, "csp.admin@example.vn")).cookie!;
    const managerCookie = (await login(s.url, "csp.manager@example.vn")).cookie!;
    const clerkCookie = (await login(s.url, "csp.clerk@example.vn")).cookie!;
    const pages: [string, string | null][] = [
      ["/login?next=%2F", null],
      ["/wall", `cw_display=${display}`],
      ["/", managerCookie],
      ["/admin", adminCookie],
      ["/admin/audit", adminCookie],
      ["/entry", clerkCookie],
      ["/import", clerkCookie],
      ["/invite/some-token", null],
    ];
    for (const [pathname, cookie] of pages) {
      const res = await fetch(`${s.url}${pathname}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
      const body = await res.text();
      expect(res.status, pathname).toBe(200);
      for (const [h, v] of Object.entries(EXPECTED_ON_PAGES)) expect(res.headers.get(h), `${pathname}: ${h}`).toBe(v);
      expect(res.headers.get("content-security-policy"), pathname).toBe(expected);
      expect(metaPolicy(body), pathname).toBe(meta);
    }
  });
});
