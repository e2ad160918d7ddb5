// /referrals' tRPC client (the web imports only the AppRouter type), on the page's own origin so
// the session cookie goes along; and the answers' types, inferred from the router.
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@carewatch/server/router";

export const referralsApi = () => createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${location.origin}/trpc` })] }).referrals;

type Outputs = inferRouterOutputs<AppRouter>["referrals"];
export type ListAnswer = Outputs["list"];
export type ReferralRow = ListAnswer["referrals"][number];
export type CountsAnswer = Outputs["counts"];

/** The tRPC error code of a failed call, or "NETWORK" when the server was not reached. */
export function errorCode(e: unknown): string {
  return e instanceof TRPCClientError ? String((e as TRPCClientError<AppRouter>).data?.code ?? "NETWORK") : "NETWORK";
}
