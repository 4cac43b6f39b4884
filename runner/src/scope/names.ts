/**
 * Which host names a run's DNS responder answers (dns-responder.ts), from its compiled scope.
 * Pure. A name rule matches as everywhere else in the scope (`example.com` that name only,
 * `*.example.com` any name below it). An exclusion naming the name wins, even one with ports: the
 * network allows a name's addresses, so a name excluded on some ports is refused altogether.
 * An allowed name's addresses are reachable on the union of its allow rules' ports (any port and
 * protocol when one of them has none).
 */
import type { CompiledName, CompiledScope } from "./check.ts";
import type { PortRange } from "./parse.ts";

export type NameVerdict =
  | { allowed: true; /** absent: every port and protocol */ ports?: PortRange[] }
  | { allowed: false; reason: "excluded" | "out of scope" };

const matches = (rule: CompiledName, name: string) => (rule.wildcard ? name.endsWith(`.${rule.name}`) : name === rule.name);

/** Sorted, overlapping and adjacent ranges merged (nft interval sets refuse overlaps). */
export function mergePorts(ranges: PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: PortRange[] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** `name`: lower case, no trailing dot (as dns-message.ts parses it). */
export function nameVerdict(scope: CompiledScope, name: string): NameVerdict {
  if (name === "") return { allowed: false, reason: "out of scope" };
  if (scope.names.exclude.some((r) => matches(r, name))) return { allowed: false, reason: "excluded" };
  const allows = scope.names.allow.filter((r) => matches(r, name));
  if (allows.length === 0) return { allowed: false, reason: "out of scope" };
  if (allows.some((r) => !r.ports)) return { allowed: true };
  return { allowed: true, ports: mergePorts(allows.flatMap((r) => r.ports ?? [])) };
}
