// Vietnamese first, English second. Pure functions and tables only (no DOM, no runes), so they
// are unit-tested in Node; the current language lives in `lang.svelte.ts`.
import type { FacilityType, Level, TickerLine } from "@carewatch/domain";
import { DEFAULT_TIME_ZONE } from "@carewatch/domain/client";
import { facility_types } from "@carewatch/domain/facilities.json";

export type Lang = "vi" | "en";
export const LANGS: readonly Lang[] = ["vi", "en"];
export const DEFAULT_LANG: Lang = "vi";

export function isLang(v: unknown): v is Lang {
  return v === "vi" || v === "en";
}

// ---------------------------------------------------------------------------------------------
// Numbers, dates, times

const LOCALE: Record<Lang, string> = { vi: "vi-VN", en: "en-GB" };

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(lang: Lang, maxFraction: number): Intl.NumberFormat {
  const key = `${lang}:${maxFraction}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: maxFraction });
    numberFormats.set(key, f);
  }
  return f;
}

/** 1151 → "1.151" (vi) / "1,151" (en); 87.5 → "87,5" (vi). */
export function fmtNumber(n: number, lang: Lang = DEFAULT_LANG, maxFraction = 0): string {
  return numberFormat(lang, maxFraction).format(n);
}

/** 87.5 → "87,5 %" (vi) / "87.5%" (en). */
export function fmtPercent(pct: number | null, lang: Lang = DEFAULT_LANG): string {
  if (pct === null) return "—";
  return lang === "vi" ? `${fmtNumber(pct, lang, 1)} %` : `${fmtNumber(pct, lang, 1)}%`;
}

type DateTimeStyle = "date" | "time" | "shortTime" | "hour";
const DATE_TIME_OPTIONS: Record<DateTimeStyle, Intl.DateTimeFormatOptions> = {
  date: { day: "2-digit", month: "2-digit", year: "numeric" },
  time: { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" },
  shortTime: { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
  hour: { hour: "2-digit", hourCycle: "h23" },
};
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(style: DateTimeStyle, timeZone: string): Intl.DateTimeFormat {
  const key = `${style}:${timeZone}`;
  let f = dateTimeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("vi-VN", { timeZone, ...DATE_TIME_OPTIONS[style] });
    dateTimeFormats.set(key, f);
  }
  return f;
}

// Dates and times are shown in a facility's own zone (the board's clock: the zone its
// facilities share), by default the domain's (Asia/Ho_Chi_Minh, UTC+7, no DST).

/** dd/MM/yyyy in the zone, in both languages (the operations room's convention). */
export function fmtDate(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  return dateTimeFormat("date", timeZone).format(ms);
}

/** HH:mm:ss (or HH:mm) in the zone. */
export function fmtTime(ms: number, seconds = true, timeZone: string = DEFAULT_TIME_ZONE): string {
  return dateTimeFormat(seconds ? "time" : "shortTime", timeZone).format(ms);
}

/** "HH:mm:ss dd/MM/yyyy" — the header clock. */
export function fmtClock(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  return `${fmtTime(ms, true, timeZone)} ${fmtDate(ms, timeZone)}`;
}

/** "45 phút" / "45 min", "2 giờ 5 phút" / "2 h 5 min", "3 ngày" / "3 days". */
export function fmtDuration(ms: number, lang: Lang = DEFAULT_LANG): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const vi = lang === "vi";
  if (s < 60) return vi ? `${s} giây` : `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return vi ? `${min} phút` : `${min} min`;
  const h = Math.floor(min / 60);
  const m = min % 60;
  if (h < 48) {
    if (m === 0) return vi ? `${h} giờ` : `${h} h`;
    return vi ? `${h} giờ ${m} phút` : `${h} h ${m} min`;
  }
  const d = Math.floor(h / 24);
  return vi ? `${fmtNumber(d, lang)} ngày` : `${fmtNumber(d, lang)} days`;
}

/** "vừa xong" / "just now", "3 phút trước" / "3 min ago". */
export function fmtAgo(ms: number, lang: Lang = DEFAULT_LANG): string {
  if (ms < 5_000) return lang === "vi" ? "vừa xong" : "just now";
  return lang === "vi" ? `${fmtDuration(ms, lang)} trước` : `${fmtDuration(ms, lang)} ago`;
}

