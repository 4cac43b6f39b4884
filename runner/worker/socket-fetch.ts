/**
 * `fetch` over a unix socket: a worker on the hub's own machine (the one `npm start` runs) speaks
 * HTTP to the hub through the socket in the hub's 0700 directory instead of 127.0.0.1, so its
 * credential never crosses loopback, where a host-network tool with NET_RAW could read it. The
 * answer is a web `Response` whose body streams, like fetch's.
 */
import http from "node:http";
import { Readable } from "node:stream";

/** A hub URL of the form `unix:/absolute/path/to/hub.sock`: the socket's path, else null. */
export function unixSocketOf(url: string): string | null {
  const m = /^unix:(\/.*)$/.exec(url);
  return m ? m[1] : null;
}

export interface SocketRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** One HTTP request to `route` (path and query) over the unix socket `socketPath`, with a keep-alive agent of the caller's. */
export function fetchOverSocket(socketPath: string, agent: http.Agent, route: string, init: SocketRequest): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: "levhub", ...init.headers };
    if (init.body !== undefined) headers["content-length"] = String(Buffer.byteLength(init.body));
    const req = http.request({ socketPath, agent, path: route, method: init.method, headers, signal: init.signal }, (res) => {
      const out = new Headers();
      for (const [k, v] of Object.entries(res.headers)) {
        if (Array.isArray(v)) v.forEach((x) => out.append(k, x));
        else if (v !== undefined) out.set(k, v);
      }
      const status = res.statusCode ?? 502;
      const empty = status === 204 || status === 304 || init.method === "HEAD";
      if (empty) res.resume();
      resolve(new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, headers: out }));
    });
    req.once("error", reject);
    req.end(init.body);
  });
}
