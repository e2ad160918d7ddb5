export { createSimulator, DEFAULT_SILENT, LIVE_RATES } from "./simulator.js";
export type { BackfillResult, Simulator, SimulatorOptions, SimulatorStats } from "./simulator.js";
export { ApiClient, parseRetryAfter, defaultLogger } from "./client.js";
export type { ClientOptions, Logger, LogLevel, PostResult } from "./client.js";
export * from "./model.js";
