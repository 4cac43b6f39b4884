/**
 * A scoped run's network rules as nftables scripts. Pure: enforcer.ts runs them with `nft -f -`;
 * nft.test.ts compares them with golden files.
 *
 * One Levhub table, `inet levhub`, holds two base chains hooked ahead of Docker's own filter
 * (priority filter - 10; Docker's iptables-nft rules live in `ip filter` at priority filter): one
 * at forward (what a run's containers send through the machine) and one at input (what they send
 * to the machine's own addresses: the bridge's gateway, the host's other addresses; that traffic
 * never passes forward or DOCKER-USER). Each base chain dispatches on the incoming interface
 * through a verdict map, so a run's rules are one map element per hook pointing at its own
 * chains: added in one transaction before the first container joins the run's bridge, deleted in
 * one transaction when the run ends. Everything of a run is named after its key (`r_<key>…`,
 * bridge `lvr<key>`), so leftovers of a crashed worker are found and removed by name.
 *
 * A run's forward chain: traffic staying on its own bridge is accepted (br_netfilter may show it
 * here), replies (established, related) accepted, exclusions blocked, the scope's prefixes (with
 * their ports, TCP/UDP/SCTP), the addresses the run's DNS responder answered for in-scope names
 * (timed sets, filled by `nftAllowAnswerScript`) and the service endpoints accepted, everything
 * else blocked. Its input
 * chain accepts replies and IPv6 neighbour discovery (and DNS to the run's resolver, when it has
 * one) and blocks the rest: the machine itself is never a target. Blocked packets are counted per
 * (address, protocol, port) in the run's dynamic sets, which the worker reads and reports.
 */
import { createHash } from "node:crypto";
import type { CompiledPrefix, CompiledScope } from "./check.ts";
import type { PortRange } from "./parse.ts";
import { parseAddress, parsePrefix } from "./addresses.ts";
import { BLOCKED_PROTOCOLS, type BlockedAttempt, type BlockedProtocol } from "./blocked.ts";

export const NFT_TABLE = "levhub";
/** Base chains' priority: before Docker's filter chains (priority filter = 0). */
export const NFT_PRIORITY = "filter - 10";
/** distinct blocked (address, protocol, port) a run's sets hold per family; later ones are dropped uncounted */
export const BLOCKED_SET_SIZE = 1024;
/** addresses a run's DNS answers allow at once, per family and kind; an answer that does not fit is not given */
export const ANSWER_SET_SIZE = 4096;

/** A run's key: 12 hex digits of its id, so its bridge name (`lvr` + key) fits Linux's 15 characters. */
export function scopeKey(runId: string): string {
  return createHash("sha256").update(runId).digest("hex").slice(0, 12);
}

export const bridgeName = (key: string) => `lvr${key}`;
const KEY = /^[0-9a-f]{12}$/;

/** The table, its maps and base chains: idempotent (each base chain is flushed and refilled in the same transaction). */
export function nftBaseScript(): string {
  const t = `inet ${NFT_TABLE}`;
  return [
    `add table ${t}`,
    `add map ${t} fwd_runs { type ifname : verdict; }`,
    `add map ${t} in_runs { type ifname : verdict; }`,
    `add chain ${t} forward { type filter hook forward priority ${NFT_PRIORITY}; policy accept; }`,
    `add chain ${t} input { type filter hook input priority ${NFT_PRIORITY}; policy accept; }`,
    `flush chain ${t} forward`,
    `flush chain ${t} input`,
    `add rule ${t} forward iifname vmap @fwd_runs`,
    `add rule ${t} input iifname vmap @in_runs`,
    "",
  ].join("\n");
}

/** An endpoint a run may reach besides its scope: a service, its name already resolved to addresses. */
export interface AllowedEndpoint {
  address: string;
  port: number;
}

export interface RunRulesInput {
  key: string;
  scope: CompiledScope;
  /** the service endpoints' addresses (names resolved by the enforcer at set-up) */
  services: AllowedEndpoint[];
  /** the run's DNS resolver on the bridge's gateway; absent: no DNS leaves the run */
  resolver?: string;
}

