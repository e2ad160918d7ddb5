import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";

/**
 * The server's HTTP timeouts are set deliberately (apps/server/src/server.ts): an idle keep-alive
 * connection outlives Node's default 5 s, so a client reusing it does not meet a closed socket.
 */

function get(url: string, agent: http.Agent): Promise<{ status: number; localPort: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      const localPort = res.socket.localPort!;
      res.resume();
      res.once("end", () => resolve({ status: res.statusCode!, localPort }));
    });
    req.once("error", reject);
  });
}

describe("HTTP timeouts", () => {
  let s: TestServer;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    agent.destroy();
    await s?.stop();
  });

  it("a keep-alive connection idle for 6 s is still open and reused", async () => {
    const first = await get(`${s.url}/healthz`, agent);
    expect(first.status).toBe(200);
    await sleep(6_000);
    // Had the server closed the idle socket, the agent would have dropped it and opened another.
    const second = await get(`${s.url}/healthz`, agent);
    expect(second.status).toBe(200);
    expect(second.localPort).toBe(first.localPort);
  });
});
