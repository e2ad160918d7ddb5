import postgres from "postgres";
import { onTestFinished } from "vitest";
import { createTestSchema } from "../test-pg/schemas.js";
import { migratePg } from "./pg-migrate.js";

/**
 * `n` pools on a fresh, migrated schema of the run's server, as `n` processes would hold them —
 * for the engine's own tests of what several processes do at once. Removed when the test finishes.
 */
export async function testPools(url: string, n: number): Promise<postgres.Sql[]> {
  const schema = await createTestSchema(url);
  const out = Array.from({ length: n }, () =>
    postgres(url, {
      max: 2,
      connection: { search_path: schema.name },
      onnotice: () => {},
      // As pg-store.ts: BIGINT as a JS number.
      types: { bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } },
    }),
  ) as unknown as postgres.Sql[];
  onTestFinished(async () => {
    await Promise.all(out.map((p) => p.end({ timeout: 5 })));
    await schema.drop();
  });
  await migratePg(out[0]!, { schema: schema.name });
  return out;
}
