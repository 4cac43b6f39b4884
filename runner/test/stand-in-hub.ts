import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before } from "node:test";
import type { HubConfig } from "../cli/hub.ts";

/** What a stand-in hub saw of one request: its body parsed when it is JSON, else its text (a multipart upload). */
export interface SeenRequest {
  method: string;
  url: string;
  body: unknown;
  /** the Authorization header, recorded when the hub was asked to */
  auth?: string | undefined;
}

export type Reply = (method: string, url: string, body: unknown) => [number, unknown];

/**
 * A stand-in hub on 127.0.0.1 for the CLI's tests, listening for the test file's lifetime: it
 * records each request in `seen` and answers from `reply`, which a test replaces. `cfg` is filled
 * in before the first test runs.
 */
export function standInHub(opts: { recordAuth?: boolean } = {}) {
  const hub = {
    seen: [] as SeenRequest[],
    reply: (() => [404, { error: { code: "not_found", message: "nothing here" } }]) as Reply,
    cfg: { url: "", token: "lev_test" } as HubConfig,
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => {
      const body = parseBody(text);
      hub.seen.push({ method: req.method!, url: req.url!, body, ...(opts.recordAuth ? { auth: req.headers.authorization } : {}) });
      const [status, data] = hub.reply(req.method!, req.url!, body);
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(data));
    });
  });
  before(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    hub.cfg.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());
  return hub;
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
