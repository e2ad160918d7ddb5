import type { Registry } from "@carewatch/domain";
import { createPgStore } from "./pg/pg-store.js";
import { createStore, type StoreLogger } from "./sqlite-store.js";
import type { Store } from "./types.js";

/** Where a store lives: an SQLite file (the embedded default) or a PostgreSQL database. */
export type StoreLocation = { engine: "sqlite"; path: string } | { engine: "postgres"; url: string };

/** The one place the server, `cw` and the tools choose an engine. */
export function openStore(where: StoreLocation, registry: Registry, log?: StoreLogger): Promise<Store> {
  return where.engine === "postgres" ? createPgStore({ url: where.url, registry, log }) : Promise.resolve(createStore({ path: where.path, registry, log }));
}

/** A location fit for a log line: a PostgreSQL URL without its password. */
export function describeLocation(where: StoreLocation): string {
  if (where.engine === "sqlite") return where.path;
  const u = new URL(where.url);
  if (u.password) u.password = "***";
  return u.toString();
}
