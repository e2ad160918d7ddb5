/**
 * Baseline "bare Socket.IO": each HTTP POST /emit is numbered and its body broadcast at once to
 * every connected client as a "patch" { seq, body } — no store, no auth, no coalescing. The reply
 * (202 {"seq"}) goes out right after the emit. PORT comes from the environment.
 */
import { createServer } from "node:http";
import { Server } from "socket.io";

let seq = 0;
const http = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    return;
  }
  if (req.method !== "POST" || req.url !== "/emit") {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (d: Buffer) => chunks.push(d));
  req.on("end", () => {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      res.writeHead(400).end();
      return;
    }
    seq += 1;
    io.emit("patch", { seq, body });
    res.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify({ seq }));
  });
});
const io = new Server(http, { serveClient: false });

http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? "127.0.0.1");
const stop = () => io.close(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
