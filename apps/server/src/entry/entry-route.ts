import { Hono, type Context } from "hono";
import type { UserPrincipal } from "@carewatch/domain";
import type { GroupCommitter, Store } from "@carewatch/store";
import { jsonFromOwnOrigin } from "../auth/csrf.js";
import { principalFromCookies, type SessionAuth } from "../auth/principal.js";
import { ingest } from "../http/ingest-route.js";
import { problem } from "../http/problem.js";

export interface EntryRouteDeps {
  store: Store;
  committer: GroupCommitter;
  now: () => number;
  auth: SessionAuth;
  publicOrigin: string;
}

type Clerk = UserPrincipal & { role: "facility"; facilityId: string };
type Env = { Variables: { clerk: Clerk } };

const NOT_LOGGED_IN = "Chưa đăng nhập hoặc phiên đã hết hạn · Not logged in, or the session has ended.";
const NOT_A_CLERK = "Chỉ tài khoản của cơ sở mới nhập được số liệu · Only a facility's account may enter figures.";

/** The logged-in facility clerk of a request, or the problem to answer. */
async function clerkOf(c: Context, auth: SessionAuth): Promise<Clerk | Response> {
  const p = await principalFromCookies(c.req.header("cookie"), auth);
  if (p === null) return problem(c, "unauthorized", { detail: NOT_LOGGED_IN });
  if (p.kind !== "user" || p.role !== "facility" || p.facilityId === null) return problem(c, "forbidden", { detail: NOT_A_CLERK });
  return p as Clerk;
}

/**
 * `/entry/*`: a facility's clerk enters events on a phone (the /entry page). The body of
 * `POST /entry/events` is one Facility API event, checked and logged exactly as a system's post
 * to /api/v1/events (the same `ingest`: domain validation, the same group committer, the same
 * answers), for the clerk's own facility only. The session cookie is the credential, so POSTs are
 * JSON from our own origin only.
 */
export function entryRoutes(d: EntryRouteDeps) {
  const app = new Hono<Env>();

  // Only these two paths: `/entry` itself is the page (the web routes serve it).
  for (const route of ["/events", "/facility"]) {
    app.use(route, jsonFromOwnOrigin(d.publicOrigin));
    app.use(route, async (c, next) => {
      const clerk = await clerkOf(c, d.auth);
      if (clerk instanceof Response) return clerk;
      c.set("clerk", clerk);
      return next();
    });
  }

  app.get("/facility", async (c) => {
    const clerk = c.get("clerk");
    const f = d.store.registry.byId.get(clerk.facilityId);
    const status = await d.store.reads.facilityStatus(clerk.facilityId, d.now());
    if (!f || !status) return problem(c, "not-found", { detail: `Không có cơ sở ${clerk.facilityId} · No facility ${clerk.facilityId}` });
    return c.json({
      id: f.id,
      name: f.name,
      name_en: f.nameEn,
      capacity: f.capacity,
      time_zone: f.timeZone,
      units: f.units.map((u) => ({ id: u.id, name: u.name, name_en: u.nameEn, capacity: u.capacity })),
      status,
    });
  });

  app.post("/events", async (c) => {
    const clerk = c.get("clerk");
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return problem(c, "malformed-json", { detail: "Dữ liệu gửi lên không phải JSON hợp lệ · The body is not valid JSON." });
    }
    return ingest(
      c,
      d,
      body,
      clerk.facilityId,
      `tài khoản này chỉ nhập được cho ${clerk.facilityId} · this account may enter events for ${clerk.facilityId} only`,
      `Tài khoản thuộc cơ sở ${clerk.facilityId} · The account belongs to ${clerk.facilityId}`,
      {
        single: true,
        validationDetail: (n) => `${n} lỗi trong dữ liệu; chưa lưu gì · ${n} problem(s) in the request; nothing was stored`,
        // Who entered it: one audit entry per event stored for the first time (a retry adds none).
        onStored: async (results, events) => {
          for (const [i, r] of results.entries()) {
            if (r.status !== "accepted") continue;
            await d.store.audit.record({
              at: d.now(),
              actor: { kind: "user", id: clerk.userId, email: clerk.email },
              action: "entry.event",
              target: clerk.facilityId,
              after: { event_id: r.event_id, type: events[i]!.type },
            });
          }
        },
      },
    );
  });

  return app;
}
