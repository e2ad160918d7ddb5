export * from "./types.js";
export { createStore, type SqliteStore, type StoreOptions, type StoreLogger } from "./sqlite-store.js";
export { GroupCommitter, type GroupCommitOptions } from "./group-commit.js";
export { RegistryConflictError } from "./registry-versions.js";
export { createPgStore, type PgStoreOptions } from "./pg/pg-store.js";
export { openStore, describeLocation, type StoreLocation } from "./open-store.js";
export * from "./copy/index.js";
