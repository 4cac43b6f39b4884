/**
 * Grants follow the package whose code asks for them. A task whose Cr names a dependency P as its
 * origin (`Cr.package`) may get P's grant — but the workflow sends that claim, so it is believed
 * only once a planner container has rebuilt the Cr from P's own code and it came out the same
 * (planner.ts). These pure functions decide when to ask the planner and what its answer grants.
 */
import type { PackageGrant, RunPolicy } from "./policy.ts";
import type { CrSpec } from "../channel/spec.ts";

export interface DependencyClaim {
  /** `ns.name`, lower-case */
  package: string;
  grant: PackageGrant;
}

/** P's grant gives something the run's does not. */
export function isWider(grant: PackageGrant, policy: RunPolicy): boolean {
  return (grant.hostNetwork && !policy.hostNetwork) || grant.caps.some((c) => !policy.caps.includes(c));
}

/** The Cr (its services included) asks for something the run's grant lacks and P's has. */
export function asksBeyond(cr: CrSpec, policy: RunPolicy, grant: PackageGrant): boolean {
  const beyond = (c: CrSpec): boolean =>
    (c.host && grant.hostNetwork && !policy.hostNetwork) ||
    // host=True takes NET_RAW implicitly when it is granted
    (c.host && grant.caps.includes("NET_RAW") && !policy.caps.includes("NET_RAW")) ||
    c.caps.some((cap) => !policy.caps.includes(cap as never)) ||
    Object.values(c.services).some(beyond);
  return beyond(cr);
}

/**
 * The claim worth verifying, or null when the run's own grant applies without a planner: no
 * origin package, no grant for it, a grant no wider than the run's, a Cr asking for nothing
 * beyond the run's grant, a Cr without an entry or with a module-level (direct) entry (no builder
 * to call), or a builder module outside P.
 */
export function dependencyClaim(cr: CrSpec, policy: RunPolicy): DependencyClaim | null {
  if (cr.package === null || !policy.packages) return null;
  const key = cr.package.toLowerCase();
  if (!Object.hasOwn(policy.packages, key)) return null;
  const grant = policy.packages[key];
  if (!isWider(grant, policy) || !asksBeyond(cr, policy, grant)) return null;
  const b = cr.entry?.builder;
  if (!b || b.direct) return null;
  const module = b.module.toLowerCase();
  if (module !== `lev.${key}` && !module.startsWith(`lev.${key}.`)) return null;
  return { package: key, grant };
}

/** The run's policy with a verified dependency's grant added (the run's package already allowed its own). */
export function withGrant(policy: RunPolicy, grant: PackageGrant): RunPolicy {
  return {
    ...policy,
    hostNetwork: policy.hostNetwork || grant.hostNetwork,
    caps: [...new Set([...policy.caps, ...grant.caps])],
  };
}

type PackageName = (pkg: string | null) => string;

function canonical(value: unknown, name: PackageName): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, name));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      out[k] = k === "package" && (v === null || typeof v === "string") ? name(v) : canonical(v, name);
    }
    return out;
  }
  return value;
}

/**
 * A Cr as compared with its rebuilt twin: keys sorted, the top-level `entry` dropped (it is what
 * the rebuild started from), and every `package` (services' too: it decides where their files
 * come from) spelled by `name`. Services keep their entries.
 */
export function canonicalCr(spec: unknown, name: PackageName = (p) => String(p)): string {
  const c = canonical(spec, name);
  if (c && typeof c === "object" && !Array.isArray(c)) delete (c as Record<string, unknown>).entry;
  return JSON.stringify(c);
}

/**
 * The policy a task runs under. `rebuilt` is the planner's Cr for a claim (null: not rebuilt,
 * or no claim): P's grant only when the rebuilt Cr is the claimed one in every field. Packages
 * compare by meaning: in the claim, P is the origin and null the run's package; in the rebuilt
 * Cr (built where P is the running package) null is the origin.
 */
export function taskPolicy(cr: CrSpec, policy: RunPolicy, claim: DependencyClaim | null, rebuilt: unknown): RunPolicy {
  if (!claim || rebuilt === null || rebuilt === undefined) return policy;
  const claimed = canonicalCr(cr, (p) => (p === null ? "(run)" : p.toLowerCase() === claim.package ? "(origin)" : p.toLowerCase()));
  const again = canonicalCr(rebuilt, (p) => (p === null ? "(origin)" : p.toLowerCase()));
  return claimed === again ? withGrant(policy, claim.grant) : policy;
}
