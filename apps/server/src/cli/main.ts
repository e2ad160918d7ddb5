import { readFileSync } from "node:fs";
import path from "node:path";
import { Command, CommanderError, Option } from "commander";
import { isRole, localDay, ROLES, TARGET_YEAR_MAX, TARGET_YEAR_MIN, type Role } from "@carewatch/domain";
import { openStore as openStoreAt, type Store } from "@carewatch/store";
import * as actions from "../admin/admin-actions.js";
import * as targets from "../admin/targets-actions.js";
import { hashPassword, passwordProblem } from "../auth/passwords.js";
import { ConfigError, ensureDataDir, loadRegistry, POSTGRES_URL, POSTGRES_URL_EXPECTED } from "../env.js";
import { copyCommand } from "./copy.js";

/**
 * `cw`, the administrator's tool (`pnpm --silent cw …` from the repository root). It opens the
 * same store as the server: CAREWATCH_DATABASE_URL (PostgreSQL) when set, otherwise the data
 * directory's SQLite file (CAREWATCH_DATA_DIR, default ./data; SQLite's WAL lets it run beside a
 * live server).
 */
function openStore(): Promise<Store> {
  const { registry } = loadRegistry(process.env.CAREWATCH_FACILITIES);
  const url = process.env.CAREWATCH_DATABASE_URL;
  if (url && !POSTGRES_URL.test(url)) throw new ConfigError(`CAREWATCH_DATABASE_URL: ${POSTGRES_URL_EXPECTED}`);
  if (url) return openStoreAt({ engine: "postgres", url }, registry);
  const dir = ensureDataDir(process.env.CAREWATCH_DATA_DIR ?? "./data");
  return openStoreAt({ engine: "sqlite", path: path.join(dir, "carewatch.db") }, registry);
}

