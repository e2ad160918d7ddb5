import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { census, expectProblem, getStatus, referral, SONG_MA, statusOf, uid } from "../support/contract-helpers.js";
import { cw, postEvents, ROOT, spawnServer, tempDataDir, type SpawnedServer } from "../support/server.js";

/** Contract "Operating": configuration errors, registry, SIGTERM, logs — on the built server (dist/main.js). */

const dirs: string[] = [];
const children: SpawnedServer[] = [];
const dir = () => {
  const d = tempDataDir();
  dirs.push(d);
  return d;
};

afterAll(async () => {
  for (const c of children) {
    if (c.child.exitCode === null && c.child.signalCode === null) {
      c.child.kill("SIGKILL");
      await c.exited;
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Start dist/main.js expecting it to refuse: resolves with its exit code and output. */
function runToExit(env: Record<string, string>, hangAfterMs = 20_000): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "apps/server/dist/main.js")], {
      cwd: ROOT,
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", CAREWATCH_RATE_LIMIT: "0", LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      // It started after all: stop it, the test will fail on the exit code.
      if (stdout.includes('"carewatch listening"')) child.kill("SIGKILL");
    });
    child.stderr.on("data", (d) => (stderr += d));
    // A process that neither listens nor exits is hung: kill it (its exit code is then null).
    const timer = setTimeout(() => child.kill("SIGKILL"), hangAfterMs);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

async function start(dataDir: string, env: Record<string, string> = {}) {
  const s = await spawnServer(dataDir, env);
  children.push(s);
  return s;
}

const registryDoc = (facilities: object[]) => ({
  version: 1,
  time_zone: "Asia/Ho_Chi_Minh",
  provinces: [{ id: "test-province", name: "Test province" }],
  facilities,
});
const clinic = (id: string, extra: object = {}) => ({
  id,
  name: `Clinic ${id}`,
  type: "social_work",
  province: "test-province",
  capacity: 42,
  units: [],
  reporting_interval_minutes: 15,
  ...extra,
});

describe("configuration errors stop the server with a message naming the variable", () => {
  it("PORT=abc → non-zero exit, message names PORT", async () => {
    const r = await runToExit({ PORT: "abc", CAREWATCH_DATA_DIR: dir() });
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.stderr).toMatch(/PORT/);
    expect(r.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // a message, not a stack trace
  });

  it("PORT out of range (70000) → non-zero exit naming PORT", async () => {
    const r = await runToExit({ PORT: "70000", CAREWATCH_DATA_DIR: dir() });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/PORT/);
  });

  for (const [name, value] of [
    ["CAREWATCH_DATABASE_URL", "mysql://db.example/carewatch"],
    ["CAREWATCH_REDIS_URL", "http://cache.example:6379"],
    ["CAREWATCH_TRUSTED_PROXIES", "127.0.0.1,nginx"],
  ] as const) {
    it(`${name}=${value} → refused, the message names ${name}`, async () => {
      const r = await runToExit({ CAREWATCH_DATA_DIR: dir(), [name]: value });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(name);
      expect(r.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    });
  }

  it("cw refuses a CAREWATCH_DATABASE_URL that is not PostgreSQL's, naming it (exit 2)", async () => {
    const r = await cw(dir(), ["keys", "list"], { CAREWATCH_DATABASE_URL: "mysql://db.example/carewatch" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("CAREWATCH_DATABASE_URL");
  });

  it("a PostgreSQL or Redis that cannot be reached → exit 1 with a message, the password never printed", async () => {
    const pg = await runToExit({ CAREWATCH_DATA_DIR: dir(), CAREWATCH_DATABASE_URL: "postgres://carewatch:s3cret-pw@127.0.0.1:1/carewatch" });
    expect(pg.code).toBe(1);
    expect(pg.stderr).toMatch(/cannot start/);
    expect(pg.stderr + pg.stdout).not.toContain("s3cret-pw");
    const redis = await runToExit({ CAREWATCH_DATA_DIR: dir(), CAREWATCH_REDIS_URL: "redis://:s3cret-pw@127.0.0.1:1" });
    expect(redis.code).toBe(1);
    expect(redis.stderr).toMatch(/CAREWATCH_REDIS_URL/);
    expect(redis.stderr + redis.stdout).not.toContain("s3cret-pw");
  });

  it("CAREWATCH_DATA_DIR pointing to a file → clear message naming CAREWATCH_DATA_DIR", async () => {
    const file = path.join(dir(), "not-a-dir");
    writeFileSync(file, "x");
    const r = await runToExit({ CAREWATCH_DATA_DIR: file });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/CAREWATCH_DATA_DIR/);
    expect(r.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });

  it("CAREWATCH_DATA_DIR that cannot be created (/proc/forbidden) → message naming CAREWATCH_DATA_DIR", async () => {
    // procfs answers ENOENT to mkdir; a recursive mkdir that retries the parent never returns.
    const r = await runToExit({ CAREWATCH_DATA_DIR: "/proc/forbidden" }, 8_000);
    expect(r.code, "the server hung instead of refusing the data dir").not.toBeNull();
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/CAREWATCH_DATA_DIR/);
  });

  it("CAREWATCH_FACILITIES with invalid JSON → refused, the message says so", async () => {
    const d = dir();
    const file = path.join(d, "registry.json");
    writeFileSync(file, '{"version": 1, "facilities": [');
    const r = await runToExit({ CAREWATCH_DATA_DIR: d, CAREWATCH_FACILITIES: file });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/CAREWATCH_FACILITIES/);
    expect(r.stderr).toMatch(/JSON/);
  });

  it("CAREWATCH_FACILITIES with a duplicate facility id → refused, the message names the duplicate", async () => {
    const d = dir();
    const file = path.join(d, "registry.json");
    writeFileSync(file, JSON.stringify(registryDoc([clinic("twin-clinic"), clinic("twin-clinic")])));
    const r = await runToExit({ CAREWATCH_DATA_DIR: d, CAREWATCH_FACILITIES: file });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/duplicate/i);
    expect(r.stderr).toContain("twin-clinic");
  });

  it("CAREWATCH_FACILITIES naming a missing file → refused", async () => {
    const d = dir();
    const r = await runToExit({ CAREWATCH_DATA_DIR: d, CAREWATCH_FACILITIES: path.join(d, "nope.json") });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/CAREWATCH_FACILITIES/);
  });
});

