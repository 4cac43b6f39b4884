/**
 * A scoped run's DNS responder: the only resolver its containers get, listening on its bridge's
 * gateway (UDP and TCP, port 53). It answers A/AAAA queries for the names the scope allows
 * (names.ts; exclusions win) by asking the worker's own resolver (or an injected upstream: tests
 * never resolve real names), and each address it answers is allowed by the run's network rules
 * (nft answer sets, for the TTL) BEFORE the answer leaves: a tool that got an address can reach it.
 * Other names are REFUSED and recorded as blocked names. Everything a container sends is hostile:
 * queries are parsed with caps (dns-message.ts), malformed ones dropped, and work in flight is
 * bounded.
 */
import dgram from "node:dgram";
import net from "node:net";
import { Resolver } from "node:dns/promises";
import type { CompiledScope } from "./check.ts";
import type { PortRange } from "./parse.ts";
import { parseAddress } from "./addresses.ts";
import { buildResponse, parseQuery, MAX_QUERY_BYTES, QTYPE, RCODE, type Answer, type Rcode } from "./dns-message.ts";
import { nameVerdict } from "./names.ts";
import { MAX_BLOCKED_NAMES, type BlockedName } from "./blocked.ts";

export type { BlockedName } from "./blocked.ts";

/** answers' TTL, seconds: at least this, so a tool has time to connect ... */
export const MIN_ANSWER_TTL = 5;
/** ... and at most this, so an address allowed once does not stay allowed for long */
export const MAX_ANSWER_TTL = 3600;
/** how much longer the network allows an answered address than the answer's TTL (a tool connects after it resolved) */
export const ANSWER_GRACE_SECONDS = 30;
/** addresses per answer; more are left out */
export const MAX_ANSWER_ADDRESSES = 16;
/** queries being answered at once; more are dropped (the client retries) */
export const MAX_IN_FLIGHT = 64;
const MAX_TCP_CONNECTIONS = 16;
const TCP_IDLE_MS = 10_000;

export type UpstreamType = "A" | "AAAA";
/** The worker's resolver as the responder uses it: a name's addresses with their TTL; an error with `code` ENOTFOUND / ENODATA when there are none. */
export interface Upstream {
  resolve(name: string, type: UpstreamType): Promise<Answer[]>;
}

/** The machine's resolver (node:dns, its servers from /etc/resolv.conf unless given), bounded in time. */
export function systemUpstream(servers?: string[]): Upstream {
  const r = new Resolver({ timeout: 3000, tries: 2 });
  if (servers) r.setServers(servers);
  return {
    resolve: async (name, type) => (type === "A" ? await r.resolve4(name, { ttl: true }) : await r.resolve6(name, { ttl: true })),
  };
}

/** A fixed map of names to addresses (tests map names to their network-namespace targets). */
export function staticUpstream(map: Record<string, string[]>, ttl = 60): Upstream {
  return {
    resolve: (name, type) => {
      const all = map[name];
      const err = (code: string) => Promise.reject(Object.assign(new Error(`${code} ${name}`), { code }));
      if (!all) return err("ENOTFOUND");
      const fit = all.filter((a) => (type === "A") === !a.includes(":"));
      return fit.length ? Promise.resolve(fit.map((address) => ({ address, ttl }))) : err("ENODATA");
    },
  };
}

export interface DnsResponderOptions {
  /** the address to listen on (the run bridge's gateway) */
  host: string;
  /** default 53 */
  port?: number;
  scope: CompiledScope;
  upstream: Upstream;
  /** lets the answered addresses through the run's rules; rejects when it cannot (the answer is then SERVFAIL) */
  allow(addresses: string[], ports: PortRange[] | undefined, seconds: number): Promise<void>;
  /** a blocked name was queried (for the first time or again) */
  onBlocked?(): void;
  log?(msg: string, fields: Record<string, unknown>): void;
}

const clampTtl = (ttl: number) => Math.min(MAX_ANSWER_TTL, Math.max(MIN_ANSWER_TTL, Number.isFinite(ttl) ? Math.floor(ttl) : MIN_ANSWER_TTL));

export class DnsResponder {
  private inFlight = 0;
  private readonly names = new Map<string, BlockedName>();
  private namesDropped = 0;
  private readonly tcpSockets = new Set<net.Socket>();

  private constructor(
    private readonly opts: DnsResponderOptions,
    private readonly udp: dgram.Socket,
    private readonly tcp: net.Server,
  ) {}

