import { boardRouter } from "./board-router.js";
import { router } from "./trpc.js";

export const appRouter = router({
  board: boardRouter,
});

export type AppRouter = typeof appRouter;
