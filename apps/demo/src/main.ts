import { createSimulator, DEFAULT_SILENT } from "@carewatch/simulator";
import { ConfigError, importDemoTargets, INVITATION_TTL_MS, inviteUser, parseConfig, startServer } from "@carewatch/server";
import { describeLocation } from "@carewatch/store";

/**
 * `pnpm demo`: the product on the embedded SQLite store with the demo registry, history
 * backfilled on first run, and a live simulated feed posting through the public API with real
 * keys. Prints the wall-board URL with a display token, and an invitation link for the demo's
 * administrator (created on the first run) so that someone can log in and open /admin.
 */
const DEMO_ADMIN = "admin@carewatch.local";
const BACKFILL_DAYS = Number(process.env.CAREWATCH_DEMO_BACKFILL_DAYS ?? 30);
const SILENCE_MS = 3 * 3_600_000;

async function main() {
  let config;
  try {
    config = parseConfig({ LOG_LEVEL: "warn", CAREWATCH_RATE_LIMIT: "0", ...process.env });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`carewatch demo: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  // One facility of the demo has gone silent. Staleness counts from when events were *received*,
  // so its history is posted with the server's clock set back by the silence: the board then
  // shows it as it would be after three hours without a word (the clock is real afterwards).
  let clockShift = 0;
  const server = await startServer(config, { now: () => Date.now() + clockShift });
  const { store } = server;
  const now = Date.now();
  const keys = Object.fromEntries(
    await Promise.all(config.registry.facilities.map(async (f) => [f.id, (await store.credentials.createKey(f.id, now)).key] as const)),
  );
  const speed = Number(process.env.CAREWATCH_DEMO_SPEED ?? 1);
  const others = config.registry.facilities.map((f) => f.id).filter((id) => id !== DEFAULT_SILENT);
  const sim = createSimulator({ baseUrl: server.url, keys, registry: config.registry, speed, facilities: others, silent: null });

  if ((await store.reads.countEvents()) === 0 && BACKFILL_DAYS > 0) {
    process.stderr.write(`Backfilling ${BACKFILL_DAYS} days of history through the batch API…\n`);
    const progress = (label: string) => (done: number, total: number) => {
      const pct = total ? Math.floor((done / total) * 100) : 100;
      const bar = "#".repeat(Math.floor(pct / 4)).padEnd(25, ".");
      process.stderr.write(`\r${label} [${bar}] ${pct}% ${done}/${total} events`);
    };
    if (config.registry.byId.has(DEFAULT_SILENT)) {
      clockShift = -SILENCE_MS;
      const quiet = createSimulator({
        baseUrl: server.url,
        keys,
        registry: config.registry,
        facilities: [DEFAULT_SILENT],
        silent: null,
        now: () => Date.now() - SILENCE_MS,
      });
      await quiet.backfill(BACKFILL_DAYS, progress(`backfill ${DEFAULT_SILENT} (silent for 3 h)`));
      clockShift = 0;
      process.stderr.write("\n");
    }
    await sim.backfill(BACKFILL_DAYS, progress("backfill"));
    process.stderr.write("\n");
  }
  sim.start();
  // The bundled plan targets (/targets), the illustrative ones for this year: imported (audited,
  // actor "demo") when the store has none for this year yet.
  const imported = await importDemoTargets({ store, now: Date.now, actor: { kind: "cli", id: "demo" } });
  if (imported) process.stderr.write(`Plan targets imported: ${imported.plans} plans, ${imported.created.length} new targets\n`);

  const base = server.publicUrl.replace(/\/$/, "");
  const wall = `${base}/wall?display=${encodeURIComponent((await store.credentials.createDisplay("demo wall", Date.now())).token)}`;
  // The demo's administrator: invited on the first run (through the admin actions, so the audit
  // log shows it), invited again while no password is set, and left alone once it has one.
  const existing = (await store.credentials.listUsers()).find((u) => u.email === DEMO_ADMIN);
  let adminLine: string;
  if (!existing) {
    const invited = await inviteUser(
      { store, now: Date.now, actor: { kind: "cli", id: "demo" } },
      { email: DEMO_ADMIN, role: "admin", provinces: [], facilityId: null },
      base,
    );
    adminLine = `  Admin invite: ${invited.url}  (${DEMO_ADMIN}, valid 72 h)`;
  } else if (!existing.hasPassword && existing.disabledAt === null) {
    const { token } = await store.credentials.createInvitation(existing.id, Date.now(), INVITATION_TTL_MS);
    adminLine = `  Admin invite: ${base}/invite/${encodeURIComponent(token)}  (${DEMO_ADMIN}, valid 72 h)`;
  } else {
    adminLine = `  Admin login:  ${base}/login  (${DEMO_ADMIN}, password already set)`;
  }
  process.stdout.write(
    [
      "",
      "carewatch demo is running (Ctrl+C to stop)",
      `  Wall-board:   ${wall}`,
      adminLine,
      `  API docs:     ${server.url}/api/v1/docs`,
      `  Data:         ${describeLocation(config.database)}`,
      "",
    ].join("\n") + "\n",
  );

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      void (async () => {
        await sim.stop();
        await server.close();
        process.exit(0);
      })();
    });
  }
}

void main();