  /** Listening on UDP and TCP before it resolves; rejects when either cannot bind. */
  static async start(opts: DnsResponderOptions): Promise<DnsResponder> {
    const port = opts.port ?? 53;
    const udp = dgram.createSocket({ type: opts.host.includes(":") ? "udp6" : "udp4" });
    const tcp = net.createServer();
    const r = new DnsResponder(opts, udp, tcp);
    udp.on("message", (msg, from) => void r.answer(msg).then((out) => out && udp.send(out, from.port, from.address)));
    udp.on("error", (e) => opts.log?.("dns responder udp error", { error: e.message }));
    tcp.maxConnections = MAX_TCP_CONNECTIONS;
    tcp.on("connection", (s) => r.serveTcp(s));
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once("error", reject);
        udp.bind(port, opts.host, () => resolve());
      });
      await new Promise<void>((resolve, reject) => {
        tcp.once("error", reject);
        // the same port as UDP (which picked it when given 0)
        tcp.listen(udp.address().port, opts.host, () => resolve());
      });
    } catch (e) {
      await r.close();
      throw e;
    }
    return r;
  }

  /** the UDP and TCP port it listens on (the given one, or the one picked for port 0) */
  get port(): number {
    return this.udp.address().port;
  }

  /** names refused so far, most queried first, capped, and how many more */
  blockedNames(): { names: BlockedName[]; dropped: number } {
    const names = [...this.names.values()].sort((a, b) => b.queries - a.queries || a.name.localeCompare(b.name));
    return { names: names.map((n) => ({ ...n })), dropped: this.namesDropped };
  }

  private block(name: string, reason: BlockedName["reason"]) {
    const seen = this.names.get(name);
    if (seen) seen.queries++;
    else if (this.names.size < MAX_BLOCKED_NAMES) this.names.set(name, { name, reason, queries: 1 });
    else this.namesDropped++;
    this.opts.onBlocked?.();
  }

  /** One message from a container: the response to send, or null (dropped). */
  async answer(msg: Uint8Array): Promise<Buffer | null> {
    const q = parseQuery(msg);
    if (q.kind === "drop") return null;
    if (q.kind === "error") return buildResponse(q, q.rcode);
    if (this.inFlight >= MAX_IN_FLIGHT) return null;
    this.inFlight++;
    try {
      const verdict = nameVerdict(this.opts.scope, q.question.name);
      if (!verdict.allowed) {
        this.block(q.question.name, verdict.reason);
        return buildResponse(q, RCODE.REFUSED);
      }
      const type = q.question.type === QTYPE.A ? "A" : "AAAA";
      let found: Answer[];
      try {
        found = await this.opts.upstream.resolve(q.question.name, type);
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        const rcode: Rcode = code === "ENOTFOUND" ? RCODE.NXDOMAIN : code === "ENODATA" ? RCODE.NOERROR : RCODE.SERVFAIL;
        return buildResponse(q, rcode);
      }
      const fam = type === "A" ? 4 : 6;
      const answers = found
        .filter((a) => {
          const p = parseAddress(a.address);
          return p !== null && (fam === 4) === !a.address.includes(":");
        })
        .slice(0, MAX_ANSWER_ADDRESSES)
        .map((a) => ({ address: a.address, ttl: clampTtl(a.ttl) }));
      if (answers.length === 0) return buildResponse(q, RCODE.NOERROR);
      const ttl = Math.max(...answers.map((a) => a.ttl));
      try {
        await this.opts.allow(
          answers.map((a) => a.address),
          verdict.ports,
          ttl + ANSWER_GRACE_SECONDS,
        );
      } catch (e) {
        // an address the rules do not let through is never given out
        this.opts.log?.("dns answer not allowed by the run's rules", { name: q.question.name, error: (e as Error).message });
        return buildResponse(q, RCODE.SERVFAIL);
      }
      return buildResponse(q, RCODE.NOERROR, answers);
    } finally {
      this.inFlight--;
    }
  }

  /** DNS over TCP: 2-byte length, then the message; several per connection, capped and idle-timed. */
  private serveTcp(s: net.Socket) {
    this.tcpSockets.add(s);
    s.setTimeout(TCP_IDLE_MS, () => s.destroy());
    s.on("close", () => this.tcpSockets.delete(s));
    s.on("error", () => s.destroy());
    let buf = Buffer.alloc(0);
    let busy = false;
    const pump = async () => {
      if (busy) return;
      busy = true;
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (len > MAX_QUERY_BYTES) return void s.destroy();
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        const out = await this.answer(msg);
        if (!out) return void s.destroy();
        const head = Buffer.alloc(2);
        head.writeUInt16BE(out.length);
        s.write(Buffer.concat([head, out]));
      }
      busy = false;
    };
    s.on("data", (chunk: Buffer) => {
      if (buf.length + chunk.length > 2 + MAX_QUERY_BYTES) {
        s.destroy();
        return;
      }
      buf = Buffer.concat([buf, chunk]);
      void pump();
    });
  }

  async close(): Promise<void> {
    for (const s of this.tcpSockets) s.destroy();
    await Promise.all([
      new Promise<void>((resolve) => {
        try {
          this.udp.close(() => resolve());
        } catch {
          resolve();
        }
      }),
      new Promise<void>((resolve) => this.tcp.close(() => resolve())),
    ]);
  }
}
