// The admin console's tRPC client (the web imports only the AppRouter type), on the page's own
// origin: the session cookie goes along with each request.
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import type { AppRouter } from "@carewatch/server/router";
import type { Lang } from "../i18n";
import { adminMessages } from "./messages";

export const admin = () => createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${location.origin}/trpc` })] }).admin;

/** A readable sentence for a failed call: the server's own (Vietnamese, then English), or ours. */
export function errorText(e: unknown, lang: Lang): string {
  const m = adminMessages(lang);
  if (!(e instanceof TRPCClientError)) return m.networkError;
  const code = (e as TRPCClientError<AppRouter>).data?.code;
  if (code === "UNAUTHORIZED") return m.unauthorized;
  if (code === "FORBIDDEN") return m.forbidden;
  // zod's answer is a JSON list of issues: not for a person to read.
  if (code === "BAD_REQUEST" && e.message.trimStart().startsWith("[")) return m.invalidInput;
  if (code === "BAD_REQUEST" || code === "NOT_FOUND") return e.message;
  return m.networkError;
}

export function isUnauthorized(e: unknown): boolean {
  return e instanceof TRPCClientError && (e as TRPCClientError<AppRouter>).data?.code === "UNAUTHORIZED";
}
