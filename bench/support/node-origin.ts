/**
 * The minimal Node HTTP origin of bench/proxy.ts, run as its own process so it never shares an
 * event loop with the proxy in front of it. `GET /json` → `{"ok":true}`; `GET /events?n=N` → N SSE
 * events, 100 ms apart, each carrying its send time (ms since the epoch, sub-ms). Prints
 * `{"port":N}` on stdout once listening; ends on SIGTERM.
 */
import { createServer } from "node:http";

const body = Buffer.from(JSON.stringify({ ok: true }));
const now = () => performance.timeOrigin + performance.now();

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://origin");
  if (req.method === "GET" && url.pathname === "/json") {
    res.writeHead(200, { "content-type": "application/json", "content-length": body.byteLength });
    res.end(body);
    return;
  }
  if (req.method === "GET" && url.pathname === "/events") {
    const n = Number(url.searchParams.get("n") ?? "20");
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    let i = 0;
    const send = () => {
      res.write(`id: ${i}\ndata: ${now().toFixed(3)}\n\n`);
      i += 1;
      if (i >= n) res.end();
      else timer = setTimeout(send, 100);
    };
    let timer = setTimeout(send, 0);
    res.once("close", () => clearTimeout(timer));
    return;
  }
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("not found");
});

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
