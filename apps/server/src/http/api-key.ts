import type { Context } from "hono";
import type { FacilityKeyPrincipal } from "@carewatch/domain";
import type { Store } from "@carewatch/store";
import { problem } from "./problem.js";

/** Bearer key → the facility principal it stands for, or a 401 problem (missing, unknown or revoked key). */
export async function authenticateKey(c: Context, store: Store, now: number): Promise<FacilityKeyPrincipal | Response> {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) {
    return problem(c, "unauthorized", { detail: "Missing Authorization: Bearer <key>", headers: { "www-authenticate": 'Bearer realm="carewatch"' } });
  }
  const check = await store.credentials.authenticateKey(match[1], now);
  if (!check.ok) {
    return problem(c, "unauthorized", {
      detail: check.reason === "revoked" ? "This key has been revoked" : "Unknown key",
      headers: { "www-authenticate": 'Bearer realm="carewatch", error="invalid_token"' },
    });
  }
  return check.principal;
}
