import { createBoardRouter } from "./board-router.js";
import { createTrpc } from "./trpc.js";

export function createAppRouter(opts: { isDev: boolean }) {
  const trpc = createTrpc(opts);
  return trpc.router({
    board: createBoardRouter(trpc),
  });
}

export type AppRouter = ReturnType<typeof createAppRouter>;
