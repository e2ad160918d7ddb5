import { TRPCError } from "@trpc/server";
import { MonthlyReportInput } from "@carewatch/domain";
import { readMonthlyReport } from "../reports/monthly.js";
import type { Trpc } from "./trpc.js";

/** The monthly reports (`/reports`): the A4 page's data, and the provinces a reader may report on. */
export function createReportsRouter(trpc: Trpc) {
  const { router, managerProcedure: p } = trpc;
  return router({
    provinces: p.query(({ ctx }) =>
      ctx.store.registry.provinces.filter((pr) =>
        ctx.store.registry.facilities.some((f) => f.province === pr.id && (ctx.scope.all || ctx.scope.ids.has(f.id))),
      ),
    ),
    monthly: p.input(MonthlyReportInput).query(async ({ ctx, input }) => {
      const answer = await readMonthlyReport(ctx.store, ctx.scope, input.province, input.month, ctx.now());
      if (answer.ok) return answer.report;
      if (answer.reason === "unknown_province") throw new TRPCError({ code: "NOT_FOUND", message: `Không có tỉnh "${input.province}". / Unknown province.` });
      throw new TRPCError({ code: "FORBIDDEN", message: "Tỉnh này ngoài phạm vi của bạn. / This province is outside your scope." });
    }),
  });
}
