export { createApp, type AppDeps } from "./app.js";
export { parseConfig, loadRegistry, ConfigError, type Config } from "./env.js";
export { startServer, type RunningServer } from "./server.js";
export type { AppRouter } from "./trpc/router.js";
export { hashPassword, passwordProblem } from "./auth/passwords.js";
export { inviteUser, INVITATION_TTL_MS, CLI_ACTOR } from "./admin/admin-actions.js";
export { importDemoTargets } from "./admin/targets-actions.js";
export { memoryRateLimiter, redisRateLimiter } from "./http/rate-limit.js";
export { connectRedis } from "./cluster/redis.js";
