/**
 * The closed sets of assets and findings, in one place (pure: lib, components and tests import
 * it; the database's enums hold the same values, checked by lib/closed-sets.test.ts; lib/schemas/ holds it so request schemas, lib/findings/ and components share it).
 *
 *   asset     something a scan saw: a host (an IP address), a service (a host's port and protocol),
 *             a web origin (scheme, host, port)
 *   finding   something a scan found that a tester reports, about an asset (or the project), kept
 *             once per (project, asset, key) and seen again by later runs
 *   mapping   a package's declaration of where its documents hold assets and findings
 *             (`annot.Assets`, `annot.Findings`)
 */

/** Lowest first: the database's enum sorts in this order, so `ORDER BY severity DESC` is worst first. */
export const FINDING_SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/**
 * A finding's triage state. `new` until someone triages it; a `fixed` one that a later run sees
 * again is `new` once more (reopened). False positives and accepted risks stay as they were.
 */
export const FINDING_STATES = ["new", "confirmed", "false_positive", "accepted_risk", "fixed"] as const;
export type FindingState = (typeof FINDING_STATES)[number];

/** States a tester still has to act on (the default view): neither dismissed nor fixed. */
export const OPEN_FINDING_STATES: readonly FindingState[] = ["new", "confirmed"];

export const STATE_LABELS: Record<FindingState, string> = {
  new: "new",
  confirmed: "confirmed",
  false_positive: "false positive",
  accepted_risk: "accepted risk",
  fixed: "fixed",
};

export const ASSET_KINDS = ["host", "service", "origin"] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

export const SERVICE_PROTOCOLS = ["tcp", "udp", "sctp"] as const;
export type ServiceProtocol = (typeof SERVICE_PROTOCOLS)[number];

/**
 * Port states that say nothing listens (nmap's words): such a port is no service. Any other
 * state (open, open|filtered, a tool's own word) or none is a service.
 */
export const NO_SERVICE_STATES: readonly string[] = ["closed", "filtered", "unfiltered", "closed|filtered"];
