import type { Context } from "hono";
import type { Store } from "@carewatch/store";
import { problem } from "./problem.js";

export interface KeyPrincipal {
  keyId: string;
  facilityId: string;
}

/** Bearer key → the facility it belongs to, or a 401 problem (missing, unknown or revoked key). */
export function authenticateKey(c: Context, store: Store, now: number): KeyPrincipal | Response {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) {
    return problem(c, "unauthorized", { detail: "Missing Authorization: Bearer <key>", headers: { "www-authenticate": 'Bearer realm="carewatch"' } });
  }
  const check = store.checkKey(match[1], now);
  if (!check.ok) {
    return problem(c, "unauthorized", {
      detail: check.reason === "revoked" ? "This key has been revoked" : "Unknown key",
      headers: { "www-authenticate": 'Bearer realm="carewatch", error="invalid_token"' },
    });
  }
  return { keyId: check.keyId, facilityId: check.facilityId };
}
