import type { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { Logger } from "pino";

/** Codes a working client meets in normal operation (no token yet, a removed facility). */
const ROUTINE = new Set<TRPCError["code"]>(["UNAUTHORIZED", "NOT_FOUND"]);

/**
 * One log line per tRPC error, with the request id of the HTTP line: routine client errors at
 * info, other client errors (a bad input is a bug in the web app) at warn without a stack, and
 * faults in carewatch itself at error with the cause and its stack.
 */
export function logTrpcError(log: Logger, reqId: string | undefined, opts: { error: TRPCError; type: string; path: string | undefined }): void {
  const { error, type, path } = opts;
  const status = getHTTPStatusCodeFromError(error);
  const fields = { req_id: reqId, trpc_code: error.code, trpc_path: path ?? null, trpc_type: type, status };
  if (status >= 500) log.error({ ...fields, err: error.cause ?? error }, "trpc error");
  else if (ROUTINE.has(error.code)) log.info({ ...fields, message: error.message }, "trpc error");
  else log.warn({ ...fields, message: error.message }, "trpc error");
}
