// Labels of the domain's enums in both languages, Vietnamese first: one source for the web app
// and the server's reports (XLSX). Pure tables.
import type { TreatmentCategory } from "./events.js";
import type { Verdict } from "./targets-pace.js";

type Labels = Record<"vi" | "en", string>;

export const TREATMENT_LABELS: Record<TreatmentCategory, Labels> = {
  methadone: { vi: "Điều trị methadone", en: "Methadone" },
  detox: { vi: "Cắt cơn", en: "Detox" },
  psychosocial: { vi: "Tư vấn tâm lý", en: "Counselling" },
  vocational: { vi: "Dạy nghề", en: "Vocational training" },
  psychiatric_care: { vi: "Điều trị tâm thần", en: "Psychiatric care" },
  physical_rehab: { vi: "Phục hồi chức năng", en: "Physical rehabilitation" },
  convalescence: { vi: "Điều dưỡng", en: "Convalescence" },
  orthopedic_device: { vi: "Dụng cụ chỉnh hình", en: "Orthopaedic devices" },
  nurturing: { vi: "Nuôi dưỡng", en: "Nurturing" },
  health_check: { vi: "Khám sức khỏe", en: "Health check" },
  other: { vi: "Khác", en: "Other" },
};

export const REFERRAL_STATUS_LABELS: Record<string, Labels> = {
  requested: { vi: "đã đề nghị", en: "requested" },
  accepted: { vi: "đã chấp nhận", en: "accepted" },
  transferred: { vi: "đã chuyển đi", en: "transferred" },
  returned: { vi: "đã trở về", en: "returned" },
  cancelled: { vi: "đã hủy", en: "cancelled" },
};

/** A verdict as icon and words (never colour alone). */
export const VERDICT_LABELS: Record<Verdict, { icon: string; vi: string; en: string }> = {
  ahead: { icon: "▲", vi: "Vượt tiến độ", en: "Ahead of pace" },
  on_pace: { icon: "●", vi: "Đúng tiến độ", en: "On pace" },
  behind: { icon: "▼", vi: "Chậm tiến độ", en: "Behind pace" },
  not_started: { icon: "◌", vi: "Chưa bắt đầu", en: "Not started" },
  too_early: { icon: "◌", vi: "Chưa có ngày nào trọn vẹn", en: "No completed day yet" },
  not_assessed: { icon: "?", vi: "Chưa đánh giá", en: "Not assessed" },
  reached: { icon: "✔", vi: "Đạt", en: "Reached" },
  missed: { icon: "✖", vi: "Không đạt", en: "Missed" },
};
