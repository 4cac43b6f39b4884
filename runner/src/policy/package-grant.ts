/**
 * Grants follow published code. A run's own grant covers the Crs its package builds; a Cr that
 * asks for more gets a mode's grant only when it names, as its builder, a mode some grant covers
 * (`RunPolicy.packages`: the hub lists only modes defined in their package, from that version's
 * manifest). The workflow sends that claim, so it is never believed: the planner builds the Cr by
 * calling the named mode with the claim's JSON arguments in that package's code alone
 * (planner.ts), and the task runs the Cr the planner built, with an image that mode's manifest
 * lists. These pure functions decide when to ask the planner and what its answer grants.
 */
import type { GrantableCap, ImagePolicy, ModeGrant, PackageGrant, RunPolicy } from "./policy.ts";
import type { CrSpec } from "../channel/spec.ts";

/** A Cr's claim that a covered mode of `package` built it. */
export interface ModeClaim {
  /** `ns.name`, lower-case */
  package: string;
  /** the mode, `lev.ns.name.module.function` */
  builder: string;
  grant: ModeGrant;
}

export type GrantDecision =
  /** the Cr runs under `policy` (the run's grant, or none); `why` says what it did not get */
  | { kind: "run"; policy: RunPolicy; why?: string }
  /** the planner must build the Cr from the claimed mode first */
  | { kind: "mode"; claim: ModeClaim };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The mode a Cr says built it: its entry's builder (`module.function`) when that is a plain
 * function that returned this very Cr — not a module-level entry (nothing builds its Cr), not a
 * service's entry, not a dotted qualname (a class attribute, a nested or chained name).
 */
export function builderOf(cr: CrSpec): string | null {
  const b = cr.entry?.builder;
  if (!b || b.direct || cr.entry!.path.length > 0 || !IDENT.test(b.qualname)) return null;
  return `${b.module}.${b.qualname}`;
}

/** Whether a builder lies inside package `pkg` (`lev.ns.name` or below it; a prefix is not enough). */
export function insidePackage(builder: string, pkg: string): boolean {
  const lower = builder.toLowerCase();
  return lower.startsWith(`lev.${pkg}.`);
}

/**
 * Whether `grant` gives this Cr (or one of its services) something the run's grant does not:
 * another network for `host=True`, NET_RAW taken with it, or a capability it asks for.
 */
export function asksBeyond(cr: CrSpec, policy: RunPolicy, grant: PackageGrant): boolean {
  const has = (caps: readonly GrantableCap[], c: string) => caps.includes(c as GrantableCap);
  const beyond = (c: CrSpec): boolean =>
    (c.host && grant.network !== "none" && (grant.network !== policy.network || JSON.stringify(grant.macvlan) !== JSON.stringify(policy.macvlan))) ||
    (c.host && has(grant.caps, "NET_RAW") && !has(policy.caps, "NET_RAW")) ||
    c.caps.some((cap) => !has(policy.caps, cap) && has(grant.caps, cap)) ||
    Object.values(c.services).some(beyond);
  return beyond(cr);
}

/** Whether the run's grant refuses this Cr (or one of its services): host=True with no network, a capability it lacks. */
export function refusedUnder(cr: CrSpec, policy: RunPolicy): boolean {
  const refused = (c: CrSpec): boolean =>
    (c.host && policy.network === "none") || c.caps.some((cap) => !policy.caps.includes(cap as GrantableCap)) || Object.values(c.services).some(refused);
  return refused(cr);
}

/** The run's policy with no privilege: what a Cr of an uncovered mode gets. */
export function withoutPrivileges(policy: RunPolicy): RunPolicy {
  const { macvlan: _segment, ...rest } = policy;
  return { ...rest, network: "none", caps: [] };
}

/**
 * What one Cr of a run gets. `own` is the run's package (`ns.name`, lower-case); a Cr's
 * `package` (null: the run's own) says whose code built it.
 */
