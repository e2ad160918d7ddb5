// The facility page's tRPC client (the web imports only the AppRouter type), on the page's own
// origin so the session cookie goes along.
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import type { AppRouter } from "@carewatch/server/router";
import type { Lang } from "../i18n";

export const facilityApi = () => createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${location.origin}/trpc` })] }).facility;

export type FacilityApi = ReturnType<typeof facilityApi>;
export type PageStatus = Awaited<ReturnType<FacilityApi["status"]["query"]>>;

/** A readable sentence for a failed call, Vietnamese first: the server's own, or ours. */
export function errorText(e: unknown, lang: Lang): string {
  const vi = lang === "vi";
  if (!(e instanceof TRPCClientError)) return vi ? "Không kết nối được máy chủ. Đang thử lại…" : "Cannot reach the server. Retrying…";
  const code = (e as TRPCClientError<AppRouter>).data?.code;
  if (code === "UNAUTHORIZED") return vi ? "Phiên đăng nhập đã hết. Hãy đăng nhập lại." : "Your session has ended. Please log in again.";
  if (code === "FORBIDDEN") return vi ? "Bạn không có quyền xem cơ sở này." : "You may not see this facility.";
  if (code === "BAD_REQUEST" && e.message.trimStart().startsWith("[")) return vi ? "Tham số không hợp lệ." : "Invalid parameters.";
  if (code === "BAD_REQUEST" || code === "NOT_FOUND") return e.message;
  return vi ? "Máy chủ gặp lỗi. Đang thử lại…" : "The server had a problem. Retrying…";
}

export function isUnauthorized(e: unknown): boolean {
  return e instanceof TRPCClientError && (e as TRPCClientError<AppRouter>).data?.code === "UNAUTHORIZED";
}