async function withStore<T>(fn: (s: Store) => Promise<T>): Promise<T> {
  const store = await openStore();
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

const publicUrl = () => (process.env.CAREWATCH_PUBLIC_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/$/, "");
const collect = (value: string, previous: string[]) => [...previous, value];

/** The shared admin actions, as `cw` (audit actor { kind: "cli", id: "cw" }); their refusals are usage errors here. */
async function act<T>(s: Store, fn: (ctx: actions.ActionContext) => Promise<T>): Promise<T> {
  try {
    return await fn({ store: s, now: Date.now, actor: actions.CLI_ACTOR });
  } catch (e) {
    if (e instanceof actions.AdminError) throw new ConfigError(e.message);
    throw e;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline (echo, a heredoc) is not part of the password.
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

const program = new Command("cw").description("carewatch administration").showHelpAfterError();

const keys = program.command("keys").description("facility API keys (shown once, stored hashed)");
keys
  .command("create <facility_id>")
  .description("create a key for a facility and print it alone on stdout")
  .action((facilityId: string) =>
    withStore(async (s) => {
      if (!s.registry.byId.has(facilityId)) throw new ConfigError(`unknown facility "${facilityId}" (see: cw facilities list)`);
      out((await act(s, (ctx) => actions.createKey(ctx, facilityId))).key);
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
      if (!(await s.credentials.listKeys()).some((k) => k.id === id && k.revokedAt === null))
        throw new ConfigError(`no active key "${id}" (see: cw keys list)`);
      await act(s, (ctx) => actions.revokeKey(ctx, id));
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
  .option("--province <id>", "show only this province (repeat for several; none = every province)", collect, [] as string[])
  .option("--url <base>", "the address the display opens", publicUrl())
  .action((name: string, opts: { url: string; province: string[] }) =>
    withStore(async (s) => {
      const known = new Set(s.registry.provinces.map((p) => p.id));
      for (const p of opts.province) if (!known.has(p)) throw new ConfigError(`unknown province "${p}" (one of: ${[...known].join(", ")})`);
      out((await act(s, (ctx) => actions.createDisplay(ctx, name, opts.province, opts.url))).url);
    }),
  );
displays
  .command("list")
  .description("list displays")
  .action(() =>
    withStore(async (s) => {
      out(["id", "name", "provinces", "created", "revoked"].join("\t"));
      for (const d of await s.credentials.listDisplays()) out([d.id, d.name, d.provinces.join(",") || "-", iso(d.createdAt), iso(d.revokedAt)].join("\t"));
    }),
  );
displays
  .command("revoke <display_id>")
  .description("revoke a display: its page and socket are refused within seconds")
  .action((id: string) =>
    withStore(async (s) => {
      if (!(await s.credentials.listDisplays()).some((d) => d.id === id && d.revokedAt === null))
        throw new ConfigError(`no active display "${id}" (see: cw displays list)`);
      await act(s, (ctx) => actions.revokeDisplay(ctx, id));
      out(`revoked ${id}`);
    }),
  );

const users = program.command("users").description("people who log in (admin, manager, facility clerk)");
users
  .command("create <email>")
  .description("create an account; prints an invitation URL (valid 72 h), or with --password-stdin sets the password read from stdin")
  .addOption(new Option("--role <role>", "what the account may do").choices([...ROLES]).makeOptionMandatory())
  .option("--province <id>", "a manager's province (repeat for several; none = every province)", collect, [] as string[])
  .option("--facility <id>", "the facility of a facility clerk (role facility)")
  .option("--password-stdin", "read the password from stdin instead of printing an invitation")
  .option("--url <base>", "the address people open", publicUrl())
  .action((email: string, opts: { role: string; province: string[]; facility?: string; passwordStdin?: boolean; url: string }) =>
    withStore(async (s) => {
      if (!isRole(opts.role)) throw new ConfigError(`unknown role "${opts.role}" (one of: ${ROLES.join(", ")})`);
      const role: Role = opts.role;
      if (role !== "manager" && opts.province.length > 0) throw new ConfigError("--province is for managers only");
      if (role === "facility" && !opts.facility) throw new ConfigError("a facility clerk needs --facility <id> (see: cw facilities list)");
      if (role !== "facility" && opts.facility) throw new ConfigError("--facility is for role facility only");
      if (opts.facility && !s.registry.byId.has(opts.facility)) throw new ConfigError(`unknown facility "${opts.facility}" (see: cw facilities list)`);
      const known = new Set(s.registry.provinces.map((p) => p.id));
      for (const p of opts.province) if (!known.has(p)) throw new ConfigError(`unknown province "${p}" (one of: ${[...known].join(", ")})`);
      let passwordHash: string | null = null;
      if (opts.passwordStdin) {
        const password = await readStdin();
        const problem = passwordProblem(password, email);
        if (problem) throw new ConfigError(problem);
        passwordHash = await hashPassword(password);
      }
      const account = { email, role, provinces: opts.province, facilityId: opts.facility ?? null };
      if (passwordHash) {
        const hash = passwordHash;
        const created = await act(s, (ctx) => actions.createUserWithPassword(ctx, account, hash));
        out(`created ${created.email} (${role})`);
      } else {
        out((await act(s, (ctx) => actions.inviteUser(ctx, account, opts.url))).url);
      }
    }),
  );
users
  .command("list")
  .description("list accounts (never passwords)")
  .action(() =>
    withStore(async (s) => {
      out(["id", "email", "role", "provinces", "facility", "password", "created", "disabled"].join("\t"));
      for (const u of await s.credentials.listUsers())
        out(
          [
            u.id,
            u.email,
            u.role,
            u.provinces.join(",") || "-",
            u.facilityId ?? "-",
            u.hasPassword ? "set" : "invited",
            iso(u.createdAt),
            iso(u.disabledAt),
          ].join("\t"),
        );
    }),
  );
users
  .command("disable <email>")
  .description("disable an account: its sessions end and its pages and sockets are refused within seconds")
  .action((email: string) =>
    withStore(async (s) => {
      try {
        out(`disabled ${(await act(s, (ctx) => actions.disableUser(ctx, email))).email}`);
      } catch (e) {
        throw e instanceof ConfigError ? new ConfigError(`no enabled account "${email}" (see: cw users list)`) : e;
      }
    }),
  );

const targetsCmd = program.command("targets").description("plan targets: import a targets document, list a year's progress");
targetsCmd
  .command("import <file>")
  .description("import (upsert) the plans and targets of a targets.json-shaped file; nothing is imported when it has a problem")
  .action((file: string) =>
    withStore(async (s) => {
      let document: unknown;
      try {
        document = JSON.parse(readFileSync(file, "utf8")) as unknown;
      } catch (e) {
        throw new ConfigError(`cannot read ${file} as JSON: ${(e as Error).message}`);
      }
      const r = await act(s, (ctx) => targets.importTargets(ctx, document));
      out(`imported ${r.plans} plan(s): ${r.created.length} new, ${r.updated.length} changed, ${r.unchanged} unchanged target(s)`);
    }),
  );
targetsCmd
  .command("list")
  .description("each target of a year with its actual, pace, projection and verdict (tab-separated)")
  .option("--year <YYYY>", "the year (default: this year in Asia/Ho_Chi_Minh)")
  .action((opts: { year?: string }) =>
    withStore(async (s) => {
      const year = opts.year === undefined ? Number(localDay(Date.now()).slice(0, 4)) : Number(opts.year);
      if (!Number.isInteger(year) || year < TARGET_YEAR_MIN || year > TARGET_YEAR_MAX)
        throw new ConfigError(`--year must be a year from ${TARGET_YEAR_MIN} to ${TARGET_YEAR_MAX}, not "${opts.year}"`);
      const view = await targets.readTargets({ store: s, now: Date.now }, year, () => true);
      const n = (x: number | null) => (x === null ? "-" : String(Math.round(x * 10) / 10));
      out(["plan", "target", "kind", "value", "actual", "pace", "projection", "verdict", "days"].join("\t"));
      for (const plan of view.plans)
        for (const { target: t, progress: p } of plan.targets)
          out(
            [plan.id, t.id, t.kind, n(t.value), n(p.actual), n(p.pace), n(p.projection), p.verdict, `${p.clock.completedDays}/${p.clock.daysInYear}`].join(
              "\t",
            ),
          );
      if (view.plans.length === 0) process.stderr.write(`no targets for ${year} (years with targets: ${(await s.targets.years()).join(", ") || "none"})\n`);
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

program
  .command("copy")
  .description("copy this SQLite store (events, keys, displays, users, registry, audit, targets) into an empty PostgreSQL database, then verify it")
  .requiredOption("--to <postgres-url>", "the target database, postgres://…; refused unless it holds no store yet")
  .action((opts: { to: string }) => copyCommand(opts.to));

try {
  program.exitOverride();
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  process.stderr.write(`cw: ${(e as Error).message}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
}
