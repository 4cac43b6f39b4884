/**
 * The operator's grant for a bundled example (`npm start`): only what its functions visibly ask
 * for, by name. Pure: the caller stores it. A function asking for the host network gets the run's
 * own bridge with NET_RAW (SYN and OS scans work there); raw command-line modes are left out, so
 * an admin grants them by name or not at all.
 */
import { GRANTABLE_CAPS, type GrantableCap, type GrantNetwork } from "../../runner/src/policy/policy.ts";
import { isRawCommandLine } from "../../runner/src/manifest/modes.ts";
import type { Manifest } from "../../runner/src/manifest/introspect.ts";

export interface ExampleGrant {
  network: GrantNetwork;
  caps: GrantableCap[];
  /** qualified names, sorted */
  modes: string[];
}

/** The example's grant, or null when none of its functions asks for anything. */
export function exampleGrant(manifest: Pick<Manifest, "modes" | "workflows">): ExampleGrant | null {
  const fns = [...manifest.modes, ...manifest.workflows].filter((f) => !isRawCommandLine(f));
  const needing = fns.filter((f) => f.privileges && (f.privileges.hostNetwork || f.privileges.caps.length > 0));
  if (!needing.length) return null;
  const host = needing.some((f) => f.privileges!.hostNetwork);
  const asked = new Set<string>([...(host ? ["NET_RAW"] : []), ...needing.flatMap((f) => f.privileges!.caps)]);
  return {
    network: host ? "bridge" : "none",
    caps: GRANTABLE_CAPS.filter((c) => asked.has(c)),
    modes: [...new Set(needing.map((f) => f.qualified))].sort(),
  };
}
