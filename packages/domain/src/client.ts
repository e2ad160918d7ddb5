// The part of the core a browser needs, without the zod schemas (which would add ~100 KB to the
// wall-board's bundle for nothing): live protocol, constants, staleness, levels, time zones.
export * from "./live.js";
export * from "./live-protocol.js";
export * from "./staleness.js";
export * from "./levels.js";
export * from "./time.js";
export * from "./principal.js";
export * from "./access.js";
export * from "./event-enums.js";
export * from "./referral-timeline.js";
export * from "./targets-pace.js";
export * from "./history-buckets.js";
export * from "./labels.js";
