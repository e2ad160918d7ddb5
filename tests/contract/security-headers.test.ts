import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { census, SONG_MA, T0 } from "../support/contract-helpers.js";
import { startTestServer, type TestServer } from "../support/server.js";

/** Security headers on every kind of response the server sends. */

const EXPECTED = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": "frame-ancestors 'none'",
  "referrer-policy": "strict-origin-when-cross-origin",
};

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
      await res.arrayBuffer();
      expect(res.status).toBe(status);
      for (const [h, v] of Object.entries(EXPECTED)) expect(res.headers.get(h), `${name}: ${h}`).toBe(v);
      expect(res.headers.get("x-powered-by")).toBeNull();
    });
  }

  it("web pages (the wall with its token, the login page) carry them too, when the web app is built", async ({ skip }) => {
    const index = await fetch(`${s.url}/`);
    await index.arrayBuffer();
    if (index.status === 503) skip("apps/web is not built");
    const pages = [index, await fetch(`${s.url}/wall`, { headers: { cookie: `cw_display=${display}` } }), await fetch(`${s.url}/login?next=%2F`)];
    for (const res of pages) {
      if (!res.bodyUsed) await res.arrayBuffer();
      expect(res.status, res.url).toBe(200);
      for (const [h, v] of Object.entries(EXPECTED)) expect(res.headers.get(h), `${res.url}: ${h}`).toBe(v);
    }
  });
});