/** "cập nhật 3 phút trước" / "updated 3 min ago". */
export function fmtFreshness(ms: number, lang: Lang = DEFAULT_LANG): string {
  return lang === "vi" ? `cập nhật ${fmtAgo(ms, lang)}` : `updated ${fmtAgo(ms, lang)}`;
}

// ---------------------------------------------------------------------------------------------
// Domain labels

/** The registry's names of the facility types (packages/domain/data/facilities.json → facility_types). */
export const FACILITY_TYPE_LABELS: Record<FacilityType, Record<Lang, string>> = facility_types satisfies Record<FacilityType, Record<Lang, string>>;

export const FACILITY_TYPE_ORDER: readonly FacilityType[] = ["drug_rehab", "psychiatric", "social_protection", "social_work", "merit_nursing"];

export const LEVEL_LABELS: Record<Level, Record<Lang, string>> = {
  normal: { vi: "Bình thường", en: "Normal" },
  high: { vi: "Cao", en: "High" },
  critical: { vi: "Nguy cấp", en: "Critical" },
  over: { vi: "Quá tải", en: "Over capacity" },
};

/** Shape, not only colour: ● normal, ▲ high, ◆ critical, ✖ over. */
export const LEVEL_ICONS: Record<Level, string> = { normal: "●", high: "▲", critical: "◆", over: "✖" };

// Shared with the server's reports (one source): the domain's labels.
import { REFERRAL_STATUS_LABELS, TREATMENT_LABELS } from "@carewatch/domain/client";
export { REFERRAL_STATUS_LABELS, TREATMENT_LABELS };

export const COHORT_LABELS: Record<string, Record<Lang, string>> = {
  voluntary: { vi: "tự nguyện", en: "voluntary" },
  compulsory: { vi: "bắt buộc", en: "compulsory" },
  emergency: { vi: "cấp cứu", en: "emergency" },
  other: { vi: "khác", en: "other" },
};

export const OUTCOME_LABELS: Record<string, Record<Lang, string>> = {
  completed: { vi: "hoàn thành", en: "completed" },
  transferred: { vi: "chuyển đi", en: "transferred" },
  absconded: { vi: "tự ý bỏ về", en: "absconded" },
  deceased: { vi: "tử vong", en: "deceased" },
  other: { vi: "khác", en: "other" },
};

export const URGENCY_LABELS: Record<string, Record<Lang, string>> = {
  routine: { vi: "thường quy", en: "routine" },
  urgent: { vi: "khẩn", en: "urgent" },
  emergency: { vi: "cấp cứu", en: "emergency" },
};

/** Ticker event types: a word and a glyph (the strip is read at a glance, not in colour). */
export const EVENT_TYPE_LABELS: Record<TickerLine["type"], Record<Lang, string>> = {
  census: { vi: "Kiểm đếm", en: "Census" },
  admission: { vi: "Nhập", en: "In" },
  discharge: { vi: "Ra", en: "Out" },
  treatment: { vi: "Điều trị", en: "Treatment" },
  referral: { vi: "Chuyển tuyến", en: "Referral" },
};
export const EVENT_TYPE_ICONS: Record<TickerLine["type"], string> = { census: "Σ", admission: "↘", discharge: "↗", treatment: "✚", referral: "⇄" };

function label(table: Record<string, Record<Lang, string>>, key: string | number | undefined, lang: Lang): string {
  if (key === undefined) return "";
  return table[String(key)]?.[lang] ?? String(key);
}

export function treatmentLabel(category: string, lang: Lang): string {
  return label(TREATMENT_LABELS, category, lang);
}

/**
 * What a ticker line says happened, e.g. "Nhập 2 (tự nguyện) · Khu cai nghiện bắt buộc" or
 * "Chuyển tuyến: đã chấp nhận → BV Đa khoa tỉnh". `unitName` resolves the unit id.
 */
