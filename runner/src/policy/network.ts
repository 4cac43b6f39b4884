/**
 * Where a tool or service container of a run is attached: a pure function of the request, the
 * run's policy and the engine's facts (container-config.ts applies it; every branch is tested in
 * container-config.test.ts).
 */
import { createHash } from "node:crypto";
import type { ContainerFacts, RunFacts } from "./container-config.ts";
import { GRANT_HINT, policyDenied, type ConfigResult } from "./refusal.ts";
import type { MacvlanSegment, RunPolicy } from "./policy.ts";
import type { CrSpec } from "../channel/spec.ts";

/**
 * The engine's macvlan network for a LAN segment: one per segment on an engine, shared by every
 * run granted it (macvlan allows one network per parent interface), named after its settings so a
 * changed segment is a new network.
 */
export function segmentNetwork(m: MacvlanSegment): string {
  const hash = createHash("sha256").update(JSON.stringify([m.parent, m.subnet, m.ipRange ?? "", m.gateway ?? ""])).digest("hex").slice(0, 10);
  return `levhub-lan-${m.parent}-${hash}`;
}

const HUB_MACHINE_HINT =
  "an admin can grant the run's own network with NET_RAW instead, or turn on 'host networking on the hub's machine (unsafe)' (Admin → Policy)";

/**
 * Where a tool or service container is attached. `Cr(host=True)` gets what the grant names: the
 * run's own bridge, the host's network (never on the hub's machine unless the admin allowed it)
 * or its LAN segment. A container holding a capability never joins Docker's shared default bridge,
 * where its raw packets would reach other runs: it gets the run's own network. The others use the
 * run's network when they need names (services, links) or the run is scoped (every container of
 * a scoped run is on its own bridge, under its rules), else the default bridge. `Cr(offline=True)`
 * gets no network at all.
 */
export function networkOf(
  cr: CrSpec,
  policy: RunPolicy,
  run: RunFacts,
  c: Pick<ContainerFacts, "role">,
  privileged: boolean,
): ConfigResult<{ network: string; hostMode: boolean; segment?: MacvlanSegment }> {
  const needsNames = c.role === "service" || Object.keys(cr.services).length > 0 || Object.keys(cr.links).length > 0;
  if (cr.offline) {
    // levrt refuses the combination when the Cr is written; a spec is a container's output, so again here
    if (cr.host || needsNames || cr.ports.length > 0) return { ok: false, error: policyDenied("Cr(offline=True) has no network: it cannot take host, links, ports or services") };
    return { ok: true, value: { network: "none", hostMode: false } };
  }
  // a scoped run's containers are all on its own bridge, where its scope's rules apply; the
  // host's network and a LAN segment are outside them
  const scoped = policy.scope !== undefined;
  if (cr.host && scoped && (policy.network === "host" || policy.network === "macvlan") && !policy.scopeAllowsHostNetwork) {
    return {
      ok: false,
      error: policyDenied(
        `Cr(host=True): this run's project has a scope, and the ${policy.network === "host" ? "host's network" : "LAN segment (macvlan)"} its grant names is outside the scope's enforcement; in a scoped project a tool gets the run's own network unless the project's owner allows host-network runs`,
      ),
    };
  }
  if (cr.host) {
    switch (policy.network) {
      case "none":
        return { ok: false, error: policyDenied(`Cr(host=True): host networking is not granted to this package; ${GRANT_HINT}`) };
      case "bridge":
        return { ok: true, value: { network: run.runNetwork, hostMode: false } };
      case "host":
        if (run.hubMachine !== false && !policy.hostNetworkOnHubMachine) {
          return {
            ok: false,
            error: policyDenied(
              `Cr(host=True): this package is granted the host's network, which is refused on this engine because its machine runs the hub (whose own traffic crosses its loopback); ${HUB_MACHINE_HINT}`,
            ),
          };
        }
        return { ok: true, value: { network: "host", hostMode: true } };
      case "macvlan":
        if (!policy.macvlan) return { ok: false, error: policyDenied("Cr(host=True): the grant names no LAN segment") };
        if (needsNames) {
          return { ok: false, error: policyDenied("Cr(host=True): a tool on a LAN segment (macvlan) cannot have services or links; it reaches the segment only") };
        }
        return { ok: true, value: { network: segmentNetwork(policy.macvlan), hostMode: false, segment: policy.macvlan } };
    }
  }
  return { ok: true, value: { network: privileged || needsNames || scoped ? run.runNetwork : "bridge", hostMode: false } };
}
