import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { DisplayPrincipal } from "@carewatch/domain";
import type { Store } from "@carewatch/store";

export const DISPLAY_COOKIE = "cw_display";

/** Parse one cookie out of a raw Cookie header (Socket.IO's handshake has no Hono context). */
export function cookieFromHeader(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The display principal of a request's cookie, or null (no token, or a wrong or revoked one). */
export async function displayFromContext(c: Context, store: Store): Promise<DisplayPrincipal | null> {
  const token = getCookie(c, DISPLAY_COOKIE);
  return token ? store.credentials.authenticateDisplay(token) : null;
}