export function describeEvent(line: Pick<TickerLine, "type" | "detail" | "unit">, lang: Lang, unitName?: string): string {
  const d = line.detail;
  const n = (v: string | number | undefined) => (typeof v === "number" ? fmtNumber(v, lang) : (v ?? ""));
  const unit = line.unit ? ` · ${unitName ?? line.unit}` : "";
  const vi = lang === "vi";
  switch (line.type) {
    case "census": {
      const cap = d.capacity !== undefined ? (vi ? ` / sức chứa ${n(d.capacity)}` : ` / capacity ${n(d.capacity)}`) : "";
      return `${EVENT_TYPE_LABELS.census[lang]}: ${n(d.occupied)}${vi ? " người" : ""}${cap}${unit}`;
    }
    case "admission": {
      const cohort = d.cohort !== undefined ? ` (${label(COHORT_LABELS, d.cohort, lang)})` : "";
      return `${EVENT_TYPE_LABELS.admission[lang]} ${n(d.count)}${cohort}${unit}`;
    }
    case "discharge": {
      const outcome = d.outcome !== undefined ? ` (${label(OUTCOME_LABELS, d.outcome, lang)})` : "";
      return `${EVENT_TYPE_LABELS.discharge[lang]} ${n(d.count)}${outcome}${unit}`;
    }
    case "treatment":
      return `${label(TREATMENT_LABELS, d.category, lang)} × ${n(d.count)}${unit}`;
    case "referral": {
      const urgency = d.urgency !== undefined && d.urgency !== "routine" ? ` (${label(URGENCY_LABELS, d.urgency, lang)})` : "";
      return `${EVENT_TYPE_LABELS.referral[lang]}: ${label(REFERRAL_STATUS_LABELS, d.status, lang)} → ${String(d.destination ?? "")}${urgency}`;
    }
    default:
      return String((line as { type: string }).type);
  }
}

const SHORT_VI: [RegExp, string][] = [
  [/^Cơ sở Điều trị nghiện ma túy/i, "CS điều trị nghiện"],
  [/^Cơ sở cai nghiện ma túy/i, "CS cai nghiện"],
  [/^Trung tâm Bảo trợ xã hội/i, "TT BTXH"],
  [/^Trung tâm Công tác xã hội/i, "TT CTXH"],
  [/^Trung tâm Điều dưỡng người có công/i, "TT Điều dưỡng NCC"],
  [/^Trung tâm .*tâm thần/i, "TT Tâm thần"],
  [/^Trung tâm/i, "TT"],
  [/^Bệnh viện/i, "BV"],
  [/\btỉnh\s+/i, ""],
];
const SHORT_EN: [RegExp, string][] = [
  [/\s*Provincial\b/i, ""],
  [/Drug Addiction Treatment Facility/i, "Drug Treatment"],
  [/Drug Rehabilitation Facility/i, "Drug Rehab"],
  [/Centre for Treatment, Nurturing and Rehabilitation of Psychiatric Patients/i, "Psychiatric Centre"],
  [/Convalescence Centre for People with Merit/i, "Merit Convalescence"],
];

/** A name that fits the ticker: "TT BTXH Sơn La", "CS cai nghiện số 1 Lào Cai". */
export function shortName(name: string, lang: Lang): string {
  let s = name;
  for (const [re, to] of lang === "vi" ? SHORT_VI : SHORT_EN) s = s.replace(re, to);
  return s.replace(/\s+/g, " ").trim() || name;
}

// ---------------------------------------------------------------------------------------------
// Interface strings

export interface Messages {
  title: string;
  subtitle: string;
  live: string;
  offline: string;
  connecting: string;
  resyncing: string;
  offlineBanner: string;
  offlineSince: (ago: string) => string;
  updatedAgo: (ago: string) => string;
  beds: string;
  occupied: string;
  available: string;
  facilities: (n: string) => string;
  admissions: string;
  discharges: string;
  referralsOpen: string;
  treatments: string;
  noTreatments: string;
  noDataFor: (duration: string) => string;
  noDataYet: string;
  inconsistent: string;
  trend24h: string;
  page: (i: number, n: number) => string;
  fullscreen: string;
  switchTo: string;
  tickerTitle: string;
  tickerEmpty: string;
  loading: string;
  refusedTitle: string;
  refusedBody: string;
  refusedHint: string;
  landingLead: string;
  landingWall: string;
  landingApi: string;
  landingWallNote: string;
  unit: string;
  total: string;
  reloading: string;
  // Accounts: /login, /invite/[token], the landing page
  loginTitle: string;
  loginLead: string;
  email: string;
  password: string;
  showPassword: string;
  hidePassword: string;
  loginSubmit: string;
  loginBusy: string;
  emailMissing: string;
  emailInvalid: string;
  passwordMissing: string;
  loginFailed: string;
  throttled: (retry: string | null) => string;
  networkError: string;
  serverError: (status: number) => string;
  loggedOut: string;
  inviteTitle: string;
  inviteLead: (min: number) => string;
  newPassword: string;
  newPasswordHint: (min: number) => string;
  confirmPassword: string;
  passwordTooShort: (min: number) => string;
  passwordMismatch: string;
  inviteSubmit: string;
  inviteBusy: string;
  inviteFailed: string;
  accountTitle: string;
  signedInAs: string;
  retry: string;
  role: string;
  scope: string;
  allProvinces: string;
  logout: string;
  logoutAll: string;
  logoutAllNote: string;
  loggingOut: string;
  logoutFailed: string;
  checkingSession: string;
}

