import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCClientError } from "@trpc/client";
import type { StatusPatch } from "@carewatch/domain";
import { census } from "../support/contract-helpers.js";
import { connectOutcome, createAccount, getPage, login, socketWithCookie, trpcWithCookie } from "../support/accounts.js";
import { postEvents, readResponse, startTestServer, type TestServer } from "../support/server.js";

/**
 * Issue 7, roles checked on the server: every principal × every page, board procedure, REST
 * status read and the live socket — allowed or refused, and what an allowed one sees.
 */

const OWN = "sl-drug-rehab-song-ma"; // Sơn La: the clerk's and the key's facility
const OTHER = "lc-social-work"; // Lào Cai
const SL = ["sl-drug-rehab", "sl-drug-rehab-song-ma", "sl-social-protection", "sl-psychiatric", "sl-merit-nursing"];
const LC = ["lc-merit-nursing-sapa", "lc-social-work", "lc-drug-rehab-1", "lc-drug-rehab-2"];
const ALL = [...SL, ...LC];

type PageAnswer = "ok" | "login" | "wall-refused" | "forbidden";
interface Expectation {
  pages: Record<"/" | "/wall" | "/login", PageAnswer>;
  /** The facilities board reads show, or the tRPC error code. */
  board: string[] | "UNAUTHORIZED" | "FORBIDDEN";
  rest: { own: number; other: number };
  socket: "connected" | "unauthorized" | "forbidden";
}

const EXPECTED: Record<string, Expectation> = {
  anonymous: {
    pages: { "/": "login", "/wall": "wall-refused", "/login": "ok" },
    board: "UNAUTHORIZED",
    rest: { own: 401, other: 401 },
    socket: "unauthorized",
  },
  admin: { pages: { "/": "ok", "/wall": "ok", "/login": "ok" }, board: ALL, rest: { own: 200, other: 200 }, socket: "connected" },
  "manager of Sơn La": { pages: { "/": "ok", "/wall": "ok", "/login": "ok" }, board: SL, rest: { own: 200, other: 403 }, socket: "connected" },
  "manager of every province": { pages: { "/": "ok", "/wall": "ok", "/login": "ok" }, board: ALL, rest: { own: 200, other: 200 }, socket: "connected" },
  "facility clerk": { pages: { "/": "ok", "/wall": "forbidden", "/login": "ok" }, board: "FORBIDDEN", rest: { own: 200, other: 403 }, socket: "forbidden" },
  display: { pages: { "/": "forbidden", "/wall": "ok", "/login": "ok" }, board: ALL, rest: { own: 200, other: 200 }, socket: "connected" },
  "display of Lào Cai": { pages: { "/": "forbidden", "/wall": "ok", "/login": "ok" }, board: LC, rest: { own: 403, other: 200 }, socket: "connected" },
  "facility key": {
    pages: { "/": "login", "/wall": "wall-refused", "/login": "ok" },
    board: "UNAUTHORIZED",
    rest: { own: 200, other: 403 },
    socket: "unauthorized",
  },
};

interface Who {
  cookie: string | null;
  headers: Record<string, string>;
  socketAuth: Record<string, string>;
}

let s: TestServer;
const who: Record<string, Who> = {};
const keys: Record<string, string> = {};

async function sessionOf(email: string): Promise<Who> {
  const r = await login(s.url, email);
  expect(r.status, r.text).toBe(200);
  return { cookie: r.cookie, headers: {}, socketAuth: {} };
}

