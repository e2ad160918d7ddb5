import { Hono } from "hono";
import { mayReadFacility, type Principal } from "@carewatch/domain";
import type { Store } from "@carewatch/store";
import { principalFromCookies, type SessionAuth } from "../auth/principal.js";
import { authenticateKey } from "./api-key.js";
import { problem } from "./problem.js";

/**
 * `GET /api/v1/facilities/{facility_id}/status` — a facility key reads its own facility; a
 * logged-in person or a display (cookie) the facilities the domain's `mayReadFacility` allows.
 */
export function statusRoute(deps: { store: Store; now: () => number; auth: SessionAuth }) {
  const app = new Hono();
  app.get("/:facilityId/status", async (c) => {
    let principal: Principal | null = null;
    if (c.req.header("authorization") === undefined) principal = await principalFromCookies(c.req.header("cookie"), deps.auth);
    if (principal === null) {
      const key = await authenticateKey(c, deps.store, deps.now());
      if (key instanceof Response) return key;
      principal = key;
    }
    const id = c.req.param("facilityId");
    const facility = deps.store.registry.byId.get(id);
    if (!mayReadFacility(principal, { id, province: facility?.province ?? "" })) {
      return problem(c, "forbidden", {
        detail:
          principal.kind === "facility_key" ? `This key may read ${principal.facilityId} only` : `Không được xem cơ sở ${id} · You may not read facility ${id}`,
      });
    }
    const status = await deps.store.reads.facilityStatus(id, deps.now());
    if (!status) return problem(c, "not-found", { detail: `No facility ${id}` });
    return c.json(status);
  });
  return app;
}