export const MESSAGES: Record<Lang, Messages> = {
  vi: {
    title: "CAREWATCH — Bảng công suất trực tuyến",
    subtitle: "Cơ sở trợ giúp xã hội, cai nghiện, điều dưỡng",
    live: "TRỰC TUYẾN",
    offline: "MẤT KẾT NỐI",
    connecting: "ĐANG KẾT NỐI",
    resyncing: "ĐANG ĐỒNG BỘ",
    offlineBanner: "MẤT KẾT NỐI — số liệu có thể đã cũ",
    offlineSince: (ago) => `lần cuối nhận số liệu ${ago}`,
    updatedAgo: (ago) => `cập nhật ${ago}`,
    beds: "Giường",
    occupied: "Đang điều trị, nuôi dưỡng",
    available: "Còn trống",
    facilities: (n) => `${n} cơ sở`,
    admissions: "Nhập",
    discharges: "Ra",
    referralsOpen: "Chuyển tuyến đang mở",
    treatments: "Điều trị hôm nay",
    noTreatments: "chưa có lượt điều trị",
    noDataFor: (d) => `MẤT TÍN HIỆU — không có số liệu ${d}`,
    noDataYet: "MẤT TÍN HIỆU — chưa nhận số liệu",
    inconsistent: "Số liệu không khớp",
    trend24h: "24 giờ qua",
    page: (i, n) => `Trang ${i}/${n}`,
    fullscreen: "Toàn màn hình",
    switchTo: "EN",
    tickerTitle: "Sự kiện mới",
    tickerEmpty: "Chưa có sự kiện",
    loading: "Đang tải số liệu…",
    refusedTitle: "Màn hình này chưa được cấp quyền",
    refusedBody: "Mã màn hình sai, thiếu hoặc đã bị thu hồi.",
    refusedHint: "Quản trị viên: tạo mã bằng lệnh cw displays create rồi mở đường dẫn được in ra.",
    landingLead:
      "carewatch là bảng theo dõi trực tuyến công suất các cơ sở trợ giúp xã hội của tỉnh: cơ sở cai nghiện ma túy, trung tâm điều trị bệnh nhân tâm thần, trung tâm bảo trợ xã hội và công tác xã hội, trung tâm điều dưỡng người có công. Các cơ sở chỉ gửi số lượng, không gửi thông tin cá nhân.",
    landingWall: "Mở bảng công suất (/wall)",
    landingApi: "Tài liệu API cho cơ sở (/api/v1/docs)",
    landingWallNote: "Màn hình treo tường mở bằng mã màn hình; quản trị viên và cán bộ quản lý mở được sau khi đăng nhập.",
    unit: "Khu",
    total: "Tổng",
    reloading: "Đang tải phiên bản mới…",
    loginTitle: "Đăng nhập",
    loginLead: "Dành cho cán bộ quản lý, quản trị viên và cán bộ cơ sở đã được cấp tài khoản.",
    email: "Email",
    password: "Mật khẩu",
    showPassword: "Hiện mật khẩu",
    hidePassword: "Ẩn mật khẩu",
    loginSubmit: "Đăng nhập",
    loginBusy: "Đang đăng nhập…",
    emailMissing: "Hãy nhập địa chỉ email.",
    emailInvalid: "Địa chỉ email chưa đúng (ví dụ: ten@donvi.gov.vn).",
    passwordMissing: "Hãy nhập mật khẩu.",
    loginFailed: "Email hoặc mật khẩu không đúng.",
    throttled: (retry) => (retry ? `Quá nhiều lần thử. Hãy thử lại sau ${retry}.` : "Quá nhiều lần thử. Hãy thử lại sau ít phút."),
    networkError: "Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.",
    serverError: (status) => `Máy chủ báo lỗi (${status}). Hãy thử lại sau.`,
    loggedOut: "Bạn đã đăng xuất.",
    inviteTitle: "Đặt mật khẩu",
    inviteLead: (min) => `Chọn mật khẩu cho tài khoản của bạn: ít nhất ${min} ký tự và khó đoán. Một câu ngắn dễ nhớ, có nhiều từ, là lựa chọn tốt.`,
    newPassword: "Mật khẩu mới",
    newPasswordHint: (min) => `Ít nhất ${min} ký tự.`,
    confirmPassword: "Nhập lại mật khẩu",
    passwordTooShort: (min) => `Mật khẩu cần ít nhất ${min} ký tự.`,
    passwordMismatch: "Hai mật khẩu chưa giống nhau.",
    inviteSubmit: "Đặt mật khẩu và đăng nhập",
    inviteBusy: "Đang lưu…",
    inviteFailed: "Không đặt được mật khẩu. Đường dẫn mời có thể đã hết hạn hoặc đã được dùng.",
    accountTitle: "Tài khoản của bạn",
    signedInAs: "Đã đăng nhập là",
    retry: "Thử lại",
    role: "Vai trò",
    scope: "Phạm vi",
    allProvinces: "Mọi tỉnh",
    logout: "Đăng xuất",
    logoutAll: "Đăng xuất mọi nơi",
    logoutAllNote: "Kết thúc mọi phiên đăng nhập của bạn, trên mọi máy.",
    loggingOut: "Đang đăng xuất…",
    logoutFailed: "Chưa đăng xuất được. Hãy thử lại.",
    checkingSession: "Đang kiểm tra phiên đăng nhập…",
  },
  en: {
    title: "CAREWATCH — Live capacity board",
    subtitle: "Social protection, drug treatment and convalescence facilities",
    live: "LIVE",
    offline: "CONNECTION LOST",
    connecting: "CONNECTING",
    resyncing: "RESYNCING",
    offlineBanner: "CONNECTION LOST — figures may be out of date",
    offlineSince: (ago) => `last data ${ago}`,
    updatedAgo: (ago) => `updated ${ago}`,
    beds: "Beds",
    occupied: "In care",
    available: "Available",
    facilities: (n) => `${n} facilities`,
    admissions: "In",
    discharges: "Out",
    referralsOpen: "Open referrals",
    treatments: "Treatments today",
    noTreatments: "no treatments yet",
    noDataFor: (d) => `NO DATA for ${d}`,
    noDataYet: "NO DATA yet",
    inconsistent: "Figures inconsistent",
    trend24h: "last 24 h",
    page: (i, n) => `Page ${i}/${n}`,
    fullscreen: "Full screen",
    switchTo: "VI",
    tickerTitle: "Latest events",
    tickerEmpty: "No events yet",
    loading: "Loading…",
    refusedTitle: "This display is not authorised",
    refusedBody: "The display token is wrong, missing or revoked.",
    refusedHint: "Administrator: create a token with cw displays create and open the printed URL.",
    landingLead:
      "carewatch is a live capacity board for a province's social-labour care facilities: drug addiction treatment facilities, the psychiatric centre, social protection and social work centres, and the convalescence centre for people with merit. Facilities post counts, never personal data.",
    landingWall: "Open the wall-board (/wall)",
    landingApi: "Facility API documentation (/api/v1/docs)",
    landingWallNote: "Wall displays open it with a display token; administrators and managers once logged in.",
    unit: "Unit",
    total: "Total",
    reloading: "Loading the new version…",
    loginTitle: "Log in",
    loginLead: "For managers, administrators and facility clerks who have been given an account.",
    email: "Email",
    password: "Password",
    showPassword: "Show password",
    hidePassword: "Hide password",
    loginSubmit: "Log in",
    loginBusy: "Logging in…",
    emailMissing: "Enter your email address.",
    emailInvalid: "That email address does not look right (e.g. name@agency.gov.vn).",
    passwordMissing: "Enter your password.",
    loginFailed: "Wrong email or password.",
    throttled: (retry) => (retry ? `Too many attempts. Try again in ${retry}.` : "Too many attempts. Try again in a few minutes."),
    networkError: "Cannot reach the server. Check the network and try again.",
    serverError: (status) => `The server answered with an error (${status}). Try again later.`,
    loggedOut: "You have logged out.",
    inviteTitle: "Set your password",
    inviteLead: (min) =>
      `Choose a password for your account: at least ${min} characters and hard to guess. A short sentence of several words is a good choice.`,
    newPassword: "New password",
    newPasswordHint: (min) => `At least ${min} characters.`,
    confirmPassword: "Repeat the password",
    passwordTooShort: (min) => `The password needs at least ${min} characters.`,
    passwordMismatch: "The two passwords are not the same.",
    inviteSubmit: "Set password and log in",
    inviteBusy: "Saving…",
    inviteFailed: "Could not set the password. The invitation link may have expired or been used.",
    accountTitle: "Your account",
    signedInAs: "Logged in as",
    retry: "Try again",
    role: "Role",
    scope: "Scope",
    allProvinces: "All provinces",
    logout: "Log out",
    logoutAll: "Log out everywhere",
    logoutAllNote: "Ends every session of your account, on every device.",
    loggingOut: "Logging out…",
    logoutFailed: "Could not log out. Try again.",
    checkingSession: "Checking your session…",
  },
};

