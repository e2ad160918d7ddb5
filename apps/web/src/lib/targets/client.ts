// /targets' tRPC client (the web imports only the AppRouter type), on the page's own origin so the
// session cookie goes along; and the answers' types, inferred from the router.
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@carewatch/server/router";

export const targetsApi = () => createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${location.origin}/trpc` })] }).targets;

type Outputs = inferRouterOutputs<AppRouter>["targets"];
export type ListAnswer = Outputs["list"];
export type PlanRow = ListAnswer["plans"][number];
export type TargetRow = PlanRow["targets"][number];
export type ImportSummary = Outputs["import"];

/** The tRPC error code of a failed call, or "NETWORK" when the server was not reached. */
export function errorCode(e: unknown): string {
  return e instanceof TRPCClientError ? String((e as TRPCClientError<AppRouter>).data?.code ?? "NETWORK") : "NETWORK";
}

/** The server's own message (Vietnamese, then English) for a refused change; zod's JSON lists are not for people. */
export function serverMessage(e: unknown): string | null {
  if (!(e instanceof TRPCClientError)) return null;
  const code = errorCode(e);
  if ((code === "BAD_REQUEST" || code === "NOT_FOUND") && !e.message.trimStart().startsWith("[")) return e.message;
  return null;
}
