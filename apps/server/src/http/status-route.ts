import { Hono } from "hono";
import { mayReadFacility } from "@carewatch/domain";
import type { Store } from "@carewatch/store";
import { authenticateKey } from "./api-key.js";
import { problem } from "./problem.js";

/** `GET /api/v1/facilities/{facility_id}/status` — a key reads its own facility only. */
export function statusRoute(deps: { store: Store; now: () => number }) {
  const app = new Hono();
  app.get("/:facilityId/status", async (c) => {
    const principal = await authenticateKey(c, deps.store, deps.now());
    if (principal instanceof Response) return principal;
    const id = c.req.param("facilityId");
    if (!mayReadFacility(principal, id)) return problem(c, "forbidden", { detail: `This key may read ${principal.facilityId} only` });
    const status = await deps.store.reads.facilityStatus(id, deps.now());
    if (!status) return problem(c, "not-found", { detail: `No facility ${id}` });
    return c.json(status);
  });
  return app;
}
