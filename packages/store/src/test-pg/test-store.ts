import { createPgStore } from "../pg/pg-store.js";
import { loadRegistry, testStoreOn, type TestStore, type TestStoreOptions } from "../test-helpers.js";
import { createTestSchema } from "./schemas.js";

/**
 * A PostgreSQL store in a fresh schema of the server at `url`, removed when the test finishes:
 * the PostgreSQL counterpart of test-helpers.ts's `createTestStore`. `openAnother` opens a
 * second store (its own pool, as another process would) on the same schema; `path` is the
 * schema's name.
 */
export async function createPgTestStore(url: string, opts: TestStoreOptions = {}): Promise<TestStore> {
  const schema = await createTestSchema(url);
  const registry = loadRegistry();
  return testStoreOn(
    {
      path: schema.name,
      registry,
      open: (o) => createPgStore({ url, registry, schema: schema.name, pollMs: o.pollMs }),
      cleanup: () => schema.drop(),
    },
    opts,
  );
}
