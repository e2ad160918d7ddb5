// A tiny promise wrapper over IndexedDB: one database, one object store keyed by a string.
// Enough for the entry outbox; no dependency.

const DB_NAME = "carewatch";
const STORE = "outbox";

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  opening ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: "id" });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => {
      opening = null;
      reject(req.error);
    };
  });
  return opening;
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx<T>(mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  const t = db.transaction(STORE, mode);
  const result = done(run(t.objectStore(STORE)));
  await new Promise<void>((resolve, reject) => {
    t.oncomplete = () => resolve();
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
  return result;
}

export const outboxStore = {
  put: <T extends { id: string }>(value: T) => tx("readwrite", (s) => s.put(value)).then(() => undefined),
  delete: (id: string) => tx("readwrite", (s) => s.delete(id)).then(() => undefined),
  all: <T>() => tx("readonly", (s) => s.getAll() as IDBRequest<T[]>),
};
