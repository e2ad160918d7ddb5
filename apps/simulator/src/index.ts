export { createSimulator, DEFAULT_SILENT } from "./simulator.js";
export type { BackfillResult, Simulator, SimulatorOptions, SimulatorStats } from "./simulator.js";