beforeAll(async () => {
  s = await startTestServer();
  await createAccount(s, { email: "admin@example.vn", role: "admin" });
  await createAccount(s, { email: "manager.sl@example.vn", role: "manager", provinces: ["son-la"] });
  await createAccount(s, { email: "manager@example.vn", role: "manager" });
  await createAccount(s, { email: "clerk@example.vn", role: "facility", facilityId: OWN });
  keys[OWN] = await s.key(OWN);
  keys[OTHER] = await s.key(OTHER);
  const lcDisplay = (await s.store.credentials.createDisplay("Lào Cai wall", Date.now(), ["lao-cai"])).token;
  who.anonymous = { cookie: null, headers: {}, socketAuth: {} };
  who.admin = await sessionOf("admin@example.vn");
  who["manager of Sơn La"] = await sessionOf("manager.sl@example.vn");
  who["manager of every province"] = await sessionOf("manager@example.vn");
  who["facility clerk"] = await sessionOf("clerk@example.vn");
  who.display = { cookie: `cw_display=${await s.display()}`, headers: {}, socketAuth: {} };
  who["display of Lào Cai"] = { cookie: `cw_display=${lcDisplay}`, headers: {}, socketAuth: {} };
  // A key is a bearer credential: sent everywhere it could be (header, socket auth), it opens only the Facility API.
  who["facility key"] = { cookie: null, headers: { authorization: `Bearer ${keys[OWN]}` }, socketAuth: { token: keys[OWN]! } };
  for (const f of [OWN, OTHER]) expect((await postEvents(s.url, keys[f]!, census(f, 10, Date.now() - 60_000))).status).toBe(202);
});
afterAll(() => s?.stop());

async function trpcOutcome<T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: string }> {
  try {
    return { ok: true, value: await call() };
  } catch (e) {
    if (e instanceof TRPCClientError) return { ok: false, code: String((e.data as { code?: string } | undefined)?.code) };
    throw e;
  }
}

