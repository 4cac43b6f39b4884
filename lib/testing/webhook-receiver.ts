/**
 * A webhook receiver on 127.0.0.1 for tests and benches. It records every request (headers, raw
 * body, the answer it gave) and answers as `respond` decides: 204 by default; `failEvery: 2`
 * answers every second request 503 (an endpoint failing half the time); a path answered with a
 * redirect tests that none is followed.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedHook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedHook[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(opts: { failEvery?: number; respond?: (req: http.IncomingMessage, n: number) => { status: number; headers?: Record<string, string>; body?: string } | null } = {}): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      n += 1;
      const custom = opts.respond?.(req, n) ?? null;
      const status = custom?.status ?? (opts.failEvery && n % opts.failEvery === 0 ? 503 : 204);
      received.push({ path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), status });
      res.writeHead(status, custom?.headers ?? {});
      res.end(custom?.body ?? (status >= 500 ? "unavailable, and a body the hub must not store" : undefined));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
