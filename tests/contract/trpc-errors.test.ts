import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readResponse, startTestServer, type TestServer } from "../support/server.js";

/** tRPC errors: no stack traces unless CAREWATCH_ENV=development, and each one logged with its request id. */

interface LogLine {
  level: number;
  msg: string;
  req_id?: string;
  trpc_code?: string;
  trpc_path?: string | null;
  status?: number;
}

/** A pino logger at info into an array, so a test can read the server's log lines. */
function capturingLog() {
  const lines: LogLine[] = [];
  const log = pino({ level: "info" }, { write: (chunk: string) => void lines.push(JSON.parse(chunk) as LogLine) });
  return { log, lines };
}

const input = (v: unknown) => encodeURIComponent(JSON.stringify(v));
let n = 0;
/** A request id of our own (the server keeps a well-formed X-Request-Id), to find the request's log lines. */
const newReqId = () => `trpc-test-${process.pid}-${++n}`;

describe("tRPC errors (default configuration)", () => {
  const { log, lines } = capturingLog();
  let s: TestServer;
  let display: string;

  beforeAll(async () => {
    s = await startTestServer({ log });
    display = await s.display();
  });
  afterAll(async () => {
    await s?.stop();
  });

  it("an UNAUTHORIZED answer has no stack trace, and the log has a trpc error line at info with its req_id", async () => {
    const reqId = newReqId();
    const r = await readResponse(await fetch(`${s.url}/trpc/board.snapshot`, { headers: { "x-request-id": reqId } }));
    expect(r.status).toBe(401);
    expect(r.json.error.data.code).toBe("UNAUTHORIZED");
    expect(r.text).not.toMatch(/"stack"/);
    expect(r.text).not.toMatch(/\bat .*\.(ts|js):\d+/);

    const line = lines.find((l) => l.msg === "trpc error" && l.req_id === reqId);
    expect(line, JSON.stringify(lines)).toMatchObject({ level: 30, trpc_code: "UNAUTHORIZED", trpc_path: "board.snapshot", status: 401 });
    // The HTTP line carries the same id.
    expect(lines.some((l) => l.msg === "request" && l.req_id === reqId)).toBe(true);
  });

  it("a BAD_REQUEST (invalid input) has no stack trace and is logged at warn with its req_id", async () => {
    const reqId = newReqId();
    const r = await readResponse(
      await fetch(`${s.url}/trpc/board.changesSince?input=${input({ seq: -1 })}`, { headers: { cookie: `cw_display=${display}`, "x-request-id": reqId } }),
    );
    expect(r.status).toBe(400);
    expect(r.json.error.data.code).toBe("BAD_REQUEST");
    expect(r.text).not.toMatch(/"stack"/);
    expect(lines.find((l) => l.msg === "trpc error" && l.req_id === reqId)).toMatchObject({ level: 40, trpc_code: "BAD_REQUEST", status: 400 });
  });

  it("a NOT_FOUND procedure has no stack trace and is logged with its req_id", async () => {
    const reqId = newReqId();
    const r = await readResponse(await fetch(`${s.url}/trpc/board.noSuchThing`, { headers: { cookie: `cw_display=${display}`, "x-request-id": reqId } }));
    expect(r.status).toBe(404);
    expect(r.text).not.toMatch(/"stack"/);
    expect(lines.find((l) => l.msg === "trpc error" && l.req_id === reqId)).toMatchObject({ trpc_code: "NOT_FOUND" });
  });
});

describe("tRPC errors with CAREWATCH_ENV=development", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { CAREWATCH_ENV: "development" } });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it("carry a stack trace (the switch works, so the default's absence of one is the configuration's doing)", async () => {
    const r = await readResponse(await fetch(`${s.url}/trpc/board.snapshot`));
    expect(r.status).toBe(401);
    expect(typeof r.json.error.data.stack).toBe("string");
  });
});