describe.each(Object.entries(EXPECTED))("%s", (name, expected) => {
  const w = () => who[name]!;

  it.each(Object.entries(expected.pages))("page %s: %s", async (pathname, answer) => {
    const r = await readResponse(
      await fetch(`${s.url}${pathname}`, { headers: { ...w().headers, ...(w().cookie ? { cookie: w().cookie! } : {}) }, redirect: "manual" }),
    );
    if (answer === "ok") expect([200, 503], r.text.slice(0, 200)).toContain(r.status); // 503: the guard let it through to an unbuilt web app
    if (answer === "login") {
      expect(r.status).toBe(302);
      expect(r.headers.get("location")).toBe(`/login?next=${encodeURIComponent(pathname)}`);
    }
    if (answer === "wall-refused") {
      expect(r.status).toBe(401);
      expect(r.text).toContain("chưa được cấp quyền");
    }
    if (answer === "forbidden") {
      expect(r.status).toBe(403);
      expect(r.text).toMatch(/Bạn không có quyền mở trang này[\s\S]*You may not open this page/);
    }
  });

  it("board procedures: snapshot, changesSince, facilityStatus and trend", async () => {
    const trpc = trpcWithCookie(s.url, w().cookie, w().headers);
    const snapshot = await trpcOutcome(() => trpc.board.snapshot.query());
    const changes = await trpcOutcome(() => trpc.board.changesSince.query({ seq: 0 }));
    const own = await trpcOutcome(() => trpc.board.facilityStatus.query({ facilityId: OWN }));
    const other = await trpcOutcome(() => trpc.board.facilityStatus.query({ facilityId: OTHER }));
    const ownTrend = await trpcOutcome(() => trpc.board.trend.query({ facilityId: OWN }));
    const otherTrend = await trpcOutcome(() => trpc.board.trend.query({ facilityId: OTHER }));
    if (typeof expected.board === "string") {
      for (const o of [snapshot, changes, own, other, ownTrend, otherTrend]) expect(o).toEqual({ ok: false, code: expected.board });
      return;
    }
    const visible = new Set(expected.board);
    if (!snapshot.ok || !changes.ok) throw new Error(`board refused: ${JSON.stringify([snapshot, changes])}`);
    expect(snapshot.value.facilities.map((f) => f.facility_id).sort()).toEqual([...expected.board].sort());
    expect(Object.keys(snapshot.value.trends).sort()).toEqual([...expected.board].sort());
    expect(snapshot.value.ticker.every((t) => visible.has(t.facility_id))).toBe(true);
    expect(snapshot.value.ticker.length).toBeGreaterThan(0);
    expect(changes.value!.facilities.map((f) => f.facility_id).sort()).toEqual([OWN, OTHER].filter((f) => visible.has(f)).sort());
    expect(changes.value!.ticker.every((t) => visible.has(t.facility_id))).toBe(true);
    for (const [id, status, trend] of [
      [OWN, own, ownTrend],
      [OTHER, other, otherTrend],
    ] as const) {
      if (visible.has(id)) {
        expect(status.ok && (status.value as { facility_id: string } | null)?.facility_id).toBe(id);
        expect(trend.ok && Array.isArray(trend.value)).toBe(true);
      } else {
        expect(status).toEqual({ ok: false, code: "FORBIDDEN" });
        expect(trend).toEqual({ ok: false, code: "FORBIDDEN" });
      }
    }
  });

  it(`REST status: own facility ${expected.rest.own}, other ${expected.rest.other}`, async () => {
    for (const [id, status] of [
      [OWN, expected.rest.own],
      [OTHER, expected.rest.other],
    ] as const) {
      const r = await readResponse(
        await fetch(`${s.url}/api/v1/facilities/${id}/status`, { headers: { ...w().headers, ...(w().cookie ? { cookie: w().cookie! } : {}) } }),
      );
      expect(r.status, `${id}: ${r.text.slice(0, 300)}`).toBe(status);
      if (status === 200) expect(r.json.facility_id).toBe(id);
      else expect(r.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
  });

  it(`live socket: ${expected.socket}`, async () => {
    const socket = socketWithCookie(s.url, w().cookie, w().socketAuth);
    try {
      const outcome = await connectOutcome(socket);
      if (expected.socket === "connected") expect(outcome).toBe("connected");
      else expect(outcome).toMatch(new RegExp(`^${expected.socket}:`));
    } finally {
      socket.close();
    }
  });
});

describe("live patches carry only the facilities a principal may read", () => {
  it("a manager of Sơn La and a display of Lào Cai each see their own province; an admin both", async () => {
    const watchers = { sl: who["manager of Sơn La"]!, lc: who["display of Lào Cai"]!, admin: who.admin! };
    const seen: Record<string, StatusPatch[]> = { sl: [], lc: [], admin: [] };
    const sockets = Object.entries(watchers).map(([k, w]) => {
      const socket = socketWithCookie(s.url, w.cookie);
      socket.on("patch", (p) => seen[k]!.push(p));
      return socket;
    });
    // Each socket's outcome is listened for from its creation: awaited one by one, a socket that
    // connected while the test waited for the one before would never be heard to connect.
    const outcomes = sockets.map((socket) => connectOutcome(socket));
    try {
      expect(await Promise.all(outcomes)).toEqual(["connected", "connected", "connected"]);
      const base = Date.now() - 30_000;
      // Interleaved: each watcher's last awaited event was committed after one it must not see.
      const posts: [string, number][] = [
        [OTHER, 21],
        [OWN, 22],
        [OTHER, 23],
        [OWN, 24],
      ];
      for (const [i, [f, n]] of posts.entries()) expect((await postEvents(s.url, keys[f]!, census(f, n, base + i * 1000))).status).toBe(202);
      const has = (k: string, f: string, n: number) => seen[k]!.some((p) => p.facilities.some((x) => x.facility_id === f && x.occupied === n));
      const until = async (cond: () => boolean) => {
        const end = Date.now() + 10_000;
        while (!cond()) {
          if (Date.now() > end) throw new Error(`not received: ${JSON.stringify(seen).slice(0, 500)}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await until(() => has("sl", OWN, 24) && has("lc", OTHER, 23) && has("admin", OWN, 24) && has("admin", OTHER, 23));
      const ids = (k: string) => new Set(seen[k]!.flatMap((p) => [...p.facilities.map((f) => f.facility_id), ...p.ticker.map((t) => t.facility_id)]));
      expect([...ids("sl")].every((f) => SL.includes(f))).toBe(true);
      expect([...ids("lc")].every((f) => LC.includes(f))).toBe(true);
      expect(ids("admin")).toContain(OWN);
      expect(ids("admin")).toContain(OTHER);
    } finally {
      for (const socket of sockets) socket.close();
    }
  });
});

describe("a page's next survives the login", () => {
  it("/wall?kiosk=0 without a session → login page with next; after logging in, next is that page", async () => {
    const r = await getPage(s.url, "/?x=1", null);
    expect(r.status).toBe(302);
    expect(r.headers.get("location")).toBe("/login?next=%2F%3Fx%3D1");
    const logged = await login(s.url, "admin@example.vn", undefined, { next: "/?x=1" });
    expect(logged.json.next).toBe("/?x=1");
  });
});
