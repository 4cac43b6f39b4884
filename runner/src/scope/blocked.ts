/** A destination a scoped run's container was refused, as reported and shown. Pure (the run page imports it). */

export const BLOCKED_PROTOCOLS = ["tcp", "udp", "sctp", "icmp", "icmpv6", "other"] as const;
export type BlockedProtocol = (typeof BLOCKED_PROTOCOLS)[number];

/** One destination a run's container tried to reach and was refused, with how many packets. */
export interface BlockedAttempt {
  address: string;
  protocol: BlockedProtocol;
  /** 0 for protocols without ports */
  port: number;
  packets: number;
}

/** host names a run's DNS responder refused, reported per run; the rest are counted */
export const MAX_BLOCKED_NAMES = 256;
export const BLOCKED_NAME_REASONS = ["excluded", "out of scope"] as const;

/** A host name a run's container asked its DNS responder for and was refused, with how many times. */
export interface BlockedName {
  name: string;
  reason: (typeof BLOCKED_NAME_REASONS)[number];
  queries: number;
}

/** `10.0.0.9:443/tcp`, `10.0.0.9/icmp`, `[2001:db8::1]:443/tcp` */
export function destinationText(b: Pick<BlockedAttempt, "address" | "port" | "protocol">): string {
  const host = b.address.includes(":") && b.port ? `[${b.address}]` : b.address;
  return `${host}${b.port ? `:${b.port}` : ""}/${b.protocol}`;
}
