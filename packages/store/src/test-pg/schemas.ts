import { randomBytes } from "node:crypto";
import postgres from "postgres";

/**
 * A fresh schema per test store, so tests running in parallel on one server never see each
 * other's tables; dropped (with everything in it) at dispose.
 */
export interface TestSchema {
  name: string;
  drop(): Promise<void>;
}

function admin(url: string): postgres.Sql {
  return postgres(url, { max: 1, onnotice: () => {} });
}

export async function createTestSchema(url: string): Promise<TestSchema> {
  const name = `t_${randomBytes(6).toString("hex")}`;
  const sql = admin(url);
  try {
    await sql`CREATE SCHEMA ${sql(name)}`;
  } finally {
    await sql.end();
  }
  return {
    name,
    async drop() {
      const sql = admin(url);
      try {
        await sql`DROP SCHEMA IF EXISTS ${sql(name)} CASCADE`;
      } finally {
        await sql.end();
      }
    },
  };
}
