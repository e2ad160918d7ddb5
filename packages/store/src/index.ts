export * from "./types.js";
export { createStore, type StoreOptions } from "./sqlite-store.js";
export { GroupCommitter } from "./group-commit.js";
