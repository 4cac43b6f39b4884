import "server-only";
import { lookup as dnsLookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { addressRefusal, hostAllowListed, urlRefusal } from "./address-policy.ts";

/**
 * POSTs a notification to a webhook (or Slack-compatible) URL under the hub's transport rules:
 * the URL checked (address-policy.ts), its name resolved now and every address it resolves to
 * checked, the connection made to the checked address (the name only for TLS and `Host`, so a
 * second resolution cannot rebind it), no redirect followed, a deadline over the whole exchange,
 * and of the answer only its status code and how many bytes it had (never its body).
 */

export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Bytes of an answer counted before the hub stops reading: nothing of it is kept anyway. */
export const RESPONSE_COUNT_CAP = 64 * 1024;
/** A notification's body: events carry capped samples, so this is far above any real one. */
export const PAYLOAD_MAX_BYTES = 256 * 1024;

export type SendOutcome =
  | { ok: true; statusCode: number; responseBytes: number }
  /** retryable: an attempt later may succeed (network, 5xx, 408, 429); otherwise the delivery is dead at once */
  | { ok: false; retryable: boolean; statusCode: number | null; responseBytes: number | null; error: string };

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

export interface SendOptions {
  allowHosts: readonly string[];
  timeoutMs?: number;
  /** name resolution (tests give a name that resolves to a private address) */
  resolve?: Resolver;
}

const refused = (error: string): SendOutcome => ({ ok: false, retryable: false, statusCode: null, responseBytes: null, error });

/** The address to connect to, or why there is none. Every address the name has must pass. */
export async function pinnedAddress(url: URL, opts: SendOptions): Promise<{ address: string; family: number } | { refusal: string; retryable: boolean }> {
  const why = urlRefusal(url, opts.allowHosts);
  if (why) return { refusal: `refused: ${why}`, retryable: false };
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return { address: host, family: isIP(host) };
  let addresses: { address: string; family: number }[];
  try {
    addresses = await (opts.resolve ?? systemResolver)(host);
  } catch (err) {
    return { refusal: `${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? "error"})`, retryable: true };
  }
  if (!addresses.length) return { refusal: `${host} does not resolve`, retryable: true };
  if (!hostAllowListed(url, opts.allowHosts)) {
    for (const a of addresses) {
      const bad = addressRefusal(a.address);
      // one bad address refuses the name: a rebinding name offers a good one and a bad one in turn
      if (bad) return { refusal: `refused: ${host} resolves to ${a.address}, ${bad}`, retryable: false };
    }
  }
  return addresses[0];
}

export async function postNotification(urlText: string, body: string, headers: Record<string, string>, opts: SendOptions): Promise<SendOutcome> {
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    return refused("refused: not a URL");
  }
  if (Buffer.byteLength(body) > PAYLOAD_MAX_BYTES) return refused(`refused: the payload is over ${PAYLOAD_MAX_BYTES} bytes`);
  const pin = await pinnedAddress(url, opts);
  if ("refusal" in pin) return { ok: false, retryable: pin.retryable, statusCode: null, responseBytes: null, error: pin.refusal };
  const timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  return new Promise<SendOutcome>((resolve) => {
    let settled = false;
    const done = (o: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(o);
    };
    const mod = url.protocol === "https:" ? https : http;
    const req = mod.request(
      {
        method: "POST",
        hostname: url.hostname.replace(/^\[|\]$/g, ""),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers: { ...headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), "user-agent": "levhub-notify" },
        // the connection goes to the address checked above, whatever the name resolves to now
        lookup: ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) =>
          options?.all ? cb(null, [{ address: pin.address, family: pin.family }]) : cb(null, pin.address, pin.family)) as unknown as LookupFunction,
        agent: false,
      },
      (res) => {
        let bytes = 0;
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes >= RESPONSE_COUNT_CAP) finish();
        });
        res.on("end", finish);
        res.on("error", finish);
        function finish() {
          const code = res.statusCode ?? 0;
          const responseBytes = Math.min(bytes, RESPONSE_COUNT_CAP);
          if (code >= 200 && code < 300) return done({ ok: true, statusCode: code, responseBytes });
          if (code >= 300 && code < 400) return done({ ok: false, retryable: false, statusCode: code, responseBytes, error: `answered ${code} (a redirect: not followed)` });
          const retryable = code >= 500 || code === 408 || code === 429;
          done({ ok: false, retryable, statusCode: code, responseBytes, error: `answered ${code}` });
        }
      },
    );
    const timer = setTimeout(() => done({ ok: false, retryable: true, statusCode: null, responseBytes: null, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    req.on("error", (err: NodeJS.ErrnoException) => done({ ok: false, retryable: true, statusCode: null, responseBytes: null, error: `could not send (${err.code ?? err.message})` }));
    req.end(body);
  });
}
