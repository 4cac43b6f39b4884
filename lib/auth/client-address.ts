/**
 * The key per-client attempt limits use. Next.js gives handlers no socket address; what it does
 * is put the socket address into `X-Forwarded-For` when a request arrives without that header.
 *
 * - `LEVHUB_TRUST_PROXY=N` (N ≥ 1 reverse proxies in front of the hub, each appending the address
 *   it saw): the N-th entry from the right is the client as the outermost trusted proxy saw it;
 *   whatever a client wrote further left is ignored.
 * - unset or 0 (the hub faces clients directly): the rightmost entry, which is the socket address
 *   unless the client sent its own header. Such a client picks its own key, so per-address limits
 *   bind only honest clients there; the per-e-mail sign-in limit and the hub-wide sign-up ceiling
 *   do not depend on the address and hold regardless.
 */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v.join(",") : v;
}

export function trustedProxyHops(raw = process.env.LEVHUB_TRUST_PROXY): number {
  const n = Number(raw ?? "0");
  return Number.isInteger(n) && n >= 0 && n <= 10 ? n : 0;
}

export function clientAddress(headers: HeaderSource, hops = trustedProxyHops()): string {
  const entries = (header(headers, "x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!entries.length) return "unknown";
  const pick = entries[Math.max(0, entries.length - Math.max(1, hops))];
  // IPv4 clients of a dual-stack socket show up as ::ffff:a.b.c.d; one client, one key
  return pick.slice(0, 64).toLowerCase().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
}
