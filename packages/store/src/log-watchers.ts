import type { StoreLogger } from "./sqlite-store.js";

/**
 * Tells every watcher of the log that it grew (both engines). A broken watcher (e.g. the live
 * hub) must not turn a durable append into an error, nor keep the others from hearing it.
 */
export function notifier(watchers: ReadonlySet<() => void>, log?: StoreLogger): () => void {
  return () => {
    for (const w of watchers) {
      try {
        w();
      } catch (err) {
        log?.error({ err }, "store: log watcher threw");
      }
    }
  };
}
