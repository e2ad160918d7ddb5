import { createHash, randomBytes } from "node:crypto";

/** Only the sha256 of a secret is stored: a leaked database does not leak working secrets. */
export function sha256Hex(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/**
 * A bearer secret: 32 random bytes (256 bits) after a prefix that says what it is. Far beyond
 * guessing, so a plain hash (no salt, no KDF) is enough to store it.
 */
export function newToken(prefix: string): string {
  return prefix + randomBytes(32).toString("base64url");
}

/** A display's token: 24 bytes (192 bits), as display tokens have always had — still far beyond guessing. */
export function newDisplayToken(): string {
  return "cwd_" + randomBytes(24).toString("base64url");
}

/** Short random id, safe to show and log (it is not the secret). */
export function shortId(prefix: string, bytes = 6): string {
  return prefix + randomBytes(bytes).toString("base64url");
}
