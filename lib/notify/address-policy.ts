/**
 * Where a notification may be sent (pure): the addresses a webhook's name resolves to are checked
 * one by one before connecting, and the connection goes to the checked address (transport.ts), so
 * a name cannot point the hub at itself, its network or a cloud's metadata service — neither
 * directly nor by rebinding between check and connect.
 *
 * Refused: loopback, unspecified, RFC 1918, CGNAT, link-local (and so 169.254.169.254), the
 * IETF/documentation/benchmark blocks, multicast, reserved, ULA (and so fd00:ec2::254),
 * site-local, and every IPv6 form that embeds an IPv4 address (mapped, compatible, NAT64, 6to4)
 * judged by the address it embeds; Teredo is refused outright (its embedded address is obfuscated).
 */
import { isIPv4, isIPv6 } from "node:net";

type Range = readonly [base: number[], bits: number, why: string];

const V4: Range[] = [
  [[0, 0, 0, 0], 8, "this network (0.0.0.0/8)"],
  [[10, 0, 0, 0], 8, "private (10.0.0.0/8)"],
  [[100, 64, 0, 0], 10, "carrier-grade NAT (100.64.0.0/10)"],
  [[127, 0, 0, 0], 8, "loopback (127.0.0.0/8)"],
  [[169, 254, 0, 0], 16, "link-local or metadata (169.254.0.0/16)"],
  [[172, 16, 0, 0], 12, "private (172.16.0.0/12)"],
  [[192, 0, 0, 0], 24, "IETF protocol assignments (192.0.0.0/24)"],
  [[192, 0, 2, 0], 24, "documentation (192.0.2.0/24)"],
  [[192, 88, 99, 0], 24, "6to4 relay (192.88.99.0/24)"],
  [[192, 168, 0, 0], 16, "private (192.168.0.0/16)"],
  [[198, 18, 0, 0], 15, "benchmarking (198.18.0.0/15)"],
  [[198, 51, 100, 0], 24, "documentation (198.51.100.0/24)"],
  [[203, 0, 113, 0], 24, "documentation (203.0.113.0/24)"],
  [[224, 0, 0, 0], 4, "multicast (224.0.0.0/4)"],
  [[240, 0, 0, 0], 4, "reserved or broadcast (240.0.0.0/4)"],
];

const V6: Range[] = [
  [[0, 0, 0, 0, 0, 0, 0, 0], 128, "unspecified (::)"],
  [[0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback (::1)"],
  [[0x100, 0, 0, 0, 0, 0, 0, 0], 64, "discard (100::/64)"],
  [[0x2001, 0, 0, 0, 0, 0, 0, 0], 32, "Teredo (2001::/32)"],
  [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32, "documentation (2001:db8::/32)"],
  [[0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48, "local NAT64 (64:ff9b:1::/48)"],
  [[0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, "unique local, or metadata (fc00::/7)"],
  [[0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, "link-local (fe80::/10)"],
  [[0xfec0, 0, 0, 0, 0, 0, 0, 0], 10, "site-local (fec0::/10)"],
  [[0xff00, 0, 0, 0, 0, 0, 0, 0], 8, "multicast (ff00::/8)"],
];

function inRange(parts: number[], base: number[], bits: number, width: number): boolean {
  for (let i = 0; i < parts.length && bits > 0; i++, bits -= width) {
    const take = Math.min(width, bits);
    const mask = ((1 << take) - 1) << (width - take);
    if ((parts[i] & mask) !== (base[i] & mask)) return false;
  }
  return true;
}

/** The eight 16-bit groups of an IPv6 address (a valid one: net.isIPv6), dotted tails included. */
export function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const b = dotted[1].split(".").map(Number);
    text = text.slice(0, dotted.index) + `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const h = head ? head.split(":") : [];
  const t = tail === undefined ? [] : tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill("0");
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

function v4Refusal(address: string): string | null {
  const parts = address.split(".").map(Number);
  for (const [base, bits, why] of V4) if (inRange(parts, base, bits, 8)) return why;
  return null;
}

const embedded = (g: number[], hi: number, lo: number) => `${g[hi] >> 8}.${g[hi] & 255}.${g[lo] >> 8}.${g[lo] & 255}`;

/**
 * Why the hub refuses to send to `address` (an IP literal), or null when it may. Anything that is
 * not an IP address is refused: the caller resolves names first.
 */
export function addressRefusal(address: string): string | null {
  if (isIPv4(address)) return v4Refusal(address);
  if (!isIPv6(address)) return "not an IP address";
  const g = ipv6Groups(address);
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  // IPv4-mapped ::ffff:a.b.c.d and IPv4-translated ::ffff:0:a.b.c.d are that IPv4 address
  if (zeros(5) && g[5] === 0xffff) return prefixed("IPv4-mapped", v4Refusal(embedded(g, 6, 7)));
  if (zeros(4) && g[4] === 0xffff && g[5] === 0) return prefixed("IPv4-translated", v4Refusal(embedded(g, 6, 7)));
  // IPv4-compatible ::a.b.c.d (deprecated; :: and ::1 are judged below)
  if (zeros(6) && (g[6] !== 0 || g[7] > 1)) return prefixed("IPv4-compatible", v4Refusal(embedded(g, 6, 7)) ?? "deprecated form");
  // NAT64 64:ff9b::a.b.c.d reaches that IPv4 address
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return prefixed("NAT64", v4Refusal(embedded(g, 6, 7)));
  // 6to4 2002:AABB:CCDD::/48 reaches a.b.c.d
  if (g[0] === 0x2002) return prefixed("6to4", v4Refusal(embedded(g, 1, 2)));
  for (const [base, bits, why] of V6) if (inRange(g, base, bits, 16)) return why;
  return null;
}

function prefixed(form: string, why: string | null): string | null {
  return why ? `${form} ${why}` : null;
}

/**
 * Whether the admin's allow-list names this URL's host (`host` or `host:port`, case-insensitive,
 * IPv6 literals without brackets): such a host may be private or loopback and may use http —
 * the tests' receiver on 127.0.0.1, a chat server on the LAN.
 */
export function hostAllowListed(url: URL, allowHosts: readonly string[]): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return allowHosts.some((entry) => {
    const e = entry.trim().toLowerCase().replace(/^\[|\]$/g, "");
    if (e === host) return true;
    const at = e.lastIndexOf(":");
    if (at < 0) return false;
    const [h, p] = [e.slice(0, at).replace(/^\[|\]$/g, ""), e.slice(at + 1)];
    return h === host && p === port;
  });
}

/**
 * Why a notification URL is refused before any name is resolved, or null: https only (http for
 * allow-listed hosts), no credentials in it, an IP literal checked at once.
 */
export function urlRefusal(url: URL, allowHosts: readonly string[]): string | null {
  const listed = hostAllowListed(url, allowHosts);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && listed)) return "the URL must be https (http only for a host the admin allow-listed)";
  if (url.username || url.password) return "the URL may not carry a user name or password";
  if (listed) return null;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIPv4(host) || isIPv6(host)) return addressRefusal(host);
  if (host === "localhost" || host.endsWith(".localhost")) return "loopback (localhost)";
  return null;
}
