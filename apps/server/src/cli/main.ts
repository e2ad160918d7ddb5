import { Command, CommanderError } from "commander";
import { createStore, type Store } from "@carewatch/store";
import { ConfigError, ensureDataDir, loadRegistry } from "../env.js";
import path from "node:path";

/**
 * `cw`, the administrator's tool (`pnpm --silent cw …` from the repository root). It opens the
 * same data directory as the server (CAREWATCH_DATA_DIR, default ./data); SQLite's WAL lets it
 * run beside a live server.
 */
function openStore(): Store {
  const dir = ensureDataDir(process.env.CAREWATCH_DATA_DIR ?? "./data");
  const { registry } = loadRegistry(process.env.CAREWATCH_FACILITIES);
  return createStore({ path: path.join(dir, "carewatch.db"), registry });
}

async function withStore<T>(fn: (s: Store) => Promise<T>): Promise<T> {
  const store = openStore();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

// `cw keys list | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

const iso = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString());
const out = (line: string) => process.stdout.write(line + "\n");

const program = new Command("cw").description("carewatch administration").showHelpAfterError();

const keys = program.command("keys").description("facility API keys (shown once, stored hashed)");
keys
  .command("create <facility_id>")
  .description("create a key for a facility and print it alone on stdout")
  .action((facilityId: string) =>
    withStore(async (s) => {
      if (!s.registry.byId.has(facilityId)) throw new ConfigError(`unknown facility "${facilityId}" (see: cw facilities list)`);
      out((await s.credentials.createKey(facilityId, Date.now())).key);
    }),
  );
keys
  .command("list")
  .description("list keys (ids only; keys are never shown again)")
  .action(() =>
    withStore(async (s) => {
      out(["id", "facility", "created", "last_used", "revoked"].join("\t"));
      for (const k of await s.credentials.listKeys()) out([k.id, k.facilityId, iso(k.createdAt), iso(k.lastUsedAt), iso(k.revokedAt)].join("\t"));
    }),
  );
keys
  .command("revoke <key_id>")
  .description("revoke a key: it gets 401 from then on")
  .action((id: string) =>
    withStore(async (s) => {
      if (!(await s.credentials.revokeKey(id, Date.now()))) throw new ConfigError(`no active key "${id}" (see: cw keys list)`);
      out(`revoked ${id}`);
    }),
  );

program
  .command("facilities")
  .description("facility registry")
  .command("list")
  .description("list facilities with their ids")
  .action(() =>
    withStore(async (s) => {
      out(["id", "type", "province", "capacity", "units", "name"].join("\t"));
      for (const f of s.registry.facilities) out([f.id, f.type, f.province, f.capacity, f.units.map((u) => u.id).join(",") || "-", f.name].join("\t"));
    }),
  );

const displays = program.command("displays").description("wall display tokens (read-only board access)");
displays
  .command("create <name>")
  .description("create a display and print the URL to open on it")
  .option("--url <base>", "the address the display opens", process.env.CAREWATCH_PUBLIC_URL ?? `http://localhost:${process.env.PORT ?? 3000}`)
  .action((name: string, opts: { url: string }) =>
    withStore(async (s) => {
      const { token } = await s.credentials.createDisplay(name, Date.now());
      out(`${opts.url.replace(/\/$/, "")}/wall?display=${encodeURIComponent(token)}`);
    }),
  );
displays
  .command("list")
  .description("list displays")
  .action(() =>
    withStore(async (s) => {
      out(["id", "name", "created", "revoked"].join("\t"));
      for (const d of await s.credentials.listDisplays()) out([d.id, d.name, iso(d.createdAt), iso(d.revokedAt)].join("\t"));
    }),
  );
displays
  .command("revoke <display_id>")
  .description("revoke a display: its page and socket are refused within seconds")
  .action((id: string) =>
    withStore(async (s) => {
      if (!(await s.credentials.revokeDisplay(id, Date.now()))) throw new ConfigError(`no active display "${id}" (see: cw displays list)`);
      out(`revoked ${id}`);
    }),
  );

program
  .command("rebuild")
  .description("recompute every projection from the event log and report any difference")
  .action(() =>
    withStore(async (s) => {
      const report = await s.rebuild((done, total) => process.stderr.write(`\rrebuild ${done}/${total} events`));
      process.stderr.write("\n");
      out(`replayed ${report.events} events in ${report.millis} ms`);
      if (report.differences.length === 0) out("no differences: projections match the log");
      else {
        out(`${report.differences.length} difference(s) found and repaired:`);
        for (const d of report.differences) out(`  ${d}`);
        process.exitCode = 3;
      }
    }),
  );

try {
  program.exitOverride();
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  process.stderr.write(`cw: ${(e as Error).message}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
}
