/**
 * What each kind of grant exposes, in words: one place for the package page, the run form and
 * Admin → Policy (SECURITY.md says the same). Pure text; no data access.
 */
import type { GrantNetwork, MacvlanSegment } from "../runner/src/policy/policy.ts";

export interface GrantWordsInput {
  network: GrantNetwork;
  macvlan?: MacvlanSegment | null;
  caps: readonly string[];
}

/** The network choices of a grant, as Admin → Policy offers them (short label, what it exposes). */
export const NETWORK_CHOICES: Record<GrantNetwork, { label: string; exposes: string }> = {
  none: {
    label: "None",
    exposes: "Cr(host=True) is refused; the tools stay on an isolated container network.",
  },
  bridge: {
    label: "The run's own network (recommended)",
    exposes:
      "Cr(host=True) runs as root (uid 0) with NET_RAW when granted, every other capability dropped, on a network only that run's containers share: raw packets (SYN and OS scans) reach what the engine routes to, never the hub's loopback.",
  },
  macvlan: {
    label: "A LAN segment (macvlan)",
    exposes:
      "Cr(host=True) gets its own address on the segment of the parent interface you name, and sees everything on that segment; the engine's machine itself is unreachable from it.",
  },
  host: {
    label: "The host's network (unsafe)",
    exposes:
      "Cr(host=True) shares the network of the engine's machine: every interface, its loopback services and, with NET_RAW, the traffic on them. Refused on the hub's own machine unless the unsafe setting below is on.",
  },
};

const capsText = (caps: readonly string[]) => caps.join(", ");

/** One sentence: what a function's tasks run with under this grant. */
export function describeGrant(g: GrantWordsInput): string {
  const raw = g.caps.includes("NET_RAW");
  const others = g.caps.filter((c) => c !== "NET_RAW");
  const extra = others.length ? `, and may add ${capsText(others)}` : "";
  switch (g.network) {
    case "bridge":
      return `Its tasks run ${raw ? "as root with NET_RAW" : "unprivileged"} on the run's own network${extra}.`;
    case "host":
      return `Its tasks run ${raw ? "as root with NET_RAW " : ""}on the host's own network: every interface of its machine, loopback services included${extra}.`;
    case "macvlan":
      return `Its tasks run ${raw ? "as root with NET_RAW " : ""}with their own address on the LAN segment of ${g.macvlan?.parent ?? "?"} (${g.macvlan?.subnet ?? "?"})${extra}.`;
    case "none":
      return g.caps.length ? `Its tasks may add ${capsText(g.caps)}, as root on the run's own network; host networking is not granted.` : "Its tasks get nothing beyond an isolated container.";
  }
}