describe("a custom registry file is used", () => {
  it("its facility appears in status (server and CLI both read CAREWATCH_FACILITIES)", async () => {
    const d = dir();
    const file = path.join(d, "registry.json");
    writeFileSync(file, JSON.stringify(registryDoc([clinic("test-clinic", { capacity: 42, reporting_interval_minutes: 30 })])));
    const env = { CAREWATCH_FACILITIES: file };
    const srv = await start(d, env);
    const created = await cw(d, ["keys", "create", "test-clinic"], env);
    expect(created.status, created.stderr).toBe(0);
    const key = created.stdout.trim();
    const st = await statusOf(srv.url, key, "test-clinic");
    expect(st).toMatchObject({ facility_id: "test-clinic", name: "Clinic test-clinic", type: "social_work", capacity: 42, occupied: 0 });
    expect((await postEvents(srv.url, key, census("test-clinic", 40, Date.now() - 60_000))).status).toBe(202);
    expect(await statusOf(srv.url, key, "test-clinic")).toMatchObject({ occupied: 40, available: 2, occupancy_pct: 95.2, level: "critical" });
    // The bundled registry's facilities are not there.
    expect((await cw(d, ["keys", "create", SONG_MA], env)).status).not.toBe(0);
    srv.child.kill("SIGTERM");
    expect(await srv.exited).toBe(0);
  });
});

describe("SIGTERM and logs", () => {
  it("SIGTERM → exit 0; an event acknowledged just before is there after a restart (same seq)", async () => {
    const d = dir();
    const srv = await start(d);
    const key = (await cw(d, ["keys", "create", SONG_MA])).stdout.trim();
    const ev = census(SONG_MA, 77, Date.now() - 60_000);
    const r = await postEvents(srv.url, key, ev);
    expect(r.status).toBe(202);
    // Requests in flight while the signal arrives: each acknowledged one must survive.
    const flight = Array.from({ length: 20 }, (_, i) => census(SONG_MA, i, Date.now() - 50_000, { event_id: uid(`flight${i}`) }));
    const pending = flight.map((e) =>
      postEvents(srv.url, key, e).then(
        (x) => x,
        () => null,
      ),
    );
    srv.child.kill("SIGTERM");
    const results = await Promise.all(pending);
    expect(await srv.exited).toBe(0);

    const again = await start(d);
    const dup = await postEvents(again.url, key, ev);
    expect(dup.status).toBe(200);
    expect(dup.json).toEqual({ status: "duplicate", event_id: ev.event_id, seq: r.json.seq });
    for (const [i, res] of results.entries()) {
      if (!res || res.status !== 202) continue;
      const d2 = await postEvents(again.url, key, flight[i]);
      expect(d2.status, `acknowledged event ${flight[i]!.event_id} lost`).toBe(200);
      expect(d2.json.seq).toBe(res.json.seq);
    }
    const st = await getStatus(again.url, key, SONG_MA);
    expect(st.status).toBe(200);
    again.child.kill("SIGTERM");
    expect(await again.exited).toBe(0);
  });

  it("logs are JSON lines with a request id and never contain the request body", async () => {
    const d = dir();
    const srv = await start(d);
    let out = "";
    srv.child.stdout!.on("data", (c) => (out += String(c)));
    const key = (await cw(d, ["keys", "create", SONG_MA])).stdout.trim();
    const secretDestination = `Bệnh viện bí mật ${uid("DEST")}`;
    const secretName = `Nguyen-Van-Secret-${uid("NAME")}`;
    const ok = await postEvents(srv.url, key, referral(SONG_MA, uid("r"), "requested", Date.now() - 60_000, { destination: secretDestination }));
    expect(ok.status).toBe(202);
    const bad = await postEvents(srv.url, key, { ...census(SONG_MA, 1, Date.now() - 60_000), patient_name: secretName });
    expectProblem(bad, 422);
    const malformed = await postEvents(srv.url, key, `{"destination": "${secretDestination}", `);
    expect(malformed.status).toBe(400);
    // Stop cleanly: every line is flushed by the time the process exits.
    srv.child.kill("SIGTERM");
    expect(await srv.exited).toBe(0);
    const all = out + srv.stderr();
    expect(all).not.toContain(secretDestination);
    expect(all).not.toContain(secretName);
    expect(all).not.toContain(key);

    const lines = out.split("\n").filter((l) => l.trim() !== "");
    expect(lines.length).toBeGreaterThan(0);
    const parsed = lines.map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        throw new Error(`log line is not JSON: ${l}`);
      }
    });
    const requests = parsed.filter((p) => p.path === "/api/v1/events");
    expect(requests.length).toBeGreaterThanOrEqual(3);
    for (const p of requests) {
      const id = p.req_id ?? p.reqId ?? p.request_id ?? p.requestId;
      expect(id, JSON.stringify(p)).toBeTypeOf("string");
      expect(id.length).toBeGreaterThan(0);
    }
    expect(new Set(requests.map((p) => p.req_id ?? p.reqId ?? p.request_id ?? p.requestId)).size).toBe(requests.length);
  });
});