/** The account roles (packages/domain's Role). */
export const ROLE_LABELS: Record<string, Record<Lang, string>> = {
  admin: { vi: "Quản trị viên", en: "Administrator" },
  manager: { vi: "Cán bộ quản lý", en: "Manager" },
  facility: { vi: "Cán bộ cơ sở", en: "Facility clerk" },
};

export function roleLabel(role: string, lang: Lang): string {
  return label(ROLE_LABELS, role, lang);
}

export function messages(lang: Lang): Messages {
  return MESSAGES[lang];
}

// ---------------------------------------------------------------------------------------------
// /entry: a facility's clerk enters figures on a phone

export const ENTRY_TEXT = {
  vi: {
    title: "Nhập số liệu",
    occupancy: "Hiện có",
    of: "trên",
    kind: "Loại số liệu",
    unit: "Khu",
    occupied: "Số người hiện có",
    capacity: "Sức chứa (nếu thay đổi)",
    count: "Số người",
    cohort: "Diện (không bắt buộc)",
    outcome: "Kết quả (không bắt buộc)",
    category: "Loại điều trị",
    referralId: "Mã chuyển tuyến",
    status: "Trạng thái",
    destination: "Nơi chuyển đến",
    urgency: "Mức độ (không bắt buộc)",
    occurredAt: "Thời điểm",
    none: "—",
    send: "Gửi",
    sending: "Đang gửi…",
    sent: "Đã gửi",
    duplicate: "Đã có trên máy chủ (không gửi lại)",
    queued: "Không có mạng: đã lưu trên máy, sẽ tự gửi khi có mạng",
    waiting: "chờ gửi",
    sendNow: "Gửi lại ngay",
    loadFailed: "Không tải được thông tin cơ sở",
    offlineShown: "Không có mạng: số liệu hiển thị là lần tải gần nhất",
    refused: "Máy chủ từ chối",
  },
  en: {
    title: "Enter figures",
    occupancy: "Occupied",
    of: "of",
    kind: "Kind of figure",
    unit: "Unit",
    occupied: "People present",
    capacity: "Capacity (if it changed)",
    count: "People",
    cohort: "Cohort (optional)",
    outcome: "Outcome (optional)",
    category: "Treatment",
    referralId: "Referral id",
    status: "Status",
    destination: "Destination",
    urgency: "Urgency (optional)",
    occurredAt: "When",
    none: "—",
    send: "Send",
    sending: "Sending…",
    sent: "Sent",
    duplicate: "Already on the server (not sent twice)",
    queued: "No network: kept on this phone, sent when the network is back",
    waiting: "waiting to send",
    sendNow: "Retry now",
    loadFailed: "Could not load the facility",
    offlineShown: "No network: figures shown are from the last load",
    refused: "Refused by the server",
  },
} as const satisfies Record<Lang, Record<string, string>>;

export type EntryText = (typeof ENTRY_TEXT)[Lang];
