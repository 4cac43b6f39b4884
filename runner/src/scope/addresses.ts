/**
 * IP addresses and prefixes as numbers, without `node:net`: the scope rules run in the browser
 * (the run form's check) as well as on the hub and the worker.
 */

export type Family = 4 | 6;

export interface Address {
  family: Family;
  value: bigint;
}

const V4_OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIPv4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!V4_OCTET.test(p)) return null;
    v = (v << 8n) | BigInt(Number(p));
  }
  return v;
}

/** Full, `::`-compressed and dotted-tail (`::ffff:10.0.0.1`) forms; no zone ids. */
export function parseIPv6(s: string): bigint | null {
  if (s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return null;
  let text = s;
  let tail: bigint[] = [];
  const lastColon = text.lastIndexOf(":");
  if (lastColon < 0) return null;
  if (text.includes(".")) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [v4 >> 16n, v4 & 0xffffn];
    text = text[lastColon - 1] === ":" ? text.slice(0, lastColon + 1) : text.slice(0, lastColon);
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const group = (g: string) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? BigInt(parseInt(g, 16)) : null);
  const side = (h: string | undefined): bigint[] | null => {
    if (!h) return [];
    const out: bigint[] = [];
    for (const g of h.split(":")) {
      const n = group(g);
      if (n === null) return null;
      out.push(n);
    }
    return out;
  };
  const head = side(halves[0]);
  const rest = halves.length === 2 ? side(halves[1]) : [];
  if (!head || !rest) return null;
  const given = head.length + rest.length + tail.length;
  let groups: bigint[];
  if (halves.length === 2) {
    if (given > 7) return null;
    groups = [...head, ...Array<bigint>(8 - given).fill(0n), ...rest, ...tail];
  } else {
    if (given !== 8) return null;
    groups = [...head, ...tail];
  }
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

const MAPPED_PREFIX = 0xffffn << 32n;

/**
 * An address in either family; an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is the IPv4
 * address it maps, so a v4 rule covers it and a v6 rule cannot smuggle it past a v4 exclusion.
 */
export function parseAddress(s: string): Address | null {
  const v4 = parseIPv4(s);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIPv6(s);
  if (v6 === null) return null;
  if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 - MAPPED_PREFIX };
  return { family: 6, value: v6 };
}

export const familyBits = (f: Family): number => (f === 4 ? 32 : 128);

export interface Prefix {
  family: Family;
  /** the network address (host bits zero) */
  base: bigint;
  bits: number;
}

/** `10.0.0.0/8`, `2001:db8::/32` or a single address (its /32 or /128). Host bits must be zero. */
export function parsePrefix(s: string): Prefix | { error: string } | null {
  const [ip, len, ...more] = s.split("/");
  if (more.length > 0 || ip === undefined) return null;
  const a = parseAddress(ip);
  if (!a) return null;
  const max = familyBits(a.family);
  // an IPv4-mapped prefix counts its bits over the whole 128
  const mappedOffset = a.family === 4 && ip.includes(":") ? 96 : 0;
  let bits = max;
  if (len !== undefined) {
    if (!/^\d{1,3}$/.test(len) || Number(len) - mappedOffset > max || Number(len) < mappedOffset) {
      return { error: `${s}: the prefix length must be 0–${max}` };
    }
    bits = Number(len) - mappedOffset;
  }
  const hostMask = (1n << BigInt(max - bits)) - 1n;
  if ((a.value & hostMask) !== 0n) {
    return { error: `${s} has host bits set (did you mean ${formatAddress({ family: a.family, value: a.value & ~hostMask })}/${bits}?)` };
  }
  return { family: a.family, base: a.value, bits };
}

export function prefixContains(p: Prefix, a: Address): boolean {
  if (p.family !== a.family) return false;
  const shift = BigInt(familyBits(p.family) - p.bits);
  return a.value >> shift === p.base >> shift;
}

/** Whether `inner` lies wholly inside `outer`. */
export function prefixCovers(outer: Prefix, inner: Prefix): boolean {
  return outer.family === inner.family && outer.bits <= inner.bits && prefixContains(outer, { family: inner.family, value: inner.base });
}

export function prefixesOverlap(a: Prefix, b: Prefix): boolean {
  return prefixCovers(a, b) || prefixCovers(b, a);
}

/** Canonical text: dotted quad, or RFC 5952 (lower case, the longest zero run compressed). */
export function formatAddress(a: Address): string {
  if (a.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((a.value >> s) & 0xffn)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => Number((a.value >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

export function formatPrefix(p: Prefix): string {
  const addr = formatAddress({ family: p.family, value: p.base });
  return p.bits === familyBits(p.family) ? addr : `${addr}/${p.bits}`;
}