export function decideGrant(cr: CrSpec, policy: RunPolicy, own: string): GrantDecision {
  const origin = (cr.package ?? own).toLowerCase();
  const builder = builderOf(cr);
  if (origin === own && builder && policy.uncovered?.includes(builder)) {
    return {
      kind: "run",
      policy: withoutPrivileges(policy),
      why: `${builder}() is a mode of this package that no grant covers (a raw command-line mode only when a grant names it): its Cr gets no privilege`,
    };
  }
  const modes = policy.packages && Object.hasOwn(policy.packages, origin) ? policy.packages[origin].modes : null;
  const grant = builder && modes && Object.hasOwn(modes, builder) && insidePackage(builder, origin) ? modes[builder] : null;
  if (!grant) {
    // said only where it explains a refusal to come
    if (!modes || !refusedUnder(cr, policy)) return { kind: "run", policy };
    const named = builder ? `${builder}()` : "no mode (only a Cr whose entry is defined in the mode that returns it names one)";
    return { kind: "run", policy, why: `the Cr names ${named}, which no grant of ${origin} covers: it gets this run's grant only` };
  }
  if (!asksBeyond(cr, policy, grant)) return { kind: "run", policy };
  return { kind: "mode", claim: { package: origin, builder: builder!, grant } };
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

function imagesOf(cr: CrSpec): string[] {
  return [cr.image, ...Object.values(cr.services).flatMap(imagesOf)];
}

function renamePackages(cr: CrSpec, name: (p: string | null) => string | null): CrSpec {
  return {
    ...cr,
    package: name(cr.package),
    services: Object.fromEntries(Object.entries(cr.services).map(([k, s]) => [k, renamePackages(s, name)])),
  };
}

/**
 * The images a mode's task may resolve: that package's own pinned build (`.ns.name`), the admin's
 * base images and aliases — never another package's image (the caller's own, or any the run's
 * owner may see), never a pull.
 */
export function modeImages(images: ImagePolicy, pkg: string): ImagePolicy {
  const key = `.${pkg}`;
  return {
    refs: Object.hasOwn(images.refs, key) ? { [key]: images.refs[key] } : {},
    base: images.base,
    any: false,
    ...(images.aliases ? { aliases: images.aliases } : {}),
  };
}

export type RebuiltTask = { ok: true; cr: CrSpec; policy: RunPolicy } | { ok: false; why: string };

/**
 * What the task of a claim runs, given the Cr the planner built (`rebuilt`, null when it could
 * not): that Cr — not the workflow's — when it is the claimed one in every field, its entry names
 * the claimed mode, and each of its images is one the mode's manifest lists; under the mode's
 * grant, with the images `modeImages` allows. Packages compare by meaning: in the claim the origin
 * is named (null: the run's own package); in the rebuilt Cr, built where the origin is the running
 * package, null is the origin.
 */
export function taskFromRebuilt(cr: CrSpec, policy: RunPolicy, claim: ModeClaim, own: string, rebuilt: CrSpec | null): RebuiltTask {
  const where = `${claim.builder}()`;
  if (!rebuilt) return { ok: false, why: `the planner could not build the Cr of ${where}` };
  const originName = (p: string | null) => (p === null ? "(origin)" : p.toLowerCase());
  const claimedName = (p: string | null) => {
    const key = (p ?? own).toLowerCase();
    return key === claim.package ? "(origin)" : key === own ? "(run)" : key;
  };
  if (canonicalCr(cr, claimedName) !== canonicalCr(rebuilt, originName)) return { ok: false, why: `the Cr is not the one ${where} builds` };
  if (builderOf(rebuilt) !== claim.builder) return { ok: false, why: `the Cr ${where} builds has another entry` };
  const foreign = imagesOf(rebuilt).find((i) => !claim.grant.images.includes(i));
  if (foreign !== undefined) {
    return { ok: false, why: `image '${foreign}' is not one the manifest of ${where} lists (${claim.grant.images.join(", ") || "none"}): a mode's grant runs only the images its code names` };
  }
  const task = renamePackages(rebuilt, (p) => (p === null ? (claim.package === own ? null : claim.package) : p));
  const { images: _runImages, macvlan: _segment, ...rest } = policy;
  const { images: _listed, ...grant } = claim.grant;
  return { ok: true, cr: task, policy: { ...rest, ...grant, images: modeImages(policy.images, claim.package) } };
}
