import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";

/**
 * A throwaway PostgreSQL server for tests: a fresh cluster in a temp dir, on a free port of
 * 127.0.0.1, removed by `stop()`. Durability as in production (fsync=on, synchronous_commit=on):
 * the conformance suite checks that an acknowledgement means committed, so the server under test
 * must not be configured to lose commits.
 */
export interface PgTestServer {
  /** postgres://postgres@127.0.0.1:<port>/postgres — trust authentication, test use only. */
  url: string;
  port: number;
  /** The temp dir holding the cluster (data/) and the unix socket. */
  dir: string;
  /** Fast shutdown, wait until the server process is gone, remove the temp dir. */
  stop(): Promise<void>;
}

/** Where the PostgreSQL binaries are: $CAREWATCH_PG_BIN, Debian's /usr/lib/postgresql/<newest>/bin, or pg_config. */
export function findPgBin(): string | undefined {
  const fromEnv = process.env.CAREWATCH_PG_BIN;
  if (fromEnv) return existsSync(join(fromEnv, "postgres")) ? fromEnv : undefined;
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(debian, v, "bin", "postgres")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], "bin");
  }
  try {
    const dir = execFileSync("pg_config", ["--bindir"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    if (existsSync(join(dir, "postgres"))) return dir;
  } catch {
    // no pg_config on PATH
  }
  return undefined;
}

/**
 * The account the server runs as. initdb and postgres refuse to run as root, so as root we run
 * them as an unprivileged user: $CAREWATCH_TEST_PG_USER if set, else `postgres` (present wherever
 * the Debian package is installed), else a system user `carewatch-test` made for the purpose.
 * Not root: as ourselves.
 */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const chosen = process.env.CAREWATCH_TEST_PG_USER;
  for (const name of chosen ? [chosen] : ["postgres", "carewatch-test"]) {
    const account = lookupAccount(name);
    if (account) return account;
  }
  if (chosen && chosen !== "carewatch-test") throw new Error(`CAREWATCH_TEST_PG_USER: no user ${chosen}`);
  execFileSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "carewatch-test"], { stdio: "ignore" });
  const made = lookupAccount("carewatch-test");
  if (!made) throw new Error("could not create the system user carewatch-test to run PostgreSQL as");
  return made;
}

function lookupAccount(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
    const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/** A port nobody listens on right now (the server may still lose a race for it: start retries). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function run(bin: string, args: string[], account: { uid: number; gid: number } | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...account, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${bin} exited with ${code}:\n${out}`))));
  });
}

/** Resolves once the server answers a query; rejects when its process exits first. */
async function untilAccepting(url: string, child: ChildProcess, log: () => string): Promise<void> {
  let exited = false;
  child.once("exit", () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`postgres exited before accepting connections:\n${log()}`);
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`SELECT 1`;
      return;
    } catch {
      // not up yet: the next attempt follows the refused one, paced by the connection attempt
      await new Promise((r) => setTimeout(r, 25));
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
}

/** Start a throwaway server (initdb + postgres). Throws with the server's log when it cannot. */
export async function startPgServer(opts: { bin?: string } = {}): Promise<PgTestServer> {
  const bin = opts.bin ?? findPgBin();
  if (!bin) throw new Error("PostgreSQL binaries not found: install postgresql or set CAREWATCH_PG_BIN");
  const account = serverAccount();
  const dir = mkdtempSync(join(tmpdir(), "carewatch-pg-"));
  try {
    if (account) chownSync(dir, account.uid, account.gid);
    const data = join(dir, "data");
    // --no-sync: only initdb's own bootstrap files skip the flush (a throwaway cluster); the
    // server below runs with fsync=on like production.
    await run(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"], account);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      let log = "";
      const child = spawn(
        join(bin, "postgres"),
        [
          ...["-D", data, "-p", String(port), "-k", dir],
          ...["-c", "listen_addresses=127.0.0.1", "-c", "fsync=on", "-c", "synchronous_commit=on"],
          // Test files run in parallel and each store has its own pool.
          ...["-c", "max_connections=300"],
        ],
        { ...account, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LC_ALL: "C" } },
      );
      child.stdout!.on("data", (d) => (log += d));
      child.stderr!.on("data", (d) => (log += d));
      const gone = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once("exit", () => r())));
      try {
        await untilAccepting(url, child, () => log);
      } catch (err) {
        // Lost the race for the port to another process: try another one.
        if (attempt < 5 && /could not (bind|create listen)/i.test(log)) continue;
        throw err;
      }
      // A run that ends without stop() (an uncaught error, process.exit) must not leave a server
      // behind: SIGQUIT is the immediate shutdown, the only one an exit handler can still send.
      const onExit = () => child.kill("SIGQUIT");
      process.once("exit", onExit);
      return {
        url,
        port,
        dir,
        async stop() {
          process.off("exit", onExit);
          // SIGINT is PostgreSQL's fast shutdown: roll back open sessions, checkpoint, exit.
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
          await gone;
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
