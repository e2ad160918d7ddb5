import type { OverdueThresholds } from "@carewatch/domain";
import { createAdminRouter } from "./admin-router.js";
import { createBoardRouter } from "./board-router.js";
import { createFacilityRouter } from "./facility-router.js";
import { createReferralsRouter } from "./referrals-router.js";
import { createReportsRouter } from "./reports-router.js";
import { createTargetsRouter } from "./targets-router.js";
import { createTrpc } from "./trpc.js";

export function createAppRouter(opts: {
  isDev: boolean;
  /** Where invitation and wall URLs point. */ publicUrl?: string;
  /** CAREWATCH_REFERRAL_OVERDUE (defaults: the domain's). */ referralOverdue?: OverdueThresholds;
}) {
  const trpc = createTrpc(opts);
  return trpc.router({
    board: createBoardRouter(trpc),
    admin: createAdminRouter(trpc, { publicUrl: opts.publicUrl ?? "http://localhost:3000" }),
    referrals: createReferralsRouter(trpc, { overdue: opts.referralOverdue }),
    targets: createTargetsRouter(trpc),
    facility: createFacilityRouter(trpc),
    reports: createReportsRouter(trpc),
  });
}

export type AppRouter = ReturnType<typeof createAppRouter>;
