import { createAdminRouter } from "./admin-router.js";
import { createBoardRouter } from "./board-router.js";
import { createTrpc } from "./trpc.js";

export function createAppRouter(opts: { isDev: boolean; /** Where invitation and wall URLs point. */ publicUrl?: string }) {
  const trpc = createTrpc(opts);
  return trpc.router({
    board: createBoardRouter(trpc),
    admin: createAdminRouter(trpc, { publicUrl: opts.publicUrl ?? "http://localhost:3000" }),
  });
}

export type AppRouter = ReturnType<typeof createAppRouter>;