const portSet = (ports: PortRange[]) => `{ ${ports.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`)).join(", ")} }`;
const family = (address: string) => (address.includes(":") ? "ip6" : "ip");

/** Only addresses and prefixes reach a script: anything else in a policy is refused, never spliced into nft's language. */
function checked(text: string, kind: "prefix" | "address"): string {
  const ok = kind === "prefix" ? ((p) => p !== null && !("error" in p))(parsePrefix(text)) : parseAddress(text) !== null;
  if (!ok || !/^[0-9a-fA-F:./]+$/.test(text)) throw new Error(`not an IP ${kind}: ${text}`);
  return text;
}

function prefixMatch(p: CompiledPrefix): string {
  checked(p.cidr, "prefix");
  const dst = `${family(p.cidr)} daddr ${p.cidr}`;
  return p.ports ? `${dst} meta l4proto { tcp, udp, sctp } th dport ${portSet(p.ports)}` : dst;
}

/** The run's chains, sets and map elements: one transaction, before any container joins its bridge. */
export function nftRunScript(input: RunRulesInput): string {
  const { key, scope } = input;
  if (!KEY.test(key)) throw new Error(`not a scope key: ${key}`);
  const t = `inet ${NFT_TABLE}`;
  const fwd = `r_${key}`;
  const inp = `r_${key}_in`;
  const block = `r_${key}_block`;
  const bridge = bridgeName(key);
  const set = (name: string, type: string) => `add set ${t} ${name} { type ${type} . inet_proto . inet_service; flags dynamic; size ${BLOCKED_SET_SIZE}; counter; }`;
  const lines = [
    set(`${fwd}_b4`, "ipv4_addr"),
    set(`${fwd}_b6`, "ipv6_addr"),
    ...answerSets(key),
    `add chain ${t} ${block}`,
    `add rule ${t} ${block} meta l4proto { tcp, udp, sctp } update @${fwd}_b4 { ip daddr . meta l4proto . th dport } drop`,
    `add rule ${t} ${block} meta l4proto { tcp, udp, sctp } update @${fwd}_b6 { ip6 daddr . meta l4proto . th dport } drop`,
    `add rule ${t} ${block} meta nfproto ipv4 update @${fwd}_b4 { ip daddr . meta l4proto . 0 } drop`,
    `add rule ${t} ${block} meta nfproto ipv6 update @${fwd}_b6 { ip6 daddr . meta l4proto . 0 } drop`,
    // a full set does not match: the packet is still dropped, uncounted
    `add rule ${t} ${block} drop`,
    `add chain ${t} ${fwd}`,
    `add rule ${t} ${fwd} oifname "${bridge}" accept`,
    `add rule ${t} ${fwd} ct state established,related accept`,
    ...[...scope.v4.exclude, ...scope.v6.exclude].map((p) => `add rule ${t} ${fwd} ${prefixMatch(p)} goto ${block}`),
    ...[...scope.v4.allow, ...scope.v6.allow].map((p) => `add rule ${t} ${fwd} ${prefixMatch(p)} accept`),
    // the addresses the run's DNS responder answered for in-scope names, until their TTL runs out
    `add rule ${t} ${fwd} ip daddr @${fwd}_n4 accept`,
    `add rule ${t} ${fwd} ip6 daddr @${fwd}_n6 accept`,
    `add rule ${t} ${fwd} meta l4proto { tcp, udp, sctp } ip daddr . th dport @${fwd}_p4 accept`,
    `add rule ${t} ${fwd} meta l4proto { tcp, udp, sctp } ip6 daddr . th dport @${fwd}_p6 accept`,
    ...input.services.map((s) => `add rule ${t} ${fwd} ${family(s.address)} daddr ${checked(s.address, "address")} meta l4proto { tcp, udp } th dport ${s.port} accept`),
    `add rule ${t} ${fwd} goto ${block}`,
    `add chain ${t} ${inp}`,
    `add rule ${t} ${inp} ct state established,related accept`,
    `add rule ${t} ${inp} icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } accept`,
    ...(input.resolver ? [`add rule ${t} ${inp} ${family(input.resolver)} daddr ${checked(input.resolver, "address")} meta l4proto { tcp, udp } th dport 53 accept`] : []),
    `add rule ${t} ${inp} goto ${block}`,
    `add element ${t} fwd_runs { "${bridge}" : jump ${fwd} }`,
    `add element ${t} in_runs { "${bridge}" : jump ${inp} }`,
    "",
  ];
  return lines.join("\n");
}

/** Removes everything of a run: one transaction (map elements first, so nothing still jumps to its chains). */
export function nftTeardownScript(key: string, present: { fwd: boolean; in: boolean } = { fwd: true, in: true }): string {
  if (!KEY.test(key)) throw new Error(`not a scope key: ${key}`);
  const t = `inet ${NFT_TABLE}`;
  const bridge = bridgeName(key);
  return [
    ...(present.fwd ? [`delete element ${t} fwd_runs { "${bridge}" }`] : []),
    ...(present.in ? [`delete element ${t} in_runs { "${bridge}" }`] : []),
    `delete chain ${t} r_${key}`,
    `delete chain ${t} r_${key}_in`,
    `delete chain ${t} r_${key}_block`,
    `delete set ${t} r_${key}_b4`,
    `delete set ${t} r_${key}_b6`,
    // added first (a no-op when present), so the rules of a worker that predates them still go
    ...answerSets(key),
    ...ANSWER_SETS.map((s) => `delete set ${t} r_${key}_${s}`),
    "",
  ].join("\n");
}

const ANSWER_SETS = ["n4", "n6", "p4", "p6"] as const;

/** Per family: addresses answered for names allowed on every port (`n`), and (address, ports) for names allowed on some (`p`). */
function answerSets(key: string): string[] {
  const t = `inet ${NFT_TABLE}`;
  return [
    `add set ${t} r_${key}_n4 { type ipv4_addr; flags timeout; size ${ANSWER_SET_SIZE}; }`,
    `add set ${t} r_${key}_n6 { type ipv6_addr; flags timeout; size ${ANSWER_SET_SIZE}; }`,
    `add set ${t} r_${key}_p4 { type ipv4_addr . inet_service; flags interval,timeout; size ${ANSWER_SET_SIZE}; }`,
    `add set ${t} r_${key}_p6 { type ipv6_addr . inet_service; flags interval,timeout; size ${ANSWER_SET_SIZE}; }`,
  ];
}

/**
 * Allows the addresses of one DNS answer for `seconds`: one transaction, each element added,
 * deleted and added again, so an address answered before gets the new timeout (a plain `add`
 * of an element present keeps the old one).
 */
export function nftAllowAnswerScript(key: string, addresses: string[], ports: PortRange[] | undefined, seconds: number): string {
  if (!KEY.test(key)) throw new Error(`not a scope key: ${key}`);
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`not a timeout: ${seconds}`);
  const t = `inet ${NFT_TABLE}`;
  const lines: string[] = [];
  for (const a of addresses) {
    const addr = checked(a, "address");
    const fam = addr.includes(":") ? "6" : "4";
    const elems = ports ? ports.map(([lo, hi]) => `${addr} . ${lo === hi ? lo : `${lo}-${hi}`}`) : [addr];
    const set = `r_${key}_${ports ? "p" : "n"}${fam}`;
    for (const e of elems) {
      lines.push(`add element ${t} ${set} { ${e} timeout ${seconds}s }`, `delete element ${t} ${set} { ${e} }`, `add element ${t} ${set} { ${e} timeout ${seconds}s }`);
    }
  }
  return lines.length ? [...lines, ""].join("\n") : "";
}

export { BLOCKED_PROTOCOLS, type BlockedAttempt, type BlockedProtocol } from "./blocked.ts";

const PROTOCOL_NUMBERS: Record<number, BlockedProtocol> = { 6: "tcp", 17: "udp", 132: "sctp", 1: "icmp", 58: "icmpv6" };
const PROTOCOL_NAMES = new Set<string>(BLOCKED_PROTOCOLS);

function protocolOf(v: unknown): BlockedProtocol {
  if (typeof v === "number") return PROTOCOL_NUMBERS[v] ?? "other";
  if (typeof v === "string" && PROTOCOL_NAMES.has(v)) return v as BlockedProtocol;
  if (typeof v === "string" && /^ipv6-icmp$/.test(v)) return "icmpv6";
  return "other";
}

/**
 * The elements of a blocked set as `nft -j list set` prints them (each `{elem: {val: {concat:
 * [addr, proto, port]}, counter: {packets, bytes}}}`); anything else in the output is skipped.
 */
export function parseBlockedSet(json: unknown): BlockedAttempt[] {
  const out: BlockedAttempt[] = [];
  const items = (json as { nftables?: unknown[] } | null)?.nftables;
  if (!Array.isArray(items)) return out;
  for (const item of items) {
    const elems = (item as { set?: { elem?: unknown[] } }).set?.elem;
    if (!Array.isArray(elems)) continue;
    for (const e of elems) {
      const elem = (e as { elem?: { val?: { concat?: unknown[] }; counter?: { packets?: unknown } } }).elem;
      const concat = elem?.val?.concat;
      if (!Array.isArray(concat) || concat.length !== 3 || typeof concat[0] !== "string") continue;
      const port = Number(concat[2]);
      const packets = Number(elem?.counter?.packets ?? 0);
      out.push({ address: concat[0], protocol: protocolOf(concat[1]), port: Number.isInteger(port) && port >= 0 && port <= 65535 ? port : 0, packets: Number.isFinite(packets) ? packets : 0 });
    }
  }
  return out;
}

/** The run keys whose rules are in the table (from `nft -j list table inet levhub`), with which map elements each has. */
export function runsInTable(json: unknown): Map<string, { fwd: boolean; in: boolean }> {
  const out = new Map<string, { fwd: boolean; in: boolean }>();
  const items = (json as { nftables?: unknown[] } | null)?.nftables;
  if (!Array.isArray(items)) return out;
  const entry = (key: string) => out.get(key) ?? out.set(key, { fwd: false, in: false }).get(key)!;
  for (const item of items) {
    const chain = (item as { chain?: { name?: unknown } }).chain?.name;
    const m = typeof chain === "string" ? /^r_([0-9a-f]{12})$/.exec(chain) : null;
    if (m?.[1]) entry(m[1]);
    const map = (item as { map?: { name?: unknown; elem?: unknown[] } }).map;
    if ((map?.name === "fwd_runs" || map?.name === "in_runs") && Array.isArray(map.elem)) {
      for (const e of map.elem) {
        const name = Array.isArray(e) ? e[0] : undefined;
        const k = typeof name === "string" ? /^lvr([0-9a-f]{12})$/.exec(name)?.[1] : undefined;
        if (k) entry(k)[map.name === "fwd_runs" ? "fwd" : "in"] = true;
      }
    }
  }
  return out;
}
