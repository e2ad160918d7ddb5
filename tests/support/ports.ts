import { createServer } from "node:net";

/** A port of 127.0.0.1 that was free a moment ago (listen on 0, read it, close): for servers the tests start, and to reuse across a restart. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
