import { Hono } from "hono";
import { MonthlyReportInput, mayOpenPage } from "@carewatch/domain";
import type { Store } from "@carewatch/store";
import { principalFromCookies, type SessionAuth } from "../auth/principal.js";
import { scopeOf } from "../auth/scope.js";
import { problem } from "../http/problem.js";
import { readMonthlyReport } from "./monthly.js";
import { monthlyReportXlsx } from "./report-xlsx.js";

/**
 * `GET /reports/<province>/<YYYY-MM>.xlsx`: the monthly report as a workbook, for whoever may
 * open `/reports` (the domain's PAGES: admins and managers) and reads the province. The A4 page
 * at `/reports/<province>/<YYYY-MM>` is the web app's (it asks tRPC `reports.monthly`).
 */
export function reportRoutes(d: { store: Store; now: () => number; auth: SessionAuth }) {
  const app = new Hono();
  app.get("/:province/:file{[0-9]{4}-[0-9]{2}\\.xlsx}", async (c) => {
    const p = await principalFromCookies(c.req.header("cookie"), d.auth);
    const path = new URL(c.req.url).pathname;
    if (p === null) return c.redirect(`/login?next=${encodeURIComponent(path)}`, 302);
    if (mayOpenPage(p, path) !== "ok") return problem(c, "forbidden", { detail: "Chỉ quản lý hoặc quản trị viên · Only a manager or an administrator." });
    const input = MonthlyReportInput.safeParse({ province: c.req.param("province"), month: c.req.param("file").slice(0, 7) });
    if (!input.success) return problem(c, "not-found", { detail: "Không có báo cáo này · No such report (a month as YYYY-MM)." });
    const answer = await readMonthlyReport(d.store, scopeOf(p, d.store.registry), input.data.province, input.data.month, d.now());
    if (!answer.ok)
      return answer.reason === "unknown_province"
        ? problem(c, "not-found", { detail: `Không có tỉnh "${input.data.province}" · Unknown province.` })
        : problem(c, "forbidden", { detail: "Tỉnh này ngoài phạm vi của bạn · This province is outside your scope." });
    const body = await monthlyReportXlsx(answer.report, d.store.registry);
    const name = `carewatch-bao-cao-${input.data.province}-${input.data.month}.xlsx`;
    return c.body(new Uint8Array(body), 200, {
      "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
    });
  });
  return app;
}
