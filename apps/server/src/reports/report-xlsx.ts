import ExcelJS from "exceljs";
import {
  REFERRAL_STATUS_LABELS,
  REFERRAL_STATUSES,
  TREATMENT_CATEGORIES,
  TREATMENT_LABELS,
  VERDICT_LABELS,
  type MonthlyReport,
  type Registry,
  type Verdict,
} from "@carewatch/domain";

/**
 * The monthly report as an XLSX workbook (exceljs): one sheet per table of the A4 page, headers
 * in Vietnamese (English below in a second header row, for readers of either), numbers as
 * numbers with formats — a spreadsheet in a Vietnamese locale shows them as 1.151 and 12,5 %.
 */

const INT = "#,##0";
const ONE = "#,##0.0";
const PCT = '0.0" %"';

const verdictText = (v: Verdict) => `${VERDICT_LABELS[v].icon} ${VERDICT_LABELS[v].vi} · ${VERDICT_LABELS[v].en}`;

const dmy = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

interface Column {
  vi: string;
  en: string;
  width: number;
  fmt?: string;
}

function sheet(wb: ExcelJS.Workbook, name: string, title: string, columns: Column[], rows: (string | number | null)[][], total?: (string | number | null)[]) {
  const ws = wb.addWorksheet(name, { views: [{ state: "frozen", ySplit: 3 }] });
  ws.columns = columns.map((c) => ({ width: c.width }));
  ws.addRow([title]).font = { bold: true, size: 13 };
  const vi = ws.addRow(columns.map((c) => c.vi));
  vi.font = { bold: true };
  const en = ws.addRow(columns.map((c) => c.en));
  en.font = { italic: true, color: { argb: "FF666666" } };
  for (const r of rows) ws.addRow(r);
  if (total) ws.addRow(total).font = { bold: true };
  columns.forEach((c, i) => {
    if (c.fmt) ws.getColumn(i + 1).numFmt = c.fmt;
  });
  return ws;
}

export async function monthlyReportXlsx(report: MonthlyReport, registry: Registry): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "carewatch";
  wb.created = new Date(report.generatedAt);
  const period = `${dmy(report.firstDay)}–${dmy(report.lastDay)}${report.complete ? "" : " (chưa hết tháng · month not over)"}`;
  const heading = (what: string) => `${what} — ${report.province.name}, tháng ${report.month.slice(5)}/${report.month.slice(0, 4)} · ${period}`;
  const typeLabel = (t: string) => (registry.document.facility_types as Record<string, { vi: string }> | undefined)?.[t]?.vi ?? t;
  const t = report.totals;

  sheet(
    wb,
    "Tổng hợp",
    heading("Công suất và hoạt động"),
    [
      { vi: "Cơ sở", en: "Facility", width: 48 },
      { vi: "Loại", en: "Type", width: 30 },
      { vi: "Sức chứa", en: "Capacity", width: 11, fmt: INT },
      { vi: "Bình quân đang ĐT/ND", en: "Mean in care", width: 14, fmt: ONE },
      { vi: "Cao nhất", en: "Peak", width: 10, fmt: INT },
      { vi: "Cuối kỳ", en: "At the end", width: 10, fmt: INT },
      { vi: "Công suất bình quân", en: "Mean occupancy", width: 13, fmt: PCT },
      { vi: "Tiếp nhận", en: "Admissions", width: 11, fmt: INT },
      { vi: "Ra", en: "Discharges", width: 10, fmt: INT },
      { vi: "Chuyển tuyến mở cuối kỳ", en: "Open referrals at the end", width: 14, fmt: INT },
    ],
    report.facilities.map((f) => [
      f.name,
      typeLabel(f.type),
      f.capacity,
      f.occupiedMean,
      f.occupiedPeak,
      f.occupiedEnd,
      f.occupancyPct,
      f.admissions,
      f.discharges,
      f.openReferralsAtEnd,
    ]),
    ["Toàn tỉnh · Province", "", t.capacity, t.occupiedMean, t.occupiedPeak, t.occupiedEnd, t.occupancyPct, t.admissions, t.discharges, t.openReferralsAtEnd],
  );

  sheet(
    wb,
    "Theo ngày",
    heading("Theo ngày"),
    [
      { vi: "Ngày", en: "Day", width: 12 },
      { vi: "Đang ĐT/ND cuối ngày", en: "In care at the day's end", width: 16, fmt: INT },
      { vi: "Sức chứa", en: "Capacity", width: 11, fmt: INT },
      { vi: "Tiếp nhận", en: "Admissions", width: 11, fmt: INT },
      { vi: "Ra", en: "Discharges", width: 10, fmt: INT },
    ],
    report.daily.map((d) => [dmy(d.day), d.occupied, d.capacity, d.admissions, d.discharges]),
  );

  const used = TREATMENT_CATEGORIES.filter((c) => t.treatments[c] > 0);
  sheet(
    wb,
    "Điều trị",
    heading("Điều trị theo loại"),
    [{ vi: "Cơ sở", en: "Facility", width: 48 }, ...used.map((c) => ({ vi: TREATMENT_LABELS[c].vi, en: TREATMENT_LABELS[c].en, width: 14, fmt: INT }))],
    report.facilities.map((f) => [f.name, ...used.map((c) => f.treatments[c])]),
    ["Toàn tỉnh · Province", ...used.map((c) => t.treatments[c])],
  );

  sheet(
    wb,
    "Chuyển tuyến",
    heading("Chuyển tuyến trong tháng (số bước)"),
    [
      { vi: "Cơ sở", en: "Facility", width: 48 },
      ...REFERRAL_STATUSES.map((s) => ({ vi: REFERRAL_STATUS_LABELS[s]!.vi, en: REFERRAL_STATUS_LABELS[s]!.en, width: 13, fmt: INT })),
      { vi: "Đang mở cuối kỳ", en: "Open at the end", width: 13, fmt: INT },
    ],
    report.facilities.map((f) => [f.name, ...REFERRAL_STATUSES.map((s) => f.referrals[s]), f.openReferralsAtEnd]),
    ["Toàn tỉnh · Province", ...REFERRAL_STATUSES.map((s) => t.referrals[s]), t.openReferralsAtEnd],
  );

  sheet(
    wb,
    "Kế hoạch",
    heading("Tiến độ kế hoạch năm"),
    [
      { vi: "Kế hoạch", en: "Plan", width: 40 },
      { vi: "Chỉ tiêu", en: "Target", width: 60 },
      { vi: "Mục tiêu", en: "Value", width: 11, fmt: ONE },
      { vi: "Thực hiện", en: "Actual", width: 11, fmt: ONE },
      { vi: "Nhịp cần đạt", en: "Pace", width: 12, fmt: ONE },
      { vi: "Dự báo cuối năm", en: "Projection", width: 13, fmt: ONE },
      { vi: "Đánh giá", en: "Verdict", width: 16 },
    ],
    report.targets.map((x) => [x.plan, x.vi, x.value, x.actual, x.pace, x.projection, verdictText(x.verdict)]),
  );

  return Buffer.from(await wb.xlsx.writeBuffer());
}
